package io.vrfm.nn;

import io.vrfm.backend.Backend;
import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.io.SafeTensors;
import io.vrfm.tensor.GradMode;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Golden-file test against PyTorch: {@code fixtures/sit_small/make_fixture.py} re-implements SiT's models.py,
 * fills every weight (adaLN-Zero layers included) with seeded random values and stores the state dict with inputs,
 * the forward output and SiT's {@code forward_with_cfg} output. Our SiT loads the state dict by name and shape and
 * must reproduce both within 1e-4 relative to the output's scale.
 */
class SiTParityTest {
    private final Backend be = new CpuBackend(2);
    /** The fixture's config: 8×8×4 input, patch 2, width 32, 2 blocks, 4 heads, 5 classes, learn_sigma. */
    static final SiTConfig SMALL = new SiTConfig(8, 4, 2, 32, 2, 4, 4f, 5, 0.1f, true, 0);

    private static Path fixture() throws Exception {
        return Path.of(SiTParityTest.class.getResource("/fixtures/sit_small/sit_small.safetensors").toURI());
    }

    private static Map<String, SafeTensors.Entry> weights(SafeTensors.Contents c) {
        Map<String, SafeTensors.Entry> w = new LinkedHashMap<>();
        c.tensors().forEach((k, v) -> {
            if (!k.startsWith("fixture.")) w.put(k, v);
        });
        return w;
    }

    private Tensor t(SafeTensors.Contents c, String name) {
        SafeTensors.Entry e = c.tensors().get("fixture." + name);
        return Tensor.of(be, e.data(), e.shape());
    }

    private static double relDiff(float[] ref, float[] got) {
        assertEquals(ref.length, got.length);
        double maxAbs = 0, maxRef = 0;
        for (int i = 0; i < ref.length; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(got[i] - ref[i]));
            maxRef = Math.max(maxRef, Math.abs(ref[i]));
        }
        return maxAbs / maxRef;
    }

    @Test
    void matchesPyTorchSiTForwardAndGuidance() throws Exception {
        SafeTensors.Contents c = SafeTensors.read(fixture());
        SiT net = new SiT(be, new Rng(0), SMALL);
        Map<String, SafeTensors.Entry> w = weights(c);
        // the fixture's pos_embed is SiT's sin-cos table: ours must equal it before loading overwrites it
        assertArrayEquals(w.get("pos_embed").data(), net.namedParameters().get("pos_embed").toArray(), 1e-6f);
        SafeTensors.loadInto(net.namedParameters(), w, "sit_small.safetensors");
        net.eval();
        try (GradMode.Scope g = GradMode.noGrad()) {
            float[] out = net.velocity(t(c, "x"), t(c, "t"), null, t(c, "y")).toArray();
            double d = relDiff(c.tensors().get("fixture.out").data(), out);
            System.out.printf("SiT forward: %d parameters, max |diff| relative to max |ref| %.3g%n", net.parameterCount(), d);
            assertTrue(d < 1e-4, "forward relative difference " + d);

            // SiT's forward_with_cfg on [x0, x1, x0, x1] with labels [1, 3, null, null]: its first half is what a
            // sampler keeps; the wrapper computes exactly that half with SiT's first-three-channels rule.
            Tensor cx = t(c, "cfg_x").slice(0, 0, 2), ct = t(c, "cfg_t").slice(0, 0, 2);
            Tensor cy = t(c, "cfg_y").slice(0, 0, 2);
            float[] ref = Tensor.of(be, c.tensors().get("fixture.cfg_out").data(), 4, 4, 8, 8).slice(0, 0, 2).toArray();
            float[] got = new ClassifierFreeGuidance(net, cy, 1.5f, ClassifierFreeGuidance.Channels.FIRST_THREE)
                    .velocity(cx, ct, null).toArray();
            double dc = relDiff(ref, got);
            assertTrue(dc < 1e-4, "guided relative difference " + dc);
            // the all-channels rule differs exactly in the fourth channel
            float[] all = new ClassifierFreeGuidance(net, cy, 1.5f, ClassifierFreeGuidance.Channels.ALL)
                    .velocity(cx, ct, null).toArray();
            assertTrue(relDiff(ref, all) > 1e-3, "all-channel guidance should differ from SiT's rule on channel 3");
            float[] allFirst3 = Tensor.of(be, all, 2, 4, 8, 8).slice(1, 0, 3).toArray();
            float[] refFirst3 = Tensor.of(be, ref, 2, 4, 8, 8).slice(1, 0, 3).toArray();
            assertTrue(relDiff(refFirst3, allFirst3) < 1e-4);
        }
    }

    @Test
    void stateDictNamesAndShapesMatchSiT() throws Exception {
        SafeTensors.Contents c = SafeTensors.read(fixture());
        Map<String, Tensor> ours = new SiT(be, new Rng(0), SMALL).namedParameters();
        Map<String, SafeTensors.Entry> theirs = weights(c);
        assertEquals(new java.util.TreeSet<>(theirs.keySet()), new java.util.TreeSet<>(ours.keySet()));
        for (var e : theirs.entrySet()) {
            assertArrayEquals(e.getValue().shape(), ours.get(e.getKey()).shape(), e.getKey());
        }
        assertFalse(ours.get("pos_embed").requiresGrad(), "pos_embed is a fixed buffer");
    }

    @Test
    void mismatchedStateDictListsEveryProblem() throws Exception {
        Map<String, SafeTensors.Entry> w = weights(SafeTensors.read(fixture()));
        w.remove("blocks.1.attn.qkv.weight");
        w.put("blocks.0.adaLN_modulation.1.wieght", w.remove("blocks.0.adaLN_modulation.1.weight"));
        w.put("final_layer.linear.bias", new SafeTensors.Entry(new int[]{7}, new float[7]));
        SiT net = new SiT(be, new Rng(0), SMALL);
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.loadInto(net.namedParameters(), w, "bad.safetensors"));
        String msg = ex.getMessage();
        assertTrue(msg.contains("missing 'blocks.1.attn.qkv.weight'"), msg);
        assertTrue(msg.contains("missing 'blocks.0.adaLN_modulation.1.weight'"), msg);
        assertTrue(msg.contains("unexpected 'blocks.0.adaLN_modulation.1.wieght'"), msg);
        assertTrue(msg.contains("shape of 'final_layer.linear.bias'"), msg);
    }

    @Test
    void zooConfigsHaveSiTParameterCounts() {
        // SiT-S/2 on 32×32×4 latents with 1000 classes; the reference count is PyTorch's sum(p.numel()) over
        // make_fixture.py's SiT(32, 2, 4, 384, 12, 6, 4.0, 0.1, 1000, True) (pos_embed included, as in SiT).
        SiTConfig s2 = SiTConfig.named("S/2", 32, 4, 1000);
        assertEquals(12, s2.depth());
        assertEquals(384, s2.width());
        assertEquals(6, s2.heads());
        assertEquals(new SiTConfig(32, 4, 2, 1152, 28, 16, 4f, 1000, 0.1f, true, 0), SiTConfig.named("SiT-XL/2", 32, 4, 1000));
        assertEquals(1024, SiTConfig.named("L/4", 32, 4, 1000).width());
        assertEquals(768, SiTConfig.named("b/8", 32, 4, 1000).width());
        assertThrows(IllegalArgumentException.class, () -> SiTConfig.named("M/2", 32, 4, 1000));
        long n = new SiT(be, new Rng(0), s2).parameterCount();
        assertEquals(32_963_360L, n, "SiT-S/2 parameter count (pos_embed included)");
    }
}
