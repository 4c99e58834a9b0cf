package io.vrfm.tensor;

import io.vrfm.backend.Backend;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Finite-difference gradient check: compares autograd gradients of {@code L = Σ w·f(inputs)} (random fixed
 * weights {@code w}) with central differences, element by element, within {@code atol + rtol·|ref|}.
 */
public final class GradCheck {
    private GradCheck() {
    }

    public static void check(String name, Backend be, Function<Tensor[], Tensor> f, Tensor... inputs) {
        check(name, be, f, 1e-2f, 3e-3, 3e-2, inputs);
    }

    public static void check(String name, Backend be, Function<Tensor[], Tensor> f, float h, double atol, double rtol,
                             Tensor... inputs) {
        for (Tensor t : inputs) {
            t.requiresGrad(true);
            t.setGrad(null);
        }
        Tensor probe;
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            probe = f.apply(inputs);
        }
        Tensor weights = Tensor.randn(be, new Rng(99), probe.shape());
        Tensor loss = f.apply(inputs).mul(weights).sum();
        loss.backward();
        float[] w = weights.toArray();
        for (int idx = 0; idx < inputs.length; idx++) {
            Tensor in = inputs[idx];
            if (in.grad() == null) {
                fail(name + ": input " + idx + " got no gradient");
            }
            float[] analytic = in.grad().toArray();
            float[] values = in.toArray();
            for (int e = 0; e < values.length; e++) {
                double plus = evaluate(be, f, inputs, idx, values, e, values[e] + h, w);
                double minus = evaluate(be, f, inputs, idx, values, e, values[e] - h, w);
                double numeric = (plus - minus) / (2.0 * h);
                double err = Math.abs(numeric - analytic[e]);
                if (err > atol + rtol * Math.abs(numeric)) {
                    fail(String.format("%s: d/d input%d[%d] analytic %.6g vs numeric %.6g (shape %s)", name, idx, e,
                            analytic[e], numeric, in.shapeString()));
                }
            }
            be.upload(values, 0, in.buffer(), 0, values.length);
        }
    }

    private static double evaluate(Backend be, Function<Tensor[], Tensor> f, Tensor[] inputs, int idx, float[] values,
                                   int e, float v, float[] w) {
        float old = values[e];
        values[e] = v;
        be.upload(values, 0, inputs[idx].buffer(), 0, values.length);
        values[e] = old;
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            float[] out = f.apply(inputs).toArray();
            double s = 0;
            for (int q = 0; q < out.length; q++) {
                s += (double) out[q] * w[q];
            }
            return s;
        }
    }
}
