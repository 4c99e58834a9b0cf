package io.vrfm.backend.cuda;

import io.vrfm.backend.Backend;
import io.vrfm.backend.BinaryOp;
import io.vrfm.backend.Buffer;
import io.vrfm.backend.ConvShape;
import io.vrfm.backend.Philox;
import io.vrfm.backend.ReduceOp;
import io.vrfm.backend.UnaryOp;
import io.vrfm.backend.cpu.CpuBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every {@link Backend} primitive of a kernel backend against {@link CpuBackend} on random inputs, compared as
 * {@code |got − ref| ≤ atol + rtol·|ref|} (llm.c's form). Subclasses supply the backend under test: the host
 * emulation of the kernels ({@link EmulatedKernelParityTest}) or a real GPU ({@link CudaParityTest}).
 * Sizes are small and odd on purpose (partial tiles, grid-stride tails, several blocks).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
abstract class BackendParity {
    static final float ATOL = 1e-5f, RTOL = 1e-4f;

    protected final CpuBackend cpu = new CpuBackend(1);
    protected Backend gpu;
    private final Random rnd = new Random(1234);

    /** The backend under test (created in a @BeforeAll of the subclass, after its availability check). */
    protected abstract Backend create() throws Exception;

    /** Tolerance factor for GEMM-based ops (TF32 paths are looser). */
    protected float gemmRtol() {
        return 2e-4f;
    }

    protected Backend gpu() throws Exception {
        if (gpu == null) {
            gpu = create();
        }
        return gpu;
    }

    @AfterAll
    void closeBackends() {
        if (gpu != null) {
            gpu.close();
        }
        cpu.close();
    }

    // ------------------------------------------------------------------ helpers

    float[] rand(int n, float lo, float hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = lo + (hi - lo) * rnd.nextFloat();
        }
        return a;
    }

    /** Both backends' buffers holding the same host data. */
    final class Pair {
        final Buffer c, g;
        final int n;

        Pair(float[] data) throws Exception {
            n = data.length;
            c = cpu.allocate(n);
            g = gpu().allocate(n);
            cpu.upload(data, 0, c, 0, n);
            gpu.upload(data, 0, g, 0, n);
        }

        float[] cpuData() {
            float[] a = new float[n];
            cpu.download(c, 0, a, 0, n);
            return a;
        }

        float[] gpuData() {
            float[] a = new float[n];
            gpu.download(g, 0, a, 0, n);
            return a;
        }

        void check(String what, float atol, float rtol) {
            assertClose(what, cpuData(), gpuData(), atol, rtol);
        }

        void check(String what) {
            check(what, ATOL, RTOL);
        }
    }

    Pair pair(float[] data) throws Exception {
        return new Pair(data);
    }

    Pair pair(int n, float lo, float hi) throws Exception {
        return new Pair(rand(n, lo, hi));
    }

    /** Output buffers start as NaN garbage on both sides, so a skipped element shows up. */
    Pair out(int n) throws Exception {
        float[] nan = new float[n];
        Arrays.fill(nan, Float.NaN);
        return new Pair(nan);
    }

    static void assertClose(String what, float[] ref, float[] got, float atol, float rtol) {
        assertEquals(ref.length, got.length, what + ": length");
        int bad = -1, nBad = 0;
        double worst = 0;
        for (int i = 0; i < ref.length; i++) {
            float r = ref[i], g = got[i];
            boolean ok = (Float.isNaN(r) && Float.isNaN(g)) || r == g || Math.abs(g - r) <= atol + rtol * Math.abs(r);
            if (!ok) {
                nBad++;
                double e = Math.abs(g - r);
                if (bad < 0 || e > worst || Double.isNaN(e)) {
                    worst = e;
                    bad = i;
                }
            }
        }
        if (bad >= 0) {
            fail(what + ": " + nBad + "/" + ref.length + " elements off; worst at [" + bad + "]: ref " + ref[bad]
                    + " got " + got[bad] + " (atol " + atol + ", rtol " + rtol + ")");
        }
    }

    // ------------------------------------------------------------------ memory and copies

    @Test
    void fillCopyAndCopy2d() throws Exception {
        Pair a = pair(1000, -1, 1);
        Pair b = out(1000);
        cpu.fill(b.c, 3, 500, 2.5f);
        gpu.fill(b.g, 3, 500, 2.5f);
        cpu.copy(a.c, 10, b.c, 600, 300);
        gpu.copy(a.g, 10, b.g, 600, 300);
        b.check("fill+copy");
        Pair d = out(600);
        cpu.copy2d(a.c, 7, 33, d.c, 5, 40, 13, 29);
        gpu.copy2d(a.g, 7, 33, d.g, 5, 40, 13, 29);
        d.check("copy2d");
    }

    @Test
    void uploadDownloadOffsets() throws Exception {
        Buffer g = gpu().allocate(100);
        float[] src = rand(100, -1, 1);
        gpu.upload(src, 10, g, 20, 50);
        float[] back = new float[60];
        gpu.download(g, 20, back, 5, 50);
        assertArrayEquals(Arrays.copyOfRange(src, 10, 60), Arrays.copyOfRange(back, 5, 55));
        gpu.release(g);
    }

    // ------------------------------------------------------------------ random

    @Test
    void randomStreams() throws Exception {
        int n = 1500;
        long seed = 0x1234_5678_9ABCL, counter = (1L << 32) - 700; // crosses the 32-bit counter boundary
        Pair u = out(n), z = out(n);
        cpu.randomUniform(u.c, n, seed, counter);
        gpu().randomUniform(u.g, n, seed, counter);
        assertArrayEquals(u.cpuData(), u.gpuData(), "uniform streams must match exactly");
        cpu.randomNormal(z.c, n, seed, counter);
        gpu.randomNormal(z.g, n, seed, counter);
        float[] zc = z.cpuData(), zg = z.gpuData();
        assertClose("normal", zc, zg, 1e-6f, 1e-6f);
        int exact = 0;
        for (int i = 0; i < n; i++) {
            exact += Float.floatToIntBits(zc[i]) == Float.floatToIntBits(zg[i]) ? 1 : 0;
        }
        assertTrue(exact >= n * 99 / 100, "normal: only " + exact + "/" + n + " bit-identical");
        if (gpu instanceof KernelBackend kb) {
            Buffer bits = kb.allocate(n);
            kb.randomBits(bits, n, seed, counter);
            float[] got = new float[n];
            kb.download(bits, 0, got, 0, n);
            for (int i = 0; i < n; i++) {
                assertEquals(Philox.bits(seed, counter + i), Float.floatToRawIntBits(got[i]), "Philox bits at " + i);
            }
            kb.release(bits);
        }
    }

    // ------------------------------------------------------------------ element-wise

    @Test
    void unaryForwardAndBackward() throws Exception {
        int n = 700;
        for (UnaryOp op : UnaryOp.values()) {
            boolean positive = op == UnaryOp.LOG || op == UnaryOp.SQRT || op == UnaryOp.POW;
            float p0 = switch (op) {
                case POW -> 2.5f;
                case CLAMP -> -0.5f;
                case AFFINE -> 1.7f;
                case GREATER_THAN -> 0.1f;
                default -> 0f;
            };
            float p1 = op == UnaryOp.CLAMP ? 0.75f : op == UnaryOp.AFFINE ? -0.3f : 0f;
            Pair x = pair(n, positive ? 0.1f : -3f, positive ? 3f : 3f);
            Pair y = out(n), gy = pair(n, -1, 1), gx = out(n);
            cpu.unary(op, x.c, y.c, n, p0, p1);
            gpu.unary(op, x.g, y.g, n, p0, p1);
            y.check("unary " + op, 2e-6f, 2e-5f);
            cpu.unaryBackward(op, x.c, y.c, gy.c, gx.c, n, p0, p1);
            gpu.unaryBackward(op, x.g, y.g, gy.g, gx.g, n, p0, p1);
            gx.check("unaryBackward " + op, 2e-6f, 5e-5f);
        }
    }

    private void binaryCase(BinaryOp op, int[] shape, int[] aShape, int[] bShape) throws Exception {
        int[] as = bcastStrides(aShape, shape), bs = bcastStrides(bShape, shape);
        int n = Arrays.stream(shape).reduce(1, (p, q) -> p * q);
        Pair a = pair(size(aShape), -2, 2), b = pair(size(bShape), 0.5f, 2);
        if (op == BinaryOp.EQUAL) { // make some equal
            float[] ad = a.cpuData();
            float[] bd = b.cpuData();
            for (int i = 0; i < bd.length; i += 3) {
                bd[i] = ad[i % ad.length];
            }
            b = pair(bd);
        }
        Pair o = out(n);
        cpu.binary(op, a.c, as, b.c, bs, o.c, shape);
        gpu.binary(op, a.g, as, b.g, bs, o.g, shape);
        o.check("binary " + op + " " + Arrays.toString(aShape) + " x " + Arrays.toString(bShape));
    }

    static int size(int[] s) {
        return Arrays.stream(s).reduce(1, (p, q) -> p * q);
    }

    /** Strides of a contiguous operand of {@code shape} broadcast to {@code out} (same rank). */
    static int[] bcastStrides(int[] shape, int[] out) {
        int[] st = KernelBackend.contiguousStrides(shape);
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == 1 && out[i] != 1) {
                st[i] = 0;
            }
        }
        return st;
    }

    @Test
    void binaryBroadcasting() throws Exception {
        gpu();
        for (BinaryOp op : BinaryOp.values()) {
            binaryCase(op, new int[] {7, 45}, new int[] {7, 45}, new int[] {7, 45});
            binaryCase(op, new int[] {7, 45}, new int[] {7, 45}, new int[] {1, 45});
            binaryCase(op, new int[] {7, 45}, new int[] {7, 1}, new int[] {1, 45});
        }
        binaryCase(BinaryOp.ADD, new int[] {3, 5, 11}, new int[] {3, 1, 11}, new int[] {1, 5, 1});
        binaryCase(BinaryOp.MUL, new int[] {}, new int[] {}, new int[] {});
        binaryCase(BinaryOp.SUB, new int[] {2, 3, 2, 2, 3, 2, 2, 5}, new int[] {2, 3, 2, 2, 3, 2, 2, 5},
                new int[] {1, 3, 1, 2, 1, 2, 1, 5});
        binaryCase(BinaryOp.DIV, new int[] {4, 1, 6}, new int[] {4, 1, 6}, new int[] {1, 1, 6});
    }

    @Test
    void reductions() throws Exception {
        gpu();
        int[][] cases = {{3, 1000, 1}, {5, 37, 1}, {4, 29, 13}, {1, 300, 1}, {2, 1, 9}, {2, 1000, 37}, {1, 70000, 1}};
        for (int[] cs : cases) {
            for (ReduceOp op : ReduceOp.values()) {
                Pair x = pair(cs[0] * cs[1] * cs[2], -2, 2), o = out(cs[0] * cs[2]);
                cpu.reduce(op, x.c, cs[0], cs[1], cs[2], o.c);
                gpu.reduce(op, x.g, cs[0], cs[1], cs[2], o.g);
                o.check("reduce " + op + " " + Arrays.toString(cs), 1e-4f, 1e-4f);
            }
        }
        if (gpu instanceof KernelBackend kb) {
            Pair x = pair(3000, -1, 1), o = out(1);
            kb.sum(x.g, 3000, 0.5f, o.g);
            double ref = 0;
            for (float v : x.cpuData()) {
                ref += v;
            }
            assertEquals(0.5 * ref, o.gpuData()[0], 1e-3, "sum");
        }
    }

    // ------------------------------------------------------------------ GEMM

    private void gemmCase(boolean ta, boolean tb, int m, int n, int k, float alpha, float beta, int batch,
                          int padA, int padB) throws Exception {
        int lda = (ta ? m : k) + padA, ldb = (tb ? k : n) + padB;
        long sa = (long) (ta ? k : m) * lda + 3, sb = (long) (tb ? n : k) * ldb + 1, sc = (long) m * n + 2;
        Pair a = pair((int) (5 + sa * batch), -1, 1), b = pair((int) (2 + sb * batch), -1, 1);
        Pair c = beta == 0 ? out((int) (4 + sc * batch)) : pair((int) (4 + sc * batch), -1, 1);
        cpu.gemm(ta, tb, m, n, k, alpha, a.c, 5, lda, sa, b.c, 2, ldb, sb, beta, c.c, 4, sc, batch);
        gpu.gemm(ta, tb, m, n, k, alpha, a.g, 5, lda, sa, b.g, 2, ldb, sb, beta, c.g, 4, sc, batch);
        float[] rc = c.cpuData(), gc = c.gpuData();
        // compare only the written blocks (gaps stay as they were; NaN on both sides when beta == 0)
        assertClose("gemm ta=" + ta + " tb=" + tb + " " + m + "x" + n + "x" + k + " batch " + batch, rc, gc,
                1e-4f, gemmRtol() * (float) Math.sqrt(k));
    }

    @Test
    void gemmAllLayouts() throws Exception {
        gpu();
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                gemmCase(ta, tb, 70, 67, 33, 1f, 0f, 1, 0, 0);
                gemmCase(ta, tb, 5, 130, 17, 0.5f, 1.5f, 3, 2, 1);
            }
        }
        gemmCase(false, false, 1, 1, 1, 2f, 0f, 1, 0, 0);
        gemmCase(false, true, 65, 64, 0, 1f, 0.5f, 1, 0, 0); // k = 0: C = beta*C
        if (gpu instanceof KernelBackend kb) { // the 128x128-tile kernel on small, ragged shapes too
            long saved = kb.gemmBigTileMin;
            kb.gemmBigTileMin = 0;
            try {
                for (boolean ta : new boolean[] {false, true}) {
                    for (boolean tb : new boolean[] {false, true}) {
                        gemmCase(ta, tb, 131, 135, 21, 1f, 0f, 1, 0, 0);
                        gemmCase(ta, tb, 7, 129, 9, 0.5f, 1.5f, 2, 1, 2);
                    }
                }
            } finally {
                kb.gemmBigTileMin = saved;
            }
        }
    }

    // ------------------------------------------------------------------ shape movement

    @Test
    void permuteGatherScatter() throws Exception {
        gpu();
        int[][] shapes = {{3, 4, 5}, {2, 3, 4, 5}, {6, 7}};
        int[][] perms = {{2, 0, 1}, {0, 2, 3, 1}, {1, 0}};
        for (int i = 0; i < shapes.length; i++) {
            int n = size(shapes[i]);
            Pair x = pair(n, -1, 1), y = out(n);
            cpu.permute(x.c, shapes[i], perms[i], y.c);
            gpu.permute(x.g, shapes[i], perms[i], y.g);
            y.check("permute " + Arrays.toString(perms[i]));
        }
        int rows = 11, cols = 37, count = 23;
        float[] idx = new float[count];
        for (int i = 0; i < count; i++) {
            idx[i] = rnd.nextInt(rows);
        }
        idx[3] = idx[7] = idx[9] = 4; // repeated rows accumulate
        Pair table = pair(rows * cols, -1, 1), index = pair(idx), o = out(count * cols);
        cpu.gatherRows(table.c, rows, cols, index.c, count, o.c);
        gpu.gatherRows(table.g, rows, cols, index.g, count, o.g);
        o.check("gatherRows");
        Pair gt = pair(new float[rows * cols]);
        cpu.scatterAddRows(o.c, index.c, count, cols, gt.c);
        gpu.scatterAddRows(o.g, index.g, count, cols, gt.g);
        gt.check("scatterAddRows");
    }

    // ------------------------------------------------------------------ NN primitives

    @Test
    void softmaxForwardBackward() throws Exception {
        gpu();
        for (boolean log : new boolean[] {false, true}) {
            for (int[] rc : new int[][] {{5, 300}, {3, 7}, {2, 1030}}) {
                int n = rc[0] * rc[1];
                Pair x = pair(n, -5, 5), y = out(n), gy = pair(n, -1, 1), gx = out(n);
                cpu.softmax(x.c, y.c, rc[0], rc[1], log);
                gpu.softmax(x.g, y.g, rc[0], rc[1], log);
                y.check("softmax log=" + log, 1e-6f, 1e-4f);
                cpu.softmaxBackward(y.c, gy.c, gx.c, rc[0], rc[1], log);
                gpu.softmaxBackward(y.g, gy.g, gx.g, rc[0], rc[1], log);
                gx.check("softmaxBackward log=" + log, 1e-5f, 1e-3f);
            }
        }
    }

    @Test
    void attentionForwardBackward() throws Exception {
        gpu();
        // {batchHeads, seq, headDim}: partial key/query tiles (seq not a multiple of 32 or of 8 rows), a head dim
        // over 32 lanes, the SiT-XL head dim 72, a single key.
        for (int[] c : new int[][] {{3, 37, 16}, {2, 70, 72}, {1, 1, 8}, {2, 9, 128}}) {
            int bh = c[0], seq = c[1], hd = c[2], n = bh * seq * hd;
            float scale = (float) (1.0 / Math.sqrt(hd));
            Pair q = pair(n, -2, 2), k = pair(n, -2, 2), v = pair(n, -1, 1), o = out(n), lse = out(bh * seq);
            cpu.attention(q.c, k.c, v.c, o.c, lse.c, bh, seq, hd, scale);
            gpu.attention(q.g, k.g, v.g, o.g, lse.g, bh, seq, hd, scale);
            String what = "attention " + Arrays.toString(c);
            o.check(what, 1e-5f, 1e-4f);
            lse.check(what + " lse", 1e-5f, 1e-5f);
            Pair go = pair(n, -1, 1), gq = out(n), gk = out(n), gv = out(n);
            cpu.attentionBackward(q.c, k.c, v.c, o.c, lse.c, go.c, gq.c, gk.c, gv.c, bh, seq, hd, scale);
            gpu.attentionBackward(q.g, k.g, v.g, o.g, lse.g, go.g, gq.g, gk.g, gv.g, bh, seq, hd, scale);
            gq.check(what + " gq", 1e-5f, 1e-3f);
            gk.check(what + " gk", 1e-5f, 1e-3f);
            gv.check(what + " gv", 1e-5f, 1e-3f);
        }
    }

    @Test
    void layerNormForwardBackward() throws Exception {
        gpu();
        for (boolean affine : new boolean[] {true, false}) {
            int rows = affine ? 150 : 6, cols = affine ? 45 : 333; // 150 rows: three row chunks for gGamma/gBeta
            Pair x = pair(rows * cols, -2, 3), y = out(rows * cols), mean = out(rows), rstd = out(rows);
            Pair gamma = affine ? pair(cols, 0.5f, 1.5f) : null, beta = affine ? pair(cols, -1, 1) : null;
            cpu.layerNorm(x.c, affine ? gamma.c : null, affine ? beta.c : null, y.c, mean.c, rstd.c, rows, cols, 1e-5f);
            gpu.layerNorm(x.g, affine ? gamma.g : null, affine ? beta.g : null, y.g, mean.g, rstd.g, rows, cols, 1e-5f);
            y.check("layerNorm", 1e-4f, 1e-4f);
            mean.check("layerNorm mean", 1e-5f, 1e-4f);
            rstd.check("layerNorm rstd", 1e-5f, 1e-4f);
            Pair gy = pair(rows * cols, -1, 1), gx = out(rows * cols);
            Pair gg = affine ? out(cols) : null, gb = affine ? out(cols) : null;
            cpu.layerNormBackward(x.c, affine ? gamma.c : null, mean.c, rstd.c, gy.c, gx.c,
                    affine ? gg.c : null, affine ? gb.c : null, rows, cols);
            gpu.layerNormBackward(x.g, affine ? gamma.g : null, mean.g, rstd.g, gy.g, gx.g,
                    affine ? gg.g : null, affine ? gb.g : null, rows, cols);
            gx.check("layerNormBackward gx", 1e-4f, 1e-3f);
            if (affine) {
                gg.check("layerNormBackward gGamma", 1e-4f, 1e-3f);
                gb.check("layerNormBackward gBeta", 1e-4f, 1e-3f);
            }
        }
    }

    @Test
    void groupNormForwardBackward() throws Exception {
        gpu();
        for (boolean affine : new boolean[] {true, false}) {
            int n = 2, c = 6, hw = 45, groups = 3, total = n * c * hw;
            Pair x = pair(total, -2, 3), y = out(total), mean = out(n * groups), rstd = out(n * groups);
            Pair gamma = affine ? pair(c, 0.5f, 1.5f) : null, beta = affine ? pair(c, -1, 1) : null;
            cpu.groupNorm(x.c, affine ? gamma.c : null, affine ? beta.c : null, y.c, mean.c, rstd.c, n, c, hw, groups, 1e-5f);
            gpu.groupNorm(x.g, affine ? gamma.g : null, affine ? beta.g : null, y.g, mean.g, rstd.g, n, c, hw, groups, 1e-5f);
            y.check("groupNorm", 1e-4f, 1e-4f);
            Pair gy = pair(total, -1, 1), gx = out(total);
            Pair gg = affine ? out(c) : null, gb = affine ? out(c) : null;
            cpu.groupNormBackward(x.c, affine ? gamma.c : null, mean.c, rstd.c, gy.c, gx.c,
                    affine ? gg.c : null, affine ? gb.c : null, n, c, hw, groups);
            gpu.groupNormBackward(x.g, affine ? gamma.g : null, mean.g, rstd.g, gy.g, gx.g,
                    affine ? gg.g : null, affine ? gb.g : null, n, c, hw, groups);
            gx.check("groupNormBackward gx", 1e-4f, 1e-3f);
            if (affine) {
                gg.check("groupNormBackward gGamma", 1e-4f, 1e-3f);
                gb.check("groupNormBackward gBeta", 1e-4f, 1e-3f);
            }
        }
    }

    @Test
    void convolutions() throws Exception {
        gpu();
        ConvShape[] shapes = {
            new ConvShape(2, 3, 9, 8, 4, 3, 3, 1, 1),
            new ConvShape(2, 2, 9, 9, 3, 3, 3, 2, 0),
            new ConvShape(3, 5, 4, 6, 2, 1, 1, 1, 0),
            new ConvShape(1, 2, 7, 7, 3, 4, 2, 2, 1),
            new ConvShape(2, 9, 6, 7, 16, 3, 3, 1, 1), // the CPU's shifted-window path in all three passes
        };
        for (ConvShape s : shapes) {
            float tol = gemmRtol() * 10;
            Pair x = pair((int) s.inputSize(), -1, 1), w = pair((int) s.weightSize(), -1, 1);
            Pair y = out((int) s.outputSize());
            cpu.conv2d(x.c, w.c, y.c, s);
            gpu.conv2d(x.g, w.g, y.g, s);
            y.check("conv2d " + s, 1e-4f, tol);
            Pair gy = pair((int) s.outputSize(), -1, 1), gx = out((int) s.inputSize()), gw = out((int) s.weightSize());
            cpu.conv2dBackwardData(gy.c, w.c, gx.c, s);
            gpu.conv2dBackwardData(gy.g, w.g, gx.g, s);
            gx.check("conv2dBackwardData " + s, 1e-4f, tol);
            cpu.conv2dBackwardFilter(x.c, gy.c, gw.c, s);
            gpu.conv2dBackwardFilter(x.g, gy.g, gw.g, s);
            gw.check("conv2dBackwardFilter " + s, 1e-4f, tol);
        }
    }

    @Test
    void poolingAndUpsampling() throws Exception {
        gpu();
        int planes = 3, h = 7, w = 9, k = 2;
        Pair x = pair(planes * h * w, -1, 1), y = out(planes * (h / k) * (w / k));
        cpu.avgPool2d(x.c, y.c, planes, h, w, k);
        gpu.avgPool2d(x.g, y.g, planes, h, w, k);
        y.check("avgPool2d");
        Pair gx = out(planes * h * w);
        cpu.avgPool2dBackward(y.c, gx.c, planes, h, w, k);
        gpu.avgPool2dBackward(y.g, gx.g, planes, h, w, k);
        gx.check("avgPool2dBackward");
        int f = 3;
        Pair u = out(planes * h * f * w * f);
        cpu.upsampleNearest(x.c, u.c, planes, h, w, f);
        gpu.upsampleNearest(x.g, u.g, planes, h, w, f);
        u.check("upsampleNearest");
        Pair gu = pair(planes * h * f * w * f, -1, 1), gxu = out(planes * h * w);
        cpu.upsampleNearestBackward(gu.c, gxu.c, planes, h, w, f);
        gpu.upsampleNearestBackward(gu.g, gxu.g, planes, h, w, f);
        gxu.check("upsampleNearestBackward");
    }

    // ------------------------------------------------------------------ losses and fused flow kernels

    @Test
    void mseForwardBackward() throws Exception {
        gpu();
        for (int n : new int[] {1, 777, 9000}) {
            Pair a = pair(n, -1, 1), b = pair(n, -1, 1), o = out(1), g = pair(new float[] {0.7f}), ga = out(n);
            cpu.mse(a.c, b.c, o.c, n);
            gpu.mse(a.g, b.g, o.g, n);
            o.check("mse n=" + n, 1e-6f, 1e-4f);
            cpu.mseBackward(a.c, b.c, g.c, ga.c, n);
            gpu.mseBackward(a.g, b.g, g.g, ga.g, n);
            ga.check("mseBackward n=" + n);
        }
    }

    @Test
    void fusedFlowKernels() throws Exception {
        gpu();
        int rows = 9, cols = 77, n = rows * cols;
        Pair mu = pair(n, -1, 1), lv = pair(n, -2, 1), eps = pair(n, -2, 2), z = out(n);
        cpu.reparameterize(mu.c, lv.c, eps.c, z.c, n);
        gpu.reparameterize(mu.g, lv.g, eps.g, z.g, n);
        z.check("reparameterize");
        Pair gz = pair(n, -1, 1), gm = out(n), gl = out(n);
        cpu.reparameterizeBackward(lv.c, eps.c, gz.c, gm.c, gl.c, n);
        gpu.reparameterizeBackward(lv.g, eps.g, gz.g, gm.g, gl.g, n);
        gm.check("reparameterizeBackward gMu");
        gl.check("reparameterizeBackward gLogvar");

        Pair kl = out(rows);
        cpu.gaussianKl(mu.c, lv.c, kl.c, rows, cols);
        gpu.gaussianKl(mu.g, lv.g, kl.g, rows, cols);
        kl.check("gaussianKl", 1e-4f, 1e-4f);
        Pair gk = pair(rows, -1, 1), gm2 = out(n), gl2 = out(n);
        cpu.gaussianKlBackward(mu.c, lv.c, gk.c, gm2.c, gl2.c, rows, cols);
        gpu.gaussianKlBackward(mu.g, lv.g, gk.g, gm2.g, gl2.g, rows, cols);
        gm2.check("gaussianKlBackward gMu");
        gl2.check("gaussianKlBackward gLogvar");

        Pair x0 = pair(n, -1, 1), x1 = pair(n, -1, 1), t = pair(rows, 0, 1), xt = out(n), tg = out(n);
        cpu.interpolate(x0.c, x1.c, t.c, xt.c, tg.c, rows, cols);
        gpu.interpolate(x0.g, x1.g, t.g, xt.g, tg.g, rows, cols);
        xt.check("interpolate xt");
        tg.check("interpolate target");

        Pair x = pair(n, -1, 1), v = pair(n, -1, 1), noise = pair(n, -1, 1);
        cpu.eulerStep(x.c, v.c, 0.05f, null, 3f, n);
        gpu.eulerStep(x.g, v.g, 0.05f, null, 3f, n);
        x.check("eulerStep");
        cpu.eulerStep(x.c, v.c, -0.1f, noise.c, 0.3f, n);
        gpu.eulerStep(x.g, v.g, -0.1f, noise.g, 0.3f, n);
        x.check("eulerStep with noise");
    }

    @Test
    void adamw() throws Exception {
        gpu();
        int n = 1001;
        Pair p = pair(n, -1, 1), m = pair(new float[n]), v = pair(new float[n]);
        for (int step = 1; step <= 3; step++) {
            Pair g = pair(n, -1, 1);
            cpu.adamwStep(p.c, g.c, m.c, v.c, n, 1e-2f, 0.9f, 0.999f, 1e-8f, 0.01f, step);
            gpu.adamwStep(p.g, g.g, m.g, v.g, n, 1e-2f, 0.9f, 0.999f, 1e-8f, 0.01f, step);
        }
        p.check("adamw param", 1e-6f, 1e-5f);
        m.check("adamw m", 1e-6f, 1e-5f);
        v.check("adamw v", 1e-7f, 1e-5f);
    }

    @Test
    void allocatorReusesBlocks() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(gpu() instanceof KernelBackend,
                "the backend under test has no device allocator: " + gpu().getClass().getSimpleName());
        KernelBackend kb = (KernelBackend) gpu();
        for (int i = 0; i < 3; i++) { // warm the pool
            Buffer a = kb.allocate(1000), b = kb.allocate(4000);
            kb.release(a);
            kb.release(b);
        }
        long before = kb.deviceMallocs();
        for (int i = 0; i < 50; i++) {
            // same sizes each step (a training loop); bucketed devices would also reuse for nearby sizes
            Buffer a = kb.allocate(1000), b = kb.allocate(4000);
            kb.release(b);
            kb.release(a);
        }
        assertEquals(before, kb.deviceMallocs(), "steady state must not call the device malloc: " + kb.allocatorStats());
    }
}
