package io.vrfm.backend.cuda;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The one-line reasons {@link CudaBackend} gives for the failures JCuda reports (messages as seen on machines). */
class CudaReasonTest {

    private static UnsatisfiedLinkError linkError(String lib, String missing) {
        return new UnsatisfiedLinkError("Error while loading native library \"" + lib + "\"\nOperating system name: Linux\n"
                + "Stack trace from the attempt to load the library as a resource:\njava.lang.UnsatisfiedLinkError: /tmp/lib"
                + lib + ".so: " + missing + ": cannot open shared object file: No such file or directory\n\tat ...");
    }

    @Test
    void missingLibrariesBecomeOneLine() {
        assertEquals("libcuda.so.1 not found — no NVIDIA driver",
                CudaBackend.reason(linkError("JCudaDriver-12.6.0-linux-x86_64", "libcuda.so.1")));
        assertEquals("libcublas.so.12 not found — cuBLAS for CUDA 12 not on the library path",
                CudaBackend.reason(linkError("JCublas2-12.6.0-linux-x86_64", "libcublas.so.12")));
        assertEquals("libcudnn.so.9 not found — cuDNN 9 not on the library path",
                CudaBackend.reason(new NoClassDefFoundError("init").initCause(linkError("JCudnn-12.6.0-linux-x86_64", "libcudnn.so.9"))));
    }

    @Test
    void driverErrorsBecomeOneLine() {
        assertEquals("no CUDA device visible (CUDA_ERROR_NO_DEVICE)",
                CudaBackend.reason(new jcuda.CudaException("CUDA_ERROR_NO_DEVICE")));
        String old = CudaBackend.reason(new IllegalStateException("loading kernels gemm.ptx failed: CUDA_ERROR_UNSUPPORTED_PTX_VERSION"));
        assertFalse(old.contains("\n"));
        assertEquals(true, old.contains("R580"));
        assertEquals("IllegalStateException: first", CudaBackend.reason(new IllegalStateException("first\nsecond")));
    }
}
