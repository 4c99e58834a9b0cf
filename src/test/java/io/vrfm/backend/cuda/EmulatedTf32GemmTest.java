package io.vrfm.backend.cuda;

import io.vrfm.backend.cpu.Sgemm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The TF32 tensor-core GEMM ({@code kernels/gemm_tf32.cu}, launched by {@link Tf32Gemm}) under host emulation, where
 * {@code cuda_emu.h} provides the WMMA fragment operations: against the CPU SGEMM with a TF32-aware tolerance
 * ({@code 1e-3 · |alpha| · Σ|a·b|}, TF32 keeps 10 mantissa bits: each product is within 2^-10 relative), and against
 * an exact TF32 reference (inputs rounded to nearest, ties away, then summed) within FP32 accumulation error, which
 * fails if the kernel does not round. All transposes, sizes that are not multiples of 16 or 64, padded leading
 * dimensions and batch strides, alpha/beta with beta 0 over NaN, and the batch-stride loop (grid capped at 2).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmulatedTf32GemmTest {
    private EmuDevice device;
    private final Random rnd = new Random(7);

    @BeforeAll
    void start() throws Exception {
        String reason = EmuDevice.unavailableReason();
        Assumptions.assumeTrue(reason == null, reason);
        device = EmuDevice.start();
    }

    @AfterAll
    void stop() {
        if (device != null) {
            device.close();
        }
    }

    /** {@code cvt.rna.tf32.f32}: round to nearest, ties away from zero, to 10 mantissa bits. */
    static float tf32(float x) {
        int u = Float.floatToRawIntBits(x);
        if ((u & 0x7f800000) != 0x7f800000) {
            u = (u + 0x1000) & 0xffffe000;
        }
        return Float.intBitsToFloat(u);
    }

    @Test
    void roundingIsToNearestTiesAwayWithTenMantissaBits() {
        assertEquals(1f, tf32(1f + 0x1p-12f), "below half an ulp (2^-10) rounds down");
        assertEquals(1f + 0x1p-10f, tf32(1f + 0x1p-11f), "a tie rounds away from zero");
        assertEquals(-(1f + 0x1p-10f), tf32(-(1f + 0x1p-11f)), "ties away from zero for negatives too");
        assertEquals(1f + 0x1p-10f, tf32(1f + 0x1p-11f + 0x1p-20f));
        assertTrue(Float.isNaN(tf32(Float.NaN)));
        assertEquals(Float.POSITIVE_INFINITY, tf32(Float.POSITIVE_INFINITY));
    }

    /** Runs one batched GEMM on the emulated kernel and checks it against both references. */
    private void gemmCase(boolean ta, boolean tb, int m, int n, int k, float alpha, float beta, int batch, int pad,
                          int maxGrid) {
        int lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad;
        int sa = (ta ? k : m) * lda + 3, sb = (tb ? n : k) * ldb + 1, sc = m * n + 2;
        String label = "tf32 gemm ta=" + ta + " tb=" + tb + " " + m + "x" + n + "x" + k + " batch " + batch
                + " alpha " + alpha + " beta " + beta + " pad " + pad;
        float[] a = rand(sa * batch), b = rand(sb * batch), c = rand(sc * batch);
        if (beta == 0f) {
            Arrays.fill(c, Float.NaN);
        }
        long da = device.malloc(4L * a.length), db = device.malloc(4L * b.length), dc = device.malloc(4L * c.length);
        float[] got = new float[c.length];
        try {
            device.upload(a, 0, da, a.length);
            device.upload(b, 0, db, b.length);
            device.upload(c, 0, dc, c.length);
            Tf32Gemm g = new Tf32Gemm(device);
            g.maxGrid = maxGrid;
            g.gemm(ta, tb, m, n, k, alpha, da, lda, sa, db, ldb, sb, beta, dc, sc, batch);
            device.download(dc, got, 0, got.length);
        } finally {
            device.free(da);
            device.free(db);
            device.free(dc);
        }
        float[] absA = abs(a), absB = abs(b);
        double worstFp32Gap = 0, worstScale = 0;
        for (int z = 0; z < batch; z++) {
            float[] ref = new float[m * n], mag = new float[m * n];
            Sgemm.sgemm(ta, tb, m, n, k, 1f, a, z * sa, lda, b, z * sb, ldb, 0f, ref, 0, n, null);
            Sgemm.sgemm(ta, tb, m, n, k, 1f, absA, z * sa, lda, absB, z * sb, ldb, 0f, mag, 0, n, null);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double exact = 0;
                    for (int p = 0; p < k; p++) {
                        float av = ta ? a[z * sa + p * lda + i] : a[z * sa + i * lda + p];
                        float bv = tb ? b[z * sb + j * ldb + p] : b[z * sb + p * ldb + j];
                        exact += (double) tf32(av) * tf32(bv);
                    }
                    int e = z * sc + i * n + j;
                    double cOld = beta == 0f ? 0 : (double) beta * c[e];
                    double scale = Math.abs(alpha) * mag[i * n + j];
                    double sgemm = alpha * (double) ref[i * n + j] + cOld;
                    double tf32ref = alpha * exact + cOld;
                    float g = got[e];
                    // TF32 against FP32: each product within 2^-10 relative (both inputs within 2^-11)
                    assertTrue(Math.abs(g - sgemm) <= 1e-3 * scale + 1e-6 * Math.abs(cOld) + 1e-6,
                            label + ": C[" + z + "][" + i + "," + j + "] = " + g + ", CPU SGEMM " + sgemm + " (TF32 tolerance " + 1e-3 * scale + ")");
                    // exact TF32 inputs, FP32 accumulation over k
                    assertTrue(Math.abs(g - tf32ref) <= (k + 2) * 0x1p-23 * scale + 1e-6 * Math.abs(cOld) + 1e-6,
                            label + ": C[" + z + "][" + i + "," + j + "] = " + g + ", TF32 reference " + tf32ref);
                    worstFp32Gap = Math.max(worstFp32Gap, Math.abs(tf32ref - sgemm));
                    worstScale = Math.max(worstScale, scale);
                }
            }
            for (int e = z * sc + m * n; e < (z + 1) * sc; e++) {
                assertEquals(Float.floatToRawIntBits(c[e]), Float.floatToRawIntBits(got[e]), label + ": wrote past C at " + e);
            }
        }
        if (k >= 16) { // the inputs must tell TF32 from FP32, or the exact-reference check proves nothing
            assertTrue(worstFp32Gap > 20 * (k + 2) * 0x1p-23 * worstScale / Math.max(1, m * n) || worstFp32Gap > 1e-4,
                    label + ": TF32 and FP32 references differ by only " + worstFp32Gap);
        }
    }

    private float[] rand(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = 2 * rnd.nextFloat() - 1;
        }
        return x;
    }

    private static float[] abs(float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.abs(x[i]);
        }
        return y;
    }

    @Test
    void allTransposesRaggedSizesAcrossTiles() {
        for (int t = 0; t < 4; t++) {
            boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
            gemmCase(ta, tb, 66, 65, 21, 1f, 0f, 1, t, KernelBackend.MAX_GRID); // 2 x 2 tiles, 2 K slices (last ragged)
        }
        gemmCase(false, true, 5, 130, 17, 0.5f, 1.5f, 3, 2, 2);                 // batch loop, padded lds, beta
        gemmCase(true, false, 9, 7, 19, -0.5f, 0f, 3, 1, 1);
        gemmCase(false, false, 16, 16, 8, -1f, 0f, 1, 0, KernelBackend.MAX_GRID); // exactly one fragment step
        gemmCase(false, false, 1, 1, 1, 2f, 0f, 1, 0, KernelBackend.MAX_GRID);
        gemmCase(true, false, 3, 1, 100, 1f, -1f, 2, 1, 1);
    }

    @Test
    void startUpProbeAcceptsTheKernelAndRejectsABrokenPath() throws Exception {
        PathProbes.gemm(device, new Tf32Gemm(device));
        PathProbes.gemm(device, new KernelBackend(device, "emu")::gemmKernel);
        GemmPath stub = (ta, tb, m, n, k, alpha, a, lda, sa, b, ldb, sb, beta, c, sc, batch) -> { }; // the < sm_80 stub
        PathChoice.Unusable e = assertThrows(PathChoice.Unusable.class, () -> PathProbes.gemm(device, stub));
        assertTrue(e.getMessage().startsWith("probe GEMM (3x5x4, batch 2, B transposed) gave NaN instead of "), e.getMessage());
    }
}
