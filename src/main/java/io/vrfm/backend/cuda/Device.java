package io.vrfm.backend.cuda;

/**
 * The few things {@link KernelBackend} needs from a device: memory, copies and kernel launches by name.
 * {@link CudaDevice} implements it with the CUDA driver API (JCuda); the tests implement it with a host process
 * that runs the same {@code kernels/*.cu} under emulation, so every line of host logic in {@link KernelBackend}
 * (launch shapes, argument order, workspaces, the allocator) is exercised without a GPU.
 *
 * <p>Device memory is addressed by plain {@code long} addresses (0 is the null pointer). Kernel arguments are
 * {@link Integer} (C {@code int}), {@link Long} (C {@code long long} or a device pointer), {@link Float} and
 * {@code int[]} (a struct of ints passed by value).
 */
public interface Device extends AutoCloseable {

    /** One line naming the device. */
    String describe();

    /**
     * Allocates {@code bytes} of device memory.
     *
     * @throws OutOfDeviceMemoryException when the device has no room
     */
    long malloc(long bytes);

    void free(long address);

    /** Host to device; may return before the copy lands (the source array may be reused at once). */
    void upload(float[] src, int srcOffset, long dstAddress, int n);

    /** Device to host; waits for queued work first. */
    void download(long srcAddress, float[] dst, int dstOffset, int n);

    /** Device to device, ordered with the launches. */
    void copy(long dstAddress, long srcAddress, long bytes);

    /** Queues kernel {@code name} (an {@code extern "C"} entry of {@code kernels/*.cu}) on the device's stream. */
    void launch(String name, int gx, int gy, int gz, int bx, int by, int bz, Object... args);

    void synchronize();

    /**
     * True when the allocator should not round sizes up to buckets (the emulated device: every buffer then ends
     * exactly where AddressSanitizer can see an overrun).
     */
    default boolean exactAllocations() {
        return false;
    }

    @Override
    void close();

    /** Thrown by {@link #malloc} when device memory is exhausted. */
    final class OutOfDeviceMemoryException extends RuntimeException {
        public OutOfDeviceMemoryException(String message) {
            super(message);
        }
    }
}
