package io.vrfm.backend.cuda;

import io.vrfm.backend.Buffer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A failed kernel launch names the kernel and its real grid and block ({@link KernelLaunchException}), on a fake
 * device whose launches fail and on the emulated device; and {@link CudaDevice}'s wording of asynchronous and
 * sticky CUDA errors.
 */
class KernelLaunchErrorTest {

    /** A device whose every launch fails as a faulting kernel would under CUDA_LAUNCH_BLOCKING=1. */
    static final class FaultingDevice implements Device {
        final RuntimeException fault = new IllegalStateException("CUDA_ERROR_ILLEGAL_ADDRESS");
        long next = 0x1000;

        @Override public String describe() { return "faulting"; }
        @Override public long malloc(long bytes) {
            long a = next;
            next += bytes + 256;
            return a;
        }
        @Override public void free(long address) { }
        @Override public void upload(float[] src, int srcOffset, long dst, int n) { }
        @Override public void download(long src, float[] dst, int dstOffset, int n) { }
        @Override public void copy(long dst, long src, long bytes) { }
        @Override public void launch(String name, int gx, int gy, int gz, int bx, int by, int bz, Object... args) {
            throw fault;
        }
        @Override public void synchronize() { }
        @Override public void close() { }
    }

    @Test
    void elementwiseFaultNamesKernelGridAndBlock() {
        FaultingDevice dev = new FaultingDevice();
        KernelBackend b = new KernelBackend(dev, "faulting");
        Buffer x = b.allocate(1000);
        KernelLaunchException e = assertThrows(KernelLaunchException.class, () -> b.fill(x, 0, 1000, 1f));
        assertEquals("kernel vrfm_fill (grid 4x1x1, block 256x1x1) failed: CUDA_ERROR_ILLEGAL_ADDRESS", e.getMessage());
        assertEquals("vrfm_fill", e.kernel());
        assertSame(dev.fault, e.getCause());
    }

    @Test
    void gemmFaultNamesItsTiledGrid() {
        KernelBackend b = new KernelBackend(new FaultingDevice(), "faulting");
        int m = 130, n = 100, k = 7;
        Buffer a = b.allocate((long) m * k), bb = b.allocate((long) k * n), c = b.allocate((long) m * n);
        KernelLaunchException e = assertThrows(KernelLaunchException.class,
                () -> b.gemm(false, false, m, n, k, 1f, a, 0, k, 0, bb, 0, n, 0, 0f, c, 0, 0, 1));
        // 64x64 tiles: ceil(100/64) = 2 columns of tiles, ceil(130/64) = 3 rows
        assertTrue(e.getMessage().startsWith("kernel vrfm_sgemm (grid 2x3x1, block 16x16x1) failed: "), e.getMessage());
    }

    @Test
    void emulatedLaunchErrorIsNamed() throws Exception {
        String reason = EmuDevice.unavailableReason();
        Assumptions.assumeTrue(reason == null, reason);
        try (KernelBackend b = new KernelBackend(EmuDevice.start(), "cuda-emu")) {
            // vrfm_fill takes (float* y, long long n, float v): one argument is a real launch failure there
            KernelLaunchException e = assertThrows(KernelLaunchException.class,
                    () -> b.launch("vrfm_fill", 2, 1, 1, 256, 1, 1, 0L));
            assertTrue(e.getMessage().startsWith("kernel vrfm_fill (grid 2x1x1, block 256x1x1) failed: emulated launch failed"),
                    e.getMessage());
            Buffer ok = b.allocate(3); // the device is still usable afterwards
            b.fill(ok, 0, 3, 2f);
            float[] got = new float[3];
            b.download(ok, 0, got, 0, 3);
            assertEquals(2f, got[2]);
        }
    }

    @Test
    void asynchronousErrorsNameTheLastKernelAndStickyOnesAreRecognised() {
        String lazy = CudaDevice.afterKernel("download", "CUDA_ERROR_ILLEGAL_ADDRESS",
                KernelLaunchException.shape("vrfm_sgemm_big", 8, 8, 1, 16, 16, 1), false);
        assertEquals("download failed: CUDA_ERROR_ILLEGAL_ADDRESS (last kernel queued: vrfm_sgemm_big (grid 8x8x1, "
                + "block 16x16x1); faults are asynchronous: rerun with CUDA_LAUNCH_BLOCKING=1 to name the faulting kernel)", lazy);
        String blocking = CudaDevice.afterKernel("synchronize", "CUDA_ERROR_LAUNCH_FAILED", "vrfm_fill (grid 1x1x1, block 256x1x1)", true);
        assertFalse(blocking.contains("rerun"), blocking);
        assertTrue(CudaDevice.sticky("CUDA_ERROR_ILLEGAL_ADDRESS"));
        assertTrue(CudaDevice.sticky("CUDA_ERROR_MISALIGNED_ADDRESS"));
        assertFalse(CudaDevice.sticky("CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES")); // the context survives these
        assertFalse(CudaDevice.sticky("CUDA_ERROR_INVALID_VALUE"));
    }
}
