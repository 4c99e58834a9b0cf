package io.vrfm.tensor;

import io.vrfm.backend.Backend;
import io.vrfm.backend.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A finite-difference gradient check for every differentiable op, including broadcasting cases. */
class OpsGradientTest {
    private final Backend be = new CpuBackend(2);
    private final Rng rng = new Rng(7);

    private Tensor randn(int... shape) {
        return Tensor.randn(be, rng, shape);
    }

    /** Values in [lo, hi]. */
    private Tensor uniform(float lo, float hi, int... shape) {
        return Tensor.rand(be, rng, shape).affine(hi - lo, lo);
    }

    @Test
    void binaryWithBroadcasting() {
        GradCheck.check("add", be, x -> x[0].add(x[1]), randn(3, 4), randn(4));
        GradCheck.check("add-col", be, x -> x[0].add(x[1]), randn(3, 4), randn(3, 1));
        GradCheck.check("sub", be, x -> x[0].sub(x[1]), randn(2, 1, 3), randn(4, 1));
        GradCheck.check("mul", be, x -> x[0].mul(x[1]), randn(2, 3, 4), randn(1, 3, 1));
        GradCheck.check("div", be, x -> x[0].div(x[1]), randn(3, 4), uniform(0.5f, 2f, 4));
        GradCheck.check("maximum", be, x -> x[0].maximum(x[1]), randn(3, 4), randn(3, 4));
        GradCheck.check("scalar-ops", be, x -> x[0].add(2f).mul(3f).sub(1f).div(2f), randn(5));
    }

    @Test
    void unaryFunctions() {
        GradCheck.check("neg", be, x -> x[0].neg(), randn(6));
        GradCheck.check("exp", be, x -> x[0].exp(), randn(6));
        GradCheck.check("log", be, x -> x[0].log(), uniform(0.5f, 3f, 6));
        GradCheck.check("sqrt", be, x -> x[0].sqrt(), uniform(0.5f, 3f, 6));
        GradCheck.check("pow", be, x -> x[0].pow(2.5f), uniform(0.5f, 2f, 6));
        GradCheck.check("square", be, x -> x[0].square(), randn(6));
        GradCheck.check("abs", be, x -> x[0].abs(), Tensor.of(be, new float[]{-0.9f, -0.4f, 0.3f, 0.8f}, 4));
        GradCheck.check("clamp", be, x -> x[0].clamp(-0.5f, 0.5f), Tensor.of(be, new float[]{-1.2f, -0.3f, 0.1f, 0.4f, 0.9f}, 5));
        GradCheck.check("relu", be, x -> x[0].relu(), Tensor.of(be, new float[]{-1.2f, -0.3f, 0.1f, 0.4f, 0.9f}, 5));
        GradCheck.check("gelu-erf", be, x -> x[0].gelu(), randn(8));
        GradCheck.check("gelu-tanh", be, x -> x[0].geluTanh(), randn(8));
        GradCheck.check("silu", be, x -> x[0].silu(), randn(8));
        GradCheck.check("sigmoid", be, x -> x[0].sigmoid(), randn(8));
        GradCheck.check("tanh", be, x -> x[0].tanh(), randn(8));
        GradCheck.check("sin", be, x -> x[0].sin(), randn(8));
        GradCheck.check("cos", be, x -> x[0].cos(), randn(8));
    }

    @Test
    void fusedAttention() {
        // [batch, heads, seq, headDim]; seq 5 and headDim 3 are odd on purpose
        GradCheck.check("attention", be, x -> NeuralOps.attention(x[0], x[1], x[2]),
                randn(2, 2, 5, 3), randn(2, 2, 5, 3), randn(2, 2, 5, 3));
        GradCheck.check("attention-scale", be, x -> NeuralOps.attention(x[0], x[1], x[2], 0.8f),
                randn(3, 4, 2), randn(3, 4, 2), randn(3, 4, 2));
    }

