package io.vrfm.nn;

import io.vrfm.backend.Backend;
import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Guidance arithmetic, channel rules and the shared latent, on a tiny V-SiT with random weights. */
class ClassifierFreeGuidanceTest {
    private final Backend be = new CpuBackend(2);

    private SiT model() {
        SiT net = new SiT(be, new Rng(1), new SiTConfig(4, 4, 2, 8, 1, 2, 2f, 3, 0.1f, true, 2));
        Rng r = new Rng(2);
        for (Tensor p : net.parameters()) {
            if (p.requiresGrad()) {
                float[] v = Tensor.randn(be, r, p.shape()).mul(0.3f).toArray();
                be.upload(v, 0, p.buffer(), 0, v.length);
            }
        }
        net.eval();
        return net;
    }

    @Test
    void scaleInterpolatesBetweenUnconditionalAndConditional() {
        SiT net = model();
        Rng r = new Rng(3);
        Tensor x = Tensor.randn(be, r, 2, 4, 4, 4), t = Tensor.of(be, new float[]{0.2f, 0.8f}, 2);
        Tensor z = Tensor.randn(be, r, 2, 2), y = Tensor.of(be, new float[]{2, 0}, 2);
        float[] cond = net.velocity(x, t, z, y).toArray();
        float[] uncond = net.velocity(x, t, z).toArray();
        for (ClassifierFreeGuidance.Channels rule : ClassifierFreeGuidance.Channels.values()) {
            assertArrayEquals(cond, new ClassifierFreeGuidance(net, y, 1f, rule).velocity(x, t, z).toArray(), 1e-5f);
        }
        assertArrayEquals(uncond, new ClassifierFreeGuidance(net, y, 0f, ClassifierFreeGuidance.Channels.ALL)
                .velocity(x, t, z).toArray(), 1e-5f);
        float[] g = new ClassifierFreeGuidance(net, y, 1.5f, ClassifierFreeGuidance.Channels.ALL).velocity(x, t, z).toArray();
        float[] g3 = new ClassifierFreeGuidance(net, y, 1.5f, ClassifierFreeGuidance.Channels.FIRST_THREE)
                .velocity(x, t, z).toArray();
        int plane = 16;
        for (int i = 0; i < g.length; i++) {
            int ch = (i / plane) % 4;
            float want = uncond[i] + 1.5f * (cond[i] - uncond[i]);
            assertEquals(want, g[i], 1e-5f, "all channels [" + i + "]");
            assertEquals(ch < 3 ? want : cond[i], g3[i], 1e-5f, "first three [" + i + "]");
        }
    }

    @Test
    void channelRulesParseTheirLauncherSpelling() {
        for (ClassifierFreeGuidance.Channels rule : ClassifierFreeGuidance.Channels.values()) {
            assertEquals(rule, ClassifierFreeGuidance.Channels.parse(rule.key()));
        }
        assertEquals(ClassifierFreeGuidance.Channels.FIRST_THREE, ClassifierFreeGuidance.Channels.parse(" First_Three "));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ClassifierFreeGuidance.Channels.parse("three"));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("'three'"), e.getMessage());
    }

    @Test
    void bothHalvesShareTheLatent() {
        SiT net = model();
        float[] seen = new float[1];
        ClassConditionalField spy = new ClassConditionalField() {
            @Override
            public Tensor velocity(Tensor x, Tensor t, Tensor z, Tensor labels) {
                float[] zz = z.toArray();
                assertArrayEquals(java.util.Arrays.copyOfRange(zz, 0, 4), java.util.Arrays.copyOfRange(zz, 4, 8));
                assertArrayEquals(new float[]{1, 2, 3, 3}, labels.toArray());
                seen[0]++;
                return net.velocity(x, t, z, labels);
            }

            @Override
            public Tensor velocity(Tensor x, Tensor t, Tensor z) {
                throw new AssertionError("guidance must pass labels");
            }

            @Override
            public int latentDim() {
                return 2;
            }

            @Override
            public int numClasses() {
                return 3;
            }
        };
        Rng r = new Rng(4);
        new ClassifierFreeGuidance(spy, Tensor.of(be, new float[]{1, 2}, 2), 1.5f, ClassifierFreeGuidance.Channels.ALL)
                .velocity(Tensor.randn(be, r, 2, 4, 4, 4), Tensor.of(be, new float[]{0.5f, 0.5f}, 2), Tensor.randn(be, r, 2, 2));
        assertEquals(1f, seen[0], "one batched evaluation per call");
    }
}
