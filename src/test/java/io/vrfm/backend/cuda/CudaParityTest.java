package io.vrfm.backend.cuda;

import io.vrfm.backend.Backend;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every primitive of {@link CudaBackend} on a real GPU against the CPU reference, once with the accelerated
 * paths (cuBLAS / cuDNN where they load) and once with the hand-written fallbacks forced. Skips with the
 * one-line reason from {@link CudaBackend#probe()} when there is no usable GPU.
 */
class CudaParityTest {

    static void assumeCuda() {
        CudaBackend.Probe p = CudaBackend.probe();
        Assumptions.assumeTrue(p.available(), p.reason());
    }

    @Test
    void probeGivesOneLine() {
        CudaBackend.Probe p = CudaBackend.probe();
        String text = p.toString();
        assertFalse(text.contains("\n"), "probe must be one line: " + text);
        assertTrue(text.startsWith("CUDA"), text);
        if (!p.available()) {
            assertFalse(p.reason().isBlank());
        }
        System.out.println("[CudaParityTest] probe: " + text);
    }

    /** cuBLAS and cuDNN where they load (describe() says which). */
    @Nested
    class Accelerated extends BackendParity {
        @Override
        protected Backend create() {
            assumeCuda(); // each test skips with the probe's one-line reason
            CudaBackend b = new CudaBackend(new CudaBackend.Options(Integer.getInteger("vrfm.cuda.device", 0),
                    true, true, false));
            System.out.println("[CudaParityTest.Accelerated] " + b.describe());
            return b;
        }
    }

    /** Hand-written SGEMM and im2col convolution forced. */
    @Nested
    class Fallback extends BackendParity {
        @Override
        protected Backend create() {
            assumeCuda(); // each test skips with the probe's one-line reason
            CudaBackend b = new CudaBackend(CudaBackend.Options.fallbackOnly());
            System.out.println("[CudaParityTest.Fallback] " + b.describe());
            return b;
        }
    }

    /**
     * cuBLAS and cuDNN off, TF32 on: the hand-written TF32 tensor-core GEMM (on sm_80+; describe() says when the
     * start-up probe rejected it) for GEMMs and the im2col convolution. GEMM tolerances are TF32's.
     */
    @Nested
    class HandWrittenTf32 extends BackendParity {
        @Override
        protected Backend create() {
            assumeCuda(); // each test skips with the probe's one-line reason
            CudaBackend b = new CudaBackend(new CudaBackend.Options(Integer.getInteger("vrfm.cuda.device", 0),
                    false, false, true));
            System.out.println("[CudaParityTest.HandWrittenTf32] " + b.describe());
            return b;
        }

        @Override
        protected float gemmRtol() {
            return 2e-3f;
        }
    }
}