    @Test
    void fusedAttentionMatchesSoftmaxComposition() {
        Tensor q = randn(2, 3, 7, 4), k = randn(2, 3, 7, 4), v = randn(2, 3, 7, 4);
        float scale = 0.5f;
        float[] fused = NeuralOps.attention(q, k, v, scale).toArray();
        float[] ref = q.mul(scale).matmul(k.transpose(2, 3)).softmax().matmul(v).toArray();
        assertArrayEquals(ref, fused, 1e-5f);
        Tensor lse = Tensor.empty(be, 6, 7);
        Tensor out = Tensor.empty(be, q.shape());
        be.attention(q.buffer(), k.buffer(), v.buffer(), out.buffer(), lse.buffer(), 6, 7, 4, scale);
        float[] logits = q.mul(scale).matmul(k.transpose(2, 3)).toArray();
        float[] l = lse.toArray();
        for (int r = 0; r < 42; r++) {
            double s = 0;
            for (int j = 0; j < 7; j++) s += Math.exp(logits[r * 7 + j]);
            assertEquals(Math.log(s), l[r], 1e-5, "lse row " + r);
        }
        assertThrows(IllegalArgumentException.class, () -> NeuralOps.attention(q, k, randn(2, 3, 6, 4)));
    }

    @Test
    void reductions() {
        GradCheck.check("sum-all", be, x -> x[0].sum(), randn(3, 4));
        GradCheck.check("sum-axis", be, x -> x[0].sum(1, false), randn(2, 3, 4));
        GradCheck.check("sum-keep", be, x -> x[0].sum(new int[]{0, 2}, true), randn(2, 3, 4));
        GradCheck.check("mean", be, x -> x[0].mean(-1, true), randn(3, 5));
        GradCheck.check("max", be, x -> x[0].max(1, false), randn(3, 5));
        GradCheck.check("max-keep", be, x -> x[0].max(0, true), randn(4, 3));
    }

    @Test
    void movement() {
        GradCheck.check("reshape", be, x -> x[0].reshape(4, -1).mul(x[0].reshape(4, 3)), randn(2, 6));
        GradCheck.check("permute", be, x -> x[0].permute(2, 0, 1), randn(2, 3, 4));
        GradCheck.check("transpose", be, x -> x[0].transpose(0, 1), randn(3, 5));
        GradCheck.check("slice", be, x -> x[0].slice(1, 1, 3), randn(2, 4, 3));
        GradCheck.check("split", be, x -> {
            Tensor[] parts = x[0].split(0, 1, 2);
            return parts[0].mul(parts[1].sum(0, true));
        }, randn(3, 4));
        GradCheck.check("concat", be, x -> Tensor.concat(1, x[0], x[1]), randn(2, 3), randn(2, 2));
        GradCheck.check("expand", be, x -> x[0].expand(3, 2, 4), randn(2, 1));
        Tensor index = Tensor.of(be, new float[]{2, 0, 2, 1}, 4);
        GradCheck.check("indexSelect", be, x -> x[0].indexSelect(index), randn(3, 5));
    }

    @Test
    void matmulAndLinear() {
        GradCheck.check("matmul", be, x -> x[0].matmul(x[1]), randn(3, 4), randn(4, 5));
        GradCheck.check("matmul-batched-left", be, x -> x[0].matmul(x[1]), randn(2, 3, 4), randn(4, 2));
        GradCheck.check("bmm", be, x -> x[0].matmul(x[1]), randn(2, 3, 4), randn(2, 4, 5));
        GradCheck.check("linear", be, x -> LinearAlgebra.linear(x[0], x[1], x[2]), randn(5, 3), randn(4, 3), randn(4));
        GradCheck.check("linear-nobias", be, x -> LinearAlgebra.linear(x[0], x[1], null), randn(2, 2, 3), randn(4, 3));
    }

