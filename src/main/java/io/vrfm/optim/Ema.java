package io.vrfm.optim;

import io.vrfm.tensor.GradMode;
import io.vrfm.tensor.Tensor;
import io.vrfm.tensor.TensorScope;

import java.util.LinkedHashMap;
import java.util.Map;

/** Exponential moving average of parameters: {@code shadow ← decay·shadow + (1 − decay)·param}. */
public final class Ema {
    private final Map<String, Tensor> params;
    private final Map<String, Tensor> shadow = new LinkedHashMap<>();
    private final float decay;

    public Ema(Map<String, Tensor> namedParams, float decay) {
        if (decay < 0f || decay > 1f) {
            throw new IllegalArgumentException("EMA decay " + decay + " must be in [0, 1]");
        }
        this.params = new LinkedHashMap<>(namedParams);
        this.decay = decay;
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            shadow.put(e.getKey(), TensorScope.persist(e.getValue().copy()));
        }
    }

    public float decay() {
        return decay;
    }

    public void update() {
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            for (Map.Entry<String, Tensor> e : params.entrySet()) {
                Tensor s = shadow.get(e.getKey());
                Tensor next = s.mul(decay).add(e.getValue().mul(1f - decay));
                s.backend().copy(next.buffer(), 0, s.buffer(), 0, s.size());
            }
        }
    }

    /** The averaged parameters by name (live tensors: copy before modifying). */
    public Map<String, Tensor> shadow() {
        return shadow;
    }

    /** Swaps model and averaged values in place (call twice to swap back), for evaluating the EMA model. */
    public void swap() {
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            Tensor p = e.getValue(), s = shadow.get(e.getKey());
            Tensor tmp = p.copy();
            p.backend().copy(s.buffer(), 0, p.buffer(), 0, p.size());
            p.backend().copy(tmp.buffer(), 0, s.buffer(), 0, s.size());
        }
    }
}
