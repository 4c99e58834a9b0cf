package io.vrfm.flow;

import io.vrfm.backend.Backend;
import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.data.ImageSet;
import io.vrfm.nn.LatentFusion;
import io.vrfm.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The image trainer on tiny images: losses fall, checkpoints resume bit-exactly, recipes round-trip. */
class ImageTrainerTest {
    private final Backend be = new CpuBackend(2);

    /** 64 tiny 8×8 "images": a bright square at one of two places. */
    static ImageSet squares() {
        int n = 64, s = 8;
        float[] px = new float[n * s * s];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            for (int y = 0; y < s; y++) {
                for (int x = 0; x < s; x++) {
                    boolean on = labels[i] == 0 ? (x < 4 && y < 4) : (x >= 4 && y >= 4);
                    px[i * s * s + y * s + x] = on ? 1f : -1f;
                }
            }
        }
        return new ImageSet("squares", n, 1, s, s, px, labels, 2);
    }

    private static ImageRecipe tiny(Method m, String model) {
        return ImageRecipe.mnistQuick(m).with(Map.of("model", model, "dataset", "squares", "steps", 30, "batch", 8,
                "width", model.equals("unet") ? 8 : 8, "blocks", 1, "posterior_width", 4, "warmup", 5,
                "fusion", m == Method.VRFM && model.equals("unet") ? "bottleneck-sum" : "none", "lr", 5e-3));
    }

    @Test
    void rfmAndVrfmLossesFallOnBothModels() {
        for (String model : new String[]{"mnist-resnet", "unet"}) {
            for (Method m : new Method[]{Method.RFM, Method.VRFM}) {
                ImageTrainer tr = new ImageTrainer(be, squares(), tiny(m, model));
                double first = 0, last = 0;
                for (int s = 0; s < 30; s++) {
                    ImageTrainer.StepStats st = tr.trainStep();
                    if (s < 5) first += st.recon();
                    if (s >= 25) last += st.recon();
                    assertTrue(Double.isFinite(st.total()), model + " " + m + " step " + s);
                    assertEquals(m == Method.VRFM, !Double.isNaN(st.kl()));
                }
                assertTrue(last < first, model + " " + m + ": loss " + first / 5 + " -> " + last / 5);
            }
        }
    }

    @Test
    void checkpointResumesExactly(@TempDir Path dir) throws Exception {
        ImageRecipe r = tiny(Method.VRFM, "mnist-resnet");
        ImageTrainer a = new ImageTrainer(be, squares(), r);
        for (int s = 0; s < 3; s++) a.trainStep();
        a.save(dir.resolve("ck.safetensors"), Map.of());
        ImageTrainer b = new ImageTrainer(be, squares(), r.with(Map.of("seed", 99L)));
        b.resume(dir.resolve("ck.safetensors"));
        assertEquals(3, b.step());
        a.model().namedParameters().forEach((k, v) ->
                assertArrayEquals(v.toArray(), b.model().namedParameters().get(k).toArray(), k));
        a.ema().shadow().forEach((k, v) -> assertArrayEquals(v.toArray(), b.ema().shadow().get(k).toArray(), k));
    }

    @Test
    void recipeRoundTripsThroughItsMap() {
        ImageRecipe r = ImageRecipe.cifarPaper(Method.VRFM, LatentFusion.BOTTLENECK_SUM);
        assertEquals(r.toMap(), ImageRecipe.fromMap(r.toMap()).toMap());
        assertEquals(600_000, r.steps());
        assertEquals(768, r.latentDim());
        assertFalse(r.posteriorInputs().isEmpty());
        ImageRecipe m = ImageRecipe.mnistPaper(Method.VRFM);
        assertEquals(100_000, m.steps());
        assertEquals(256, m.batch());
        assertEquals(2, m.latentDim());
    }

    @Test
    void unetConfigForCifarIsTorchcfms() {
        var cfg = ImageModels.unetConfig(ImageRecipe.cifarPaper(Method.RFM, LatentFusion.NONE), 3, 32);
        assertArrayEquals(new int[]{1, 2, 2, 2}, cfg.channelMult());
        assertEquals(64, cfg.numHeadChannels());
        assertEquals(0.1f, cfg.dropout());
        FlowModel fm = ImageModels.build(be, new io.vrfm.tensor.Rng(0),
                ImageRecipe.cifarPaper(Method.VRFM, LatentFusion.ADAPTIVE_NORM), 3, 32);
        Tensor z = Tensor.zeros(be, 1, 768);
        assertArrayEquals(new int[]{1, 3, 32, 32},
                fm.velocity().velocity(Tensor.zeros(be, 1, 3, 32, 32), Tensor.zeros(be, 1), z).shape());
    }
}
