package io.vrfm.nn;

import io.vrfm.backend.Backend;
import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.tensor.GradCheck;
import io.vrfm.tensor.NeuralOps;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Finite-difference gradient checks and layout checks of the transformer layers on tiny shapes. */
class SiTLayersGradientTest {
    private final Backend be = new CpuBackend(2);
    private final Rng rng = new Rng(21);

    private Tensor randn(int... shape) {
        return Tensor.randn(be, rng, shape);
    }

    /** Replaces every trainable parameter by small random values (adaLN-Zero layers would hide paths). */
    private <M extends Module> M randomize(M m, float scale) {
        Rng r = new Rng(5);
        for (Tensor p : m.parameters()) {
            if (!p.requiresGrad()) continue;
            float[] v = Tensor.randn(be, r, p.shape()).mul(scale).toArray();
            be.upload(v, 0, p.buffer(), 0, v.length);
        }
        return m;
    }

    @Test
    void patchEmbedAndUnpatchifyAreInverseLayouts() {
        PatchEmbed pe = randomize(new PatchEmbed(be, rng, 3, 5, 2), 0.5f);
        Map<String, Tensor> p = pe.namedParameters();
        assertArrayEquals(new int[]{5, 3, 2, 2}, p.get("proj.weight").shape());
        GradCheck.check("patch-embed", be, x -> pe.forward(x[0]), randn(2, 3, 4, 6), p.get("proj.weight"));
        assertArrayEquals(new int[]{2, 6, 5}, pe.forward(randn(2, 3, 4, 6)).shape());
        // token (gi, gj) with features (pi, pj, c) lands at pixel (gi·p + pi, gj·p + pj) of channel c
        int p2 = 2, c = 3, gh = 2, gw = 3;
        float[] tok = new float[gh * gw * p2 * p2 * c];
        for (int i = 0; i < tok.length; i++) tok[i] = i;
        float[] img = PatchEmbed.unpatchify(Tensor.of(be, tok, 1, gh * gw, p2 * p2 * c), p2, c, gh, gw).toArray();
        int gi = 1, gj = 2, pi = 1, pj = 0, ch = 2;
        float expected = ((gi * gw + gj) * p2 * p2 + pi * p2 + pj) * c + ch;
        assertEquals(expected, img[(ch * gh * p2 + gi * p2 + pi) * gw * p2 + gj * p2 + pj]);
        GradCheck.check("unpatchify", be, x -> PatchEmbed.unpatchify(x[0], 2, 3, 2, 3), randn(2, 6, 12));
        assertThrows(IllegalArgumentException.class, () -> PatchEmbed.unpatchify(randn(1, 5, 12), 2, 3, 2, 3));
    }

    @Test
    void sinCosPositionsFollowMae() {
        int dim = 8, grid = 3;
        float[] pos = PatchEmbed.sinCos2d(dim, grid);
        // token (row 2, col 1): first half encodes the column, second half the row; ω = [1, 1/100] for dim/4 = 2
        int base = (2 * grid + 1) * dim;
        double[] want = {Math.sin(1), Math.sin(0.01), Math.cos(1), Math.cos(0.01),
                Math.sin(2), Math.sin(0.02), Math.cos(2), Math.cos(0.02)};
        for (int d = 0; d < dim; d++) assertEquals(want[d], pos[base + d], 1e-6, "feature " + d);
    }

    @Test
    void selfAttentionMatchesExplicitSoftmaxAndHasGradients() {
        SelfAttention attn = randomize(new SelfAttention(be, rng, 8, 2), 0.4f);
        Map<String, Tensor> p = attn.namedParameters();
        assertArrayEquals(new int[]{24, 8}, p.get("qkv.weight").shape());
        assertArrayEquals(new int[]{8, 8}, p.get("proj.weight").shape());
        Tensor x = randn(2, 5, 8);
        // reference: timm's arithmetic with an explicit softmax
        Tensor qkv = x.matmul(p.get("qkv.weight").transpose(0, 1)).add(p.get("qkv.bias"));
        Tensor[] s = qkv.reshape(2, 5, 3, 2, 4).permute(2, 0, 3, 1, 4).split(0, 1, 1, 1);
        Tensor q = s[0].reshape(2, 2, 5, 4), k = s[1].reshape(2, 2, 5, 4), v = s[2].reshape(2, 2, 5, 4);
        Tensor a = q.mul(0.5f).matmul(k.transpose(2, 3)).softmax().matmul(v).permute(0, 2, 1, 3).reshape(2, 5, 8);
        float[] ref = a.matmul(p.get("proj.weight").transpose(0, 1)).add(p.get("proj.bias")).toArray();
        assertArrayEquals(ref, attn.forward(x).toArray(), 1e-5f);
        GradCheck.check("self-attention", be, t -> attn.forward(t[0]), randn(2, 5, 8), p.get("qkv.weight"),
                p.get("proj.bias"));
    }

