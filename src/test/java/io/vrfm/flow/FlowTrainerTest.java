package io.vrfm.flow;

import io.vrfm.backend.Backend;
import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.data.ImageSet;
import io.vrfm.data.SyntheticData;
import io.vrfm.io.Checkpoint;
import io.vrfm.nn.Module;
import io.vrfm.nn.PosteriorInput;
import io.vrfm.nn.SyntheticPosterior;
import io.vrfm.nn.VelocityField;
import io.vrfm.tensor.GradMode;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** FlowTrainer on models it does not know: what it learns, how it stops on NaN, and that resuming is exact. */
class FlowTrainerTest {
    private final Backend be = new CpuBackend(1);
    private static final float[] SHIFT = {3f, -1f};

    /** {@code x0 ~ N(0, I)}, {@code x1 = x0 + (3, −1)}: the straight-line velocity is the constant shift. */
    private static PairSource shifted() {
        return (be, rng, n) -> {
            Tensor x0 = Tensor.randn(be, rng, n, 2);
            return new PairSource.Pairs(x0, x0.add(Tensor.of(be, SHIFT, 1, 2)));
        };
    }

    @Test
    void rfmLearnsTheConstantVelocityOfAShiftAndSamplesLandOnTheShiftedPoints() throws Exception {
        MlpField field = new MlpField(be, FlowTrainer.initStream(0), 2, 0, 32);
        FlowTrainer tr = FlowTrainer.rfm(field).pairs(shifted()).batch(64).adamW(1e-2f, 0f).seed(0).build();
        double[] last = new double[1];
        tr.fit(300, (s, rate) -> last[0] = s.recon());
        assertEquals(300, tr.stepCount());
        float[] x = new float[40 * 2], t = new float[40];
        Rng r = new Rng(5);
        for (int i = 0; i < 40; i++) {
            x[2 * i] = (float) r.nextGaussian();
            x[2 * i + 1] = (float) r.nextGaussian();
            t[i] = i / 39f;
        }
        float[] v;
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            v = field.velocity(Tensor.of(be, x, 40, 2), Tensor.of(be, t, 40), null).toArray();
        }
        for (int i = 0; i < 40; i++) {
            assertEquals(SHIFT[0], v[2 * i], 0.2, "v_x at sample " + i);
            assertEquals(SHIFT[1], v[2 * i + 1], 0.2, "v_y at sample " + i);
        }
        SampleResult s = Sampler.euler(4).sample(field, Tensor.of(be, x, 40, 2), (Tensor) null);
        float[] y = s.x().toArray();
        assertEquals(4, s.nfe());
        for (int i = 0; i < y.length; i++) {
            assertEquals(x[i] + SHIFT[i % 2], y[i], 0.2, "sample " + i);
        }
        assertTrue(last[0] < 0.05, "final recon " + last[0]);
    }

    @Test
    void nonFiniteDataStopsAtThatStepWithTheWeightsOfTheStepBeforeAndNoCheckpointOfIt(@TempDir Path dir)
            throws Exception {
        AtomicInteger calls = new AtomicInteger();
        PairSource poisoned = (b, rng, n) -> {
            PairSource.Pairs p = shifted().pairs(b, rng, n);
            return calls.incrementAndGet() == 4 ? new PairSource.Pairs(p.x0(), p.x1().mul(Float.NaN)) : p;
        };
        Path ck = dir.resolve("ck.safetensors");
        FlowTrainer tr = FlowTrainer.rfm(new MlpField(be, new Rng(1), 2, 0, 16)).pairs(poisoned).batch(16)
                .checkpointEvery(2, ck).build();
        Map<String, float[]> afterStep3 = new LinkedHashMap<>();
        NonFiniteLossException e = assertThrows(NonFiniteLossException.class, () -> tr.fit(10, (s, rate) -> {
            if (s.step() == 3) {
                tr.model().namedParameters().forEach((k, p) -> afterStep3.put(k, p.toArray()));
            }
        }));
        assertEquals(4, e.step());
        assertTrue(e.getMessage().contains("step 4") && e.getMessage().contains("Lower the learning rate"), e.getMessage());
        assertEquals(3, tr.stepCount());
        tr.model().namedParameters().forEach((k, p) -> assertArrayEquals(afterStep3.get(k), p.toArray(), k));
        assertEquals("2", Checkpoint.metadata(ck).get("step"), "the last checkpoint is the one of step 2");
    }

    /** {@code v = x·a + sqrt(b − b)}: finite forward, NaN gradient for {@code b} (∞·1 + ∞·(−1)). */
    private static final class NanGradField extends Module implements VelocityField {
        private final Tensor a, b;

        NanGradField(Backend be) {
            a = param("a", Tensor.ones(be, 1));
            b = param("b", Tensor.ones(be, 1));
        }

        @Override
        public Tensor velocity(Tensor x, Tensor t, Tensor z) {
            return x.mul(a).add(b.sub(b).sqrt());
        }

        @Override
        public int latentDim() {
            return 0;
        }
    }

    @Test
    void nonFiniteGradientStopsBeforeTheOptimizerStep() {
        NanGradField f = new NanGradField(be);
        FlowTrainer tr = FlowTrainer.rfm(f).pairs(shifted()).batch(8).build();
        NonFiniteLossException e = assertThrows(NonFiniteLossException.class, tr::step);
        assertEquals(1, e.step());
        assertTrue(e.getMessage().contains("gradient"), e.getMessage());
        assertArrayEquals(new float[]{1f}, f.namedParameters().get("b").toArray());
        assertEquals(0, tr.stepCount());
    }

    @Test
    void saveRefusesNonFiniteWeights(@TempDir Path dir) {
        MlpField field = new MlpField(be, new Rng(1), 2, 0, 8);
        FlowTrainer tr = FlowTrainer.rfm(field).pairs(shifted()).build();
        Tensor w = field.namedParameters().get("net.layers.0.weight");
        float[] bad = w.toArray();
        bad[3] = Float.POSITIVE_INFINITY;
        be.upload(bad, 0, w.buffer(), 0, bad.length);
        Path p = dir.resolve("x.safetensors");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> tr.save(p));
        assertTrue(e.getMessage().contains("net.layers.0.weight"), e.getMessage());
        assertFalse(Files.exists(p));
    }

    private FlowTrainer syntheticVrfm(long initSeed, Path ck) {
        Rng init = FlowTrainer.initStream(initSeed);
        MlpField v = new MlpField(be, init, 2, 2, 32);
        SyntheticPosterior q = new SyntheticPosterior(be, init, 2, 2,
                EnumSet.of(PosteriorInput.X0, PosteriorInput.X1, PosteriorInput.XT), 16, 32);
        SyntheticData.Task task = SyntheticData.twoD();
        return FlowTrainer.vrfm(v, q, 0.1f)
                .pairs(PairSource.independent(2, task.source()::sample, task.target()::sample))
                .batch(32).seed(7).ema(0.9f).warmup(3).clipGradNorm(5f)
                .checkpointEvery(4, ck).build();
    }

    /** Thrown by a listener to stop a run like a kill after a checkpoint. */
    private static final class Killed extends RuntimeException {
    }

    @Test
    void killAfterCheckpointAndResumeGivesTheSameFinalCheckpointBytesSynthetic(@TempDir Path dir) throws Exception {
        Path straight = dir.resolve("straight.safetensors"), killed = dir.resolve("killed.safetensors");
        syntheticVrfm(0, straight).fit(10, null);
        FlowTrainer first = syntheticVrfm(0, killed);
        assertThrows(Killed.class, () -> first.fit(10, (s, rate) -> {
            if (s.step() == 6) throw new Killed();
        }));
        assertEquals("4", Checkpoint.metadata(killed).get("step"));
        FlowTrainer resumed = syntheticVrfm(123, killed); // other initial weights: everything must come from the file
        resumed.resume(killed);
        assertEquals(4, resumed.stepCount());
        resumed.fit(10, null);
        assertArrayEquals(Files.readAllBytes(straight), Files.readAllBytes(killed));
        FlowTrainer other = syntheticVrfm(0, dir.resolve("other.safetensors"));
        other.fit(9, null);
        assertNotEquals(java.util.Arrays.toString(Files.readAllBytes(straight)),
                java.util.Arrays.toString(Files.readAllBytes(dir.resolve("other.safetensors"))), "the check can fail");
    }

    @Test
    void killAfterCheckpointAndResumeGivesTheSameFinalCheckpointBytesImages(@TempDir Path dir) throws Exception {
        // a UNet with dropout 0.1 (the dropout streams must be positioned by the step too), V-RFM, EMA, warm-up, clip
        ImageRecipe r = ImageRecipe.mnistQuick(Method.VRFM).with(Map.of("model", "unet", "dataset", "squares",
                "steps", 4, "batch", 4, "width", 8, "blocks", 1, "posterior_width", 4, "warmup", 2,
                "fusion", "bottleneck-sum", "dropout", 0.1));
        ImageTrainer a = new ImageTrainer(be, ImageTrainerTest.squares(), r);
        for (int s = 0; s < 4; s++) a.trainStep();
        a.save(dir.resolve("a.safetensors"), Map.of());
        ImageTrainer b = new ImageTrainer(be, ImageTrainerTest.squares(), r);
        for (int s = 0; s < 2; s++) b.trainStep();
        b.save(dir.resolve("b.safetensors"), Map.of());
        ImageTrainer c = new ImageTrainer(be, ImageTrainerTest.squares(), r);
        c.resume(dir.resolve("b.safetensors"));
        for (int s = 0; s < 2; s++) c.trainStep();
        c.save(dir.resolve("c.safetensors"), Map.of());
        assertArrayEquals(Files.readAllBytes(dir.resolve("a.safetensors")), Files.readAllBytes(dir.resolve("c.safetensors")));
    }
}
