package io.vrfm.optim;

import io.vrfm.tensor.Tensor;
import io.vrfm.tensor.TensorScope;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam with decoupled weight decay (Loshchilov &amp; Hutter), one fused backend kernel per parameter tensor.
 * With {@code weightDecay = 0} it is plain Adam. Moments are kept by parameter name for checkpointing.
 */
public final class AdamW {
    private final Map<String, Tensor> params;
    private final Map<String, Tensor> m = new LinkedHashMap<>();
    private final Map<String, Tensor> v = new LinkedHashMap<>();
    private float lr;
    private final float beta1, beta2, eps, weightDecay;
    private int step;

    public AdamW(Map<String, Tensor> namedParams, float lr, float beta1, float beta2, float eps, float weightDecay) {
        this.params = new LinkedHashMap<>(namedParams);
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            m.put(e.getKey(), TensorScope.persist(e.getValue().zerosLike()));
            v.put(e.getKey(), TensorScope.persist(e.getValue().zerosLike()));
        }
    }

    /** PyTorch's defaults: betas (0.9, 0.999), eps 1e-8, weight decay 0.01. */
    public static AdamW withDefaults(Map<String, Tensor> namedParams, float lr) {
        return new AdamW(namedParams, lr, 0.9f, 0.999f, 1e-8f, 0.01f);
    }

    /** Plain Adam (no weight decay), as torchcfm's CIFAR-10 recipe. */
    public static AdamW adam(Map<String, Tensor> namedParams, float lr) {
        return new AdamW(namedParams, lr, 0.9f, 0.999f, 1e-8f, 0f);
    }

    public float lr() {
        return lr;
    }

    public void setLr(float lr) {
        this.lr = lr;
    }

    public int stepCount() {
        return step;
    }

    /** Applies one update to every parameter that has a gradient. */
    public void step() {
        step++;
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            Tensor p = e.getValue();
            Tensor g = p.grad();
            if (g == null) {
                continue;
            }
            p.backend().adamwStep(p.buffer(), g.buffer(), m.get(e.getKey()).buffer(), v.get(e.getKey()).buffer(),
                    p.size(), lr, beta1, beta2, eps, weightDecay, step);
        }
    }

    public void zeroGrad() {
        for (Tensor p : params.values()) {
            p.setGrad(null);
        }
    }

    public List<Tensor> parameters() {
        return new ArrayList<>(params.values());
    }

    /** The optimizer state for a checkpoint: {@code m.<name>} and {@code v.<name>}. */
    public Map<String, Tensor> state() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        m.forEach((k, t) -> out.put("m." + k, t));
        v.forEach((k, t) -> out.put("v." + k, t));
        return out;
    }

    /** Restores the step counter (moments are restored by copying into {@link #state()}). */
    public void setStepCount(int step) {
        this.step = step;
    }
}
