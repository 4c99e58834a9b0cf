package io.vrfm.backend;

import io.vrfm.backend.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Direct checks of primitives whose results are easy to state by hand. */
class CpuBackendTest {
    private final CpuBackend be = new CpuBackend(2);

    private Buffer buf(float... v) {
        Buffer b = be.allocate(v.length);
        be.upload(v, 0, b, 0, v.length);
        return b;
    }

    private float[] get(Buffer b, int n) {
        float[] out = new float[n];
        be.download(b, 0, out, 0, n);
        return out;
    }

    @Test
    void copy2dMovesStridedBlocks() {
        Buffer src = buf(1, 2, 3, 4, 5, 6);
        Buffer dst = be.allocate(8);
        be.fill(dst, 0, 8, 0f);
        be.copy2d(src, 1, 3, dst, 0, 4, 2, 2);
        assertArrayEquals(new float[]{2, 3, 0, 0, 5, 6, 0, 0}, get(dst, 8));
    }

    @Test
    void permuteReordersAxes() {
        Buffer x = buf(0, 1, 2, 3, 4, 5); // [2, 3]
        Buffer y = be.allocate(6);
        be.permute(x, new int[]{2, 3}, new int[]{1, 0}, y);
        assertArrayEquals(new float[]{0, 3, 1, 4, 2, 5}, get(y, 6));
    }

    @Test
    void reduceMiddleAxis() {
        Buffer x = buf(1, 2, 3, 4, 5, 6, 7, 8); // [2, 2, 2]
        Buffer y = be.allocate(4);
        be.reduce(ReduceOp.SUM, x, 2, 2, 2, y);
        assertArrayEquals(new float[]{4, 6, 12, 14}, get(y, 4));
        be.reduce(ReduceOp.MAX, x, 1, 4, 2, y);
        assertArrayEquals(new float[]{7, 8}, get(y, 2));
    }

    @Test
    void fusedFlowKernels() {
        Buffer x0 = buf(0, 0, 1, 1), x1 = buf(2, 4, 3, 5), t = buf(0.5f, 0.25f);
        Buffer xt = be.allocate(4), target = be.allocate(4);
        be.interpolate(x0, x1, t, xt, target, 2, 2);
        assertArrayEquals(new float[]{1, 2, 1.5f, 2}, get(xt, 4));
        assertArrayEquals(new float[]{2, 4, 2, 4}, get(target, 4));
        Buffer kl = be.allocate(1);
        be.gaussianKl(buf(0, 0), buf(0, 0), kl, 1, 2);
        assertEquals(0f, get(kl, 1)[0], 1e-7f);
        be.gaussianKl(buf(1, 0), buf(0, (float) Math.log(2)), kl, 1, 2);
        // 0.5*(mu^2 + sigma^2 - 1 - log sigma^2) summed: 0.5*(1) + 0.5*(2 - 1 - ln 2)
        assertEquals(0.5f + 0.5f * (1f - (float) Math.log(2)), get(kl, 1)[0], 1e-6f);
        Buffer x = buf(1, 1);
        be.eulerStep(x, buf(2, -2), 0.25f, buf(1, 1), 0.1f, 2);
        assertArrayEquals(new float[]{1.6f, 0.6f}, get(x, 2), 1e-6f);
    }

    @Test
    void gemmHonoursTransposesAlphaBetaAndBatches() {
        // A = [[1,2],[3,4]], B = [[5,6],[7,8]]
        Buffer a = buf(1, 2, 3, 4), b = buf(5, 6, 7, 8), c = buf(1, 1, 1, 1);
        be.gemm(false, false, 2, 2, 2, 1f, a, 0, 2, 0, b, 0, 2, 0, 0f, c, 0, 0, 1);
        assertArrayEquals(new float[]{19, 22, 43, 50}, get(c, 4));
        be.gemm(true, true, 2, 2, 2, 2f, a, 0, 2, 0, b, 0, 2, 0, 1f, c, 0, 0, 1);
        // A^T B^T = [[23,31],[34,46]]; 2x + previous
        assertArrayEquals(new float[]{65, 84, 111, 142}, get(c, 4));
        Buffer a2 = buf(1, 0, 0, 1, 2, 0, 0, 2), c2 = be.allocate(8);
        be.gemm(false, false, 2, 2, 2, 1f, a2, 0, 2, 4, b, 0, 2, 0, 0f, c2, 0, 4, 2);
        assertArrayEquals(new float[]{5, 6, 7, 8, 10, 12, 14, 16}, get(c2, 8));
    }
}
