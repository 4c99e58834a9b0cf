package io.vrfm.backend.cuda;

import io.vrfm.backend.Backend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.AfterEach;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CUDA kernels of {@code kernels/*.cu}, compiled with g++ under {@code src/test/cuda/cuda_emu.h} and driven by
 * the real host code ({@link KernelBackend}: the same launch shapes, arguments and workspaces the GPU gets),
 * against the CPU reference. No GPU needed; skipped with a reason when g++ is missing. After a full run it
 * checks that every kernel declared in {@code kernels/*.cu} was launched at least once.
 */
class EmulatedKernelParityTest extends BackendParity {
    private int passed;

    @BeforeAll
    void needCompiler() {
        String reason = EmuDevice.unavailableReason();
        Assumptions.assumeTrue(reason == null, reason);
    }

    @Override
    protected Backend create() throws Exception {
        return new KernelBackend(EmuDevice.start(), "cuda-emu");
    }

    /**
     * The conv fallback (im2col) on the TF32 tensor-core GEMM ({@code vrfm_sgemm_tf32}) against the CPU, with a TF32
     * tolerance per element: {@code 1e-3 · Σ|x·w|}, that sum computed by the CPU convolution of the absolute values.
     * (Its GEMM is tested alone in {@link EmulatedTf32GemmTest}.)
     */
    @org.junit.jupiter.api.Test
    void convolutionsOnTheTf32TensorCoreGemm() throws Exception {
        KernelBackend tf32 = new KernelBackend(EmuDevice.start(), "cuda-emu-tf32") {
            private final Tf32Gemm gemm = new Tf32Gemm(device);

            @Override
            protected void gemmRaw(boolean transA, boolean transB, int m, int n, int k, float alpha, long a, int lda,
                                   long strideA, long b, int ldb, long strideB, float beta, long c, long strideC, int batch) {
                if (k == 0) {
                    super.gemmRaw(transA, transB, m, n, k, alpha, a, lda, strideA, b, ldb, strideB, beta, c, strideC, batch);
                } else {
                    gemm.gemm(transA, transB, m, n, k, alpha, a, lda, strideA, b, ldb, strideB, beta, c, strideC, batch);
                }
            }
        };
        io.vrfm.backend.cpu.CpuBackend cpu = new io.vrfm.backend.cpu.CpuBackend(1);
        java.util.Random rnd = new java.util.Random(11);
        try {
            for (io.vrfm.backend.ConvShape s : new io.vrfm.backend.ConvShape[] {
                new io.vrfm.backend.ConvShape(2, 3, 9, 8, 4, 3, 3, 1, 1), new io.vrfm.backend.ConvShape(1, 2, 7, 7, 3, 4, 2, 2, 1)}) {
                float[] x = new float[(int) s.inputSize()], w = new float[(int) s.weightSize()], gy = new float[(int) s.outputSize()];
                for (float[] a : new float[][] {x, w, gy}) {
                    for (int i = 0; i < a.length; i++) {
                        a[i] = 2 * rnd.nextFloat() - 1;
                    }
                }
                String[] pass = {"forward", "backward-data", "backward-filter"};
                for (int p = 0; p < 3; p++) {
                    float[] in1 = p == 2 ? x : p == 1 ? gy : x, in2 = p == 0 ? w : p == 1 ? w : gy;
                    int outLen = (int) (p == 0 ? s.outputSize() : p == 1 ? s.inputSize() : s.weightSize());
                    float[] want = tf32ConvOn(cpu, p, s, in1, in2, outLen, false), mag = tf32ConvOn(cpu, p, s, in1, in2, outLen, true);
                    float[] got = tf32ConvOn(tf32, p, s, in1, in2, outLen, false);
                    for (int i = 0; i < outLen; i++) {
                        assertTrue(Math.abs(got[i] - want[i]) <= 1e-3f * mag[i] + 1e-6f,
                                "TF32 conv " + pass[p] + " " + s + " at " + i + ": " + got[i] + " vs CPU " + want[i]
                                        + " (tolerance " + 1e-3f * mag[i] + ")");
                    }
                }
            }
        } finally {
            tf32.close();
            cpu.close();
        }
    }

    /** Pass p (0 forward, 1 backward data, 2 backward filter) of a conv on backend b; with abs, of |in1| and |in2|. */
    private static float[] tf32ConvOn(io.vrfm.backend.Backend b, int p, io.vrfm.backend.ConvShape s, float[] in1,
                                      float[] in2, int outLen, boolean abs) {
        float[] a1 = in1.clone(), a2 = in2.clone();
        if (abs) {
            for (int i = 0; i < a1.length; i++) {
                a1[i] = Math.abs(a1[i]);
            }
            for (int i = 0; i < a2.length; i++) {
                a2[i] = Math.abs(a2[i]);
            }
        }
        io.vrfm.backend.Buffer b1 = b.allocate(a1.length), b2 = b.allocate(a2.length), out = b.allocate(outLen);
        b.upload(a1, 0, b1, 0, a1.length);
        b.upload(a2, 0, b2, 0, a2.length);
        switch (p) {
            case 0 -> b.conv2d(b1, b2, out, s);
            case 1 -> b.conv2dBackwardData(b1, b2, out, s);
            default -> b.conv2dBackwardFilter(b1, b2, out, s);
        }
        float[] r = new float[outLen];
        b.download(out, 0, r, 0, outLen);
        return r;
    }

    @AfterEach
    void count(TestInfo info) {
        passed++;
    }

    @AfterAll
    void everyKernelLaunched() throws Exception {
        long tests = java.util.Arrays.stream(BackendParity.class.getDeclaredMethods())
                .filter(m -> m.isAnnotationPresent(org.junit.jupiter.api.Test.class)).count();
        if (passed < tests) {
            return; // a filtered run: coverage is only meaningful for the whole class
        }
        List<String> missing = new ArrayList<>(EmuDevice.declaredKernels());
        missing.removeAll(EmuDevice.LAUNCHED);
        assertTrue(missing.isEmpty(), "kernels never launched by the parity tests: " + missing);
    }
}