    @Test
    void feedForwardBlockAndFinalLayer() {
        FeedForward ff = randomize(new FeedForward(be, rng, 4, 16), 0.5f);
        GradCheck.check("feed-forward", be, x -> ff.forward(x[0]), randn(2, 3, 4), ff.namedParameters().get("fc1.weight"));

        SiTBlock fresh = new SiTBlock(be, rng, 8, 2, 2f);
        Tensor x0 = randn(2, 4, 8), c0 = randn(2, 8);
        assertArrayEquals(x0.toArray(), fresh.forward(x0, c0).toArray(), 0f, "adaLN-Zero: a fresh block is the identity");
        SiTBlock block = randomize(new SiTBlock(be, rng, 8, 2, 2f), 0.3f);
        Map<String, Tensor> bp = block.namedParameters();
        assertArrayEquals(new int[]{48, 8}, bp.get("adaLN_modulation.1.weight").shape());
        GradCheck.check("sit-block", be, x -> block.forward(x[0], x[1]), randn(2, 4, 8), randn(2, 8),
                bp.get("adaLN_modulation.1.weight"), bp.get("mlp.fc2.weight"));

        SiTFinalLayer fin = randomize(new SiTFinalLayer(be, rng, 8, 2, 3), 0.3f);
        assertArrayEquals(new int[]{12, 8}, fin.namedParameters().get("linear.weight").shape());
        assertArrayEquals(new int[]{16, 8}, fin.namedParameters().get("adaLN_modulation.1.weight").shape());
        GradCheck.check("final-layer", be, x -> fin.forward(x[0], x[1]), randn(2, 4, 8), randn(2, 8),
                fin.namedParameters().get("adaLN_modulation.1.weight"));
    }

    @Test
    void embedders() {
        TimestepEmbedder te = new TimestepEmbedder(be, rng, 6);
        assertArrayEquals(new int[]{6, 256}, te.namedParameters().get("mlp.0.weight").shape());
        assertArrayEquals(new int[]{6, 6}, te.namedParameters().get("mlp.2.weight").shape());
        GradCheck.check("timestep-embedder", be, x -> te.forward(x[0]),
                Tensor.of(be, new float[]{0.1f, 0.7f}, 2), te.namedParameters().get("mlp.2.weight"));

        LabelEmbedder le = new LabelEmbedder(be, rng, 4, 3, 0.1f);
        Tensor table = le.namedParameters().get("embedding_table.weight");
        assertArrayEquals(new int[]{5, 3}, table.shape(), "4 classes + the null class");
        GradCheck.check("label-embedder", be, x -> le.forward(Tensor.of(be, new float[]{1, 4, 1}, 3)), table);
        assertThrows(IllegalArgumentException.class, () -> le.forward(Tensor.of(be, new float[]{5}, 1)));
        assertArrayEquals(new int[]{4, 3}, new LabelEmbedder(be, rng, 4, 3, 0f)
                .namedParameters().get("embedding_table.weight").shape(), "no null class without dropout");
    }

    @Test
    void labelDropoutIsDeterministicPerRngAndNearItsRate() {
        LabelEmbedder le = new LabelEmbedder(be, rng, 10, 4, 0.1f);
        float[] labels = new float[4000];
        for (int i = 0; i < labels.length; i++) labels[i] = i % 10;
        Tensor y = Tensor.of(be, labels, labels.length);
        float[] a = le.dropLabels(y, new Rng(3)).toArray();
        float[] b = le.dropLabels(y, new Rng(3)).toArray();
        assertArrayEquals(a, b, "same generator, same drops");
        int dropped = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] == 10f) dropped++;
            else assertEquals(labels[i], a[i]);
        }
        assertTrue(dropped > 330 && dropped < 470, "dropped " + dropped + " of 4000 at rate 0.1");
        assertNotEquals(0, dropped);
        le.eval();
        assertArrayEquals(labels, le.dropLabels(y, new Rng(3)).toArray(), "no dropout in eval mode");
    }

    @Test
    void fusedAttentionAgreesAcrossShapesUsedBySiT() {
        // SiT-XL's head dimension 72 and a token count that is not a multiple of anything
        Tensor q = randn(1, 2, 19, 72), k = randn(1, 2, 19, 72), v = randn(1, 2, 19, 72);
        float sc = (float) (1 / Math.sqrt(72));
        assertArrayEquals(q.mul(sc).matmul(k.transpose(2, 3)).softmax().matmul(v).toArray(),
                NeuralOps.attention(q, k, v).toArray(), 1e-5f);
    }
}
