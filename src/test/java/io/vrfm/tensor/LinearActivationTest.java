package io.vrfm.tensor;

import io.vrfm.backend.Backend;
import io.vrfm.backend.UnaryOp;
import io.vrfm.backend.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link LinearAlgebra#linearActivation}: finite-difference gradients, and the same bits (values and gradients) as
 * {@code linear} followed by the unary op, which it replaces in the MLPs.
 */
class LinearActivationTest {
    private final Backend be = new CpuBackend(2);
    private final Rng rng = new Rng(3);

    private Tensor randn(int... shape) {
        return Tensor.randn(be, rng, shape);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        GradCheck.check("linear+geluTanh", be, x -> LinearAlgebra.linearActivation(x[0], x[1], x[2], UnaryOp.GELU_TANH),
                randn(5, 3), randn(4, 3), randn(4));
        GradCheck.check("linear+silu-nobias", be, x -> LinearAlgebra.linearActivation(x[0], x[1], null, UnaryOp.SILU),
                randn(2, 2, 3), randn(4, 3));
    }

    @Test
    void sameBitsAsLinearThenTheUnaryOp() {
        // a batch-1000 layer of the synthetic networks (vector kernel, many tiles), a two-column output, a tiny one
        int[][] shapes = {{1000, 64, 128}, {1000, 64, 2}, {7, 5, 3}};
        for (UnaryOp act : new UnaryOp[]{UnaryOp.GELU_TANH, UnaryOp.GELU_ERF}) {
            for (int[] s : act == UnaryOp.GELU_TANH ? shapes : new int[][]{shapes[2]}) {
                Tensor x = randn(s[0], s[1]), w = randn(s[2], s[1]).mul(0.2f), b = randn(s[2]);
                w.requiresGrad(true);
                b.requiresGrad(true);
                Tensor x2 = x.copy().requiresGrad(true);
                x.requiresGrad(true);
                Tensor fused = LinearAlgebra.linearActivation(x, w, b, act);
                float[] fusedValues = fused.toArray();
                fused.sum().backward();
                float[] gx = x.grad().toArray(), gw = w.grad().toArray(), gb = b.grad().toArray();
                w.setGrad(null);
                b.setGrad(null);
                Tensor twoPasses = act == UnaryOp.GELU_TANH ? LinearAlgebra.linear(x2, w, b).geluTanh()
                        : LinearAlgebra.linear(x2, w, b).gelu();
                assertArrayEquals(twoPasses.toArray(), fusedValues, act + " values " + s[0] + "x" + s[1] + "x" + s[2]);
                twoPasses.sum().backward();
                assertArrayEquals(x2.grad().toArray(), gx, act + " dx");
                assertArrayEquals(w.grad().toArray(), gw, act + " dW");
                assertArrayEquals(b.grad().toArray(), gb, act + " db");
            }
        }
    }

    @Test
    void aComparisonIsNotAnActivation() {
        assertThrows(IllegalArgumentException.class,
                () -> LinearAlgebra.linearActivation(randn(2, 3), randn(4, 3), null, UnaryOp.GREATER_THAN));
    }
}
