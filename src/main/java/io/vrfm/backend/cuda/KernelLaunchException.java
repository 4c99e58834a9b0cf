package io.vrfm.backend.cuda;

/**
 * A kernel launch that failed, named with the kernel and its launch shape, e.g.
 * {@code kernel vrfm_sgemm (grid 4x4x1, block 16x16x1) failed: CUDA_ERROR_ILLEGAL_ADDRESS}. Thrown by
 * {@link KernelBackend} around every launch, so that a fault on a GPU (or under emulation) names the kernel
 * instead of surfacing later as an anonymous error at the next copy. With {@code CUDA_LAUNCH_BLOCKING=1} (or
 * {@code -Dvrfm.cuda.syncEachLaunch=true}) {@link CudaDevice} waits for every kernel, so asynchronous faults
 * are caught here too.
 */
public final class KernelLaunchException extends RuntimeException {
    private final String kernel;

    KernelLaunchException(String kernel, int gx, int gy, int gz, int bx, int by, int bz, RuntimeException cause) {
        super("kernel " + shape(kernel, gx, gy, gz, bx, by, bz) + " failed: " + cause.getMessage(), cause);
        this.kernel = kernel;
    }

    /** The kernel's name, an {@code extern "C"} entry of {@code kernels/*.cu}. */
    public String kernel() {
        return kernel;
    }

    /** {@code name (grid gx x gy x gz, block bx x by x bz)}. */
    static String shape(String kernel, int gx, int gy, int gz, int bx, int by, int bz) {
        return kernel + " (grid " + gx + "x" + gy + "x" + gz + ", block " + bx + "x" + by + "x" + bz + ")";
    }
}