    @Test
    void neuralOps() {
        GradCheck.check("softmax", be, x -> x[0].softmax(), randn(3, 5));
        GradCheck.check("logSoftmax", be, x -> x[0].logSoftmax(), randn(3, 5));
        GradCheck.check("layerNorm", be, x -> NeuralOps.layerNorm(x[0], x[1], x[2], 1e-5f), randn(4, 6), randn(6), randn(6));
        GradCheck.check("layerNorm-plain", be, x -> NeuralOps.layerNorm(x[0], null, null, 1e-5f), randn(3, 5));
        GradCheck.check("groupNorm", be, x -> NeuralOps.groupNorm(x[0], 2, x[1], x[2], 1e-5f), randn(2, 4, 3, 3), randn(4), randn(4));
        GradCheck.check("conv2d", be, x -> NeuralOps.conv2d(x[0], x[1], x[2], 1, 1), randn(2, 3, 5, 5), randn(4, 3, 3, 3), randn(4));
        GradCheck.check("conv2d-stride2", be, x -> NeuralOps.conv2d(x[0], x[1], null, 2, 1), randn(1, 2, 6, 6), randn(3, 2, 3, 3));
        GradCheck.check("conv2d-1x1", be, x -> NeuralOps.conv2d(x[0], x[1], null, 1, 0), randn(2, 3, 4, 4), randn(2, 3, 1, 1));
        GradCheck.check("avgPool2d", be, x -> NeuralOps.avgPool2d(x[0], 2), randn(2, 2, 4, 6));
        GradCheck.check("upsample", be, x -> NeuralOps.upsampleNearest(x[0], 2), randn(2, 2, 3, 3));
        GradCheck.check("mse", be, x -> x[0].mse(x[1]), randn(4, 3), randn(4, 3));
        Rng fixed = new Rng(5);
        GradCheck.check("dropout", be, x -> NeuralOps.dropout(x[0], 0.3f, new Rng(fixed.seed()), true), randn(20));
    }

    @Test
    void flowKernels() {
        Tensor eps = randn(3, 4);
        GradCheck.check("reparameterize", be, x -> FlowOps.reparameterize(x[0], x[1], eps), randn(3, 4), randn(3, 4));
        GradCheck.check("gaussianKl", be, x -> FlowOps.gaussianKl(x[0], x[1]), randn(3, 4), randn(3, 4));
    }

    @Test
    void gradientsAccumulateAndGraphIsReleased() {
        Tensor w = randn(3).requiresGrad(true);
        Tensor y = w.mul(2f).sum();
        y.backward();
        assertArrayEquals(new float[]{2, 2, 2}, w.grad().toArray(), 1e-6f);
        w.mul(3f).sum().backward();
        assertArrayEquals(new float[]{5, 5, 5}, w.grad().toArray(), 1e-6f);
        assertTrue(!y.hasGraph(), "graph released after backward");
        w.zeroGrad();
        assertArrayEquals(new float[]{0, 0, 0}, w.grad().toArray(), 0f);
    }

    @Test
    void deepChainsDoNotOverflowTheStack() {
        Tensor w = Tensor.ones(be, 1).requiresGrad(true);
        Tensor x = w;
        for (int i = 0; i < 20000; i++) {
            x = x.mul(1.0f);
        }
        x.sum().backward();
        assertEquals(1f, w.grad().item(), 1e-6f);
    }

    @Test
    void noGradAndDetach() {
        Tensor w = randn(3).requiresGrad(true);
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            assertTrue(!w.mul(2f).requiresGrad());
        }
        assertTrue(!w.detach().mul(2f).requiresGrad());
        assertTrue(w.mul(2f).requiresGrad());
    }

    @Test
    void shapeErrorsNameOpAndShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> randn(3, 4).add(randn(3)));
        assertTrue(e.getMessage().contains("add") && e.getMessage().contains("[3, 4]") && e.getMessage().contains("[3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> randn(3, 4).matmul(randn(3, 4)));
        assertTrue(e.getMessage().contains("matmul") && e.getMessage().contains("[3, 4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> randn(3, 4).reshape(5, 2));
        assertTrue(e.getMessage().contains("reshape"), e.getMessage());
    }
}
