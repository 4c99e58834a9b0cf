package io.vrfm.nn;

import io.vrfm.tensor.Tensor;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The formula weights of {@code fixtures/inception/make_fixture.py} (its {@code weight_values}): every tensor is a
 * 32-bit hash of its name and element index mapped to [−1, 1), scaled per kind of tensor, so the golden fixture needs
 * no stored weights. Exactly representable in float32 on both sides.
 */
public final class InceptionFormulaWeights {
    private InceptionFormulaWeights() {
    }

    static float[] uniform(String name, int n) {
        int seed = 0x811C9DC5;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            seed = (seed ^ (b & 0xff)) * 0x01000193;
        }
        float[] u = new float[n];
        for (int i = 0; i < n; i++) {
            int h = (i * 0x9E3779B1) ^ seed;
            h ^= h >>> 16;
            h *= 0x85EBCA6B;
            h ^= h >>> 13;
            h *= 0xC2B2AE35;
            h ^= h >>> 16;
            u[i] = (h >>> 8) / (float) (1 << 23) - 1f;
        }
        return u;
    }

    public static float[] values(String name, int[] shape) {
        int n = 1;
        for (int s : shape) n *= s;
        float[] u = uniform(name, n);
        if (name.endsWith("running_var")) {
            for (int i = 0; i < n; i++) u[i] = 1f + 0.5f * u[i];
        } else if (name.endsWith("bn.weight")) {
            for (int i = 0; i < n; i++) u[i] = 1f + 0.25f * u[i];
        } else if (name.endsWith("bn.bias") || name.endsWith("running_mean") || name.equals("fc.bias")) {
            for (int i = 0; i < n; i++) u[i] = 0.25f * u[i];
        } else {
            float scale = (float) Math.sqrt(6.0 / (n / shape[0]));
            for (int i = 0; i < n; i++) u[i] = u[i] * scale;
        }
        return u;
    }

    /** Sets every parameter of {@code net} to its formula value. */
    public static void fill(Module net) {
        for (Map.Entry<String, Tensor> e : net.namedParameters().entrySet()) {
            float[] v = values(e.getKey(), e.getValue().shape());
            e.getValue().backend().upload(v, 0, e.getValue().buffer(), 0, v.length);
        }
    }

    /** The formula weights of every parameter of {@code net}, by name (for writing a weights file). */
    public static Map<String, Tensor> asTensors(Module net) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : net.namedParameters().entrySet()) {
            out.put(e.getKey(), Tensor.of(e.getValue().backend(), values(e.getKey(), e.getValue().shape()), e.getValue().shape()));
        }
        return out;
    }
}
