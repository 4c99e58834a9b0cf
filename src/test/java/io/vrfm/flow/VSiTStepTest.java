package io.vrfm.flow;

import io.vrfm.backend.Backend;
import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.nn.Module;
import io.vrfm.nn.SiT;
import io.vrfm.nn.SiTConfig;
import io.vrfm.nn.SiTPosterior;
import io.vrfm.optim.AdamW;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * V-SiT plugs into the unchanged V-RFM objective ({@link FlowLosses#vrfm}: recon + λ·KL, λ = 2e-3): gradients reach
 * every trainable parameter of the velocity model and the posterior, and AdamW steps lower the loss.
 */
class VSiTStepTest {
    private final Backend be = new CpuBackend(2);
    private static final SiTConfig TINY = new SiTConfig(8, 2, 2, 16, 2, 2, 2f, 3, 0.1f, true, 4);

    private Interpolant.Batch batch() {
        Rng r = new Rng(1);
        Tensor x0 = Tensor.randn(be, r, 4, 2, 8, 8), x1 = Tensor.randn(be, r, 4, 2, 8, 8).mul(0.5f).add(0.3f);
        return Interpolant.at(x0, x1, Tensor.of(be, new float[]{0.1f, 0.4f, 0.6f, 0.9f}, 4));
    }

    private final Tensor labels = Tensor.of(be, new float[]{0, 2, 1, 2}, 4);

    private static Map<String, Tensor> all(Module v, Module q) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        v.namedParameters().forEach((k, t) -> m.put("v." + k, t));
        q.namedParameters().forEach((k, t) -> m.put("q." + k, t));
        return m;
    }

    @Test
    void gradientsReachEveryTrainableParameter() {
        Rng rng = new Rng(2);
        SiT v = new SiT(be, rng, TINY);
        SiTPosterior q = new SiTPosterior(be, rng, TINY);
        assertEquals(1, q.depth(), "half the blocks");
        // leave the adaLN-Zero start: with zero gates the attention and MLP weights would see zero gradient
        Rng r = new Rng(5);
        for (Tensor p : all(v, q).values()) {
            if (p.requiresGrad()) {
                float[] x = Tensor.randn(be, r, p.shape()).mul(0.1f).toArray();
                be.upload(x, 0, p.buffer(), 0, x.length);
            }
        }
        FlowLosses.Loss loss = FlowLosses.vrfm(v.withLabels(v.dropLabels(labels, new Rng(3))), q, batch(), 2e-3f,
                Reduction.MEAN, new Rng(9));
        assertNotNull(loss.kl());
        loss.total().backward();
        for (Map.Entry<String, Tensor> e : all(v, q).entrySet()) {
            Tensor p = e.getValue();
            if (e.getKey().endsWith("pos_embed")) {
                assertNull(p.grad(), "pos_embed is fixed");
                continue;
            }
            assertNotNull(p.grad(), e.getKey() + " got no gradient");
            assertTrue(p.grad().square().sum().item() > 0, e.getKey() + " got a zero gradient");
        }
        assertTrue(all(v, q).containsKey("v.z_embedder.mlp.0.weight"));
        assertTrue(all(v, q).containsKey("v.z_embedder.mlp.2.weight"));
    }

    @Test
    void adamwStepsLowerTheVrfmLoss() {
        Rng rng = new Rng(4);
        SiT v = new SiT(be, rng, TINY);
        SiTPosterior q = new SiTPosterior(be, rng, TINY);
        AdamW opt = new AdamW(all(v, q), 3e-3f, 0.9f, 0.999f, 1e-8f, 0f);
        Interpolant.Batch b = batch();
        float first = Float.NaN, last = Float.NaN;
        for (int step = 0; step < 4; step++) {
            opt.zeroGrad();
            FlowLosses.Loss loss = FlowLosses.vrfm(v.withLabels(labels), q, b, 2e-3f, Reduction.MEAN, new Rng(9));
            float value = loss.total().item();
            if (step == 0) first = value;
            last = value;
            loss.total().backward();
            opt.step();
        }
        assertTrue(last < first, "loss " + first + " -> " + last);
    }
}
