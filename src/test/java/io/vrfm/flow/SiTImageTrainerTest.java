package io.vrfm.flow;

import io.vrfm.backend.Backend;
import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.data.ImageSet;
import io.vrfm.nn.SiT;
import io.vrfm.nn.SiTPosterior;
import io.vrfm.tensor.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Class-conditional SiT / V-SiT on the image recipe: labels reach the model, label dropout, exact resume. */
class SiTImageTrainerTest {
    private final Backend be = new CpuBackend(2);

    private static ImageRecipe tiny(Method m, float dropout) {
        return ImageRecipe.sitQuick(m, "squares").with(Map.of("steps", 4, "batch", 6, "sit_config", "1x16x2/4",
                "cfg_dropout", dropout, "latent_dim", 3));
    }

    @Test
    void buildsSiTAndVSiTWithTheDataSetsClasses() {
        ImageTrainer sit = new ImageTrainer(be, ImageTrainerTest.squares(), tiny(Method.RFM, 0.1f));
        SiT v = (SiT) sit.model().velocity();
        assertEquals(2, v.numClasses());
        assertEquals(1, v.config().depth());
        assertEquals(16, v.config().width());
        assertEquals(4, v.config().patch());
        ImageTrainer vsit = new ImageTrainer(be, ImageTrainerTest.squares(), tiny(Method.VRFM, 0.1f));
        assertTrue(vsit.model().posterior() instanceof SiTPosterior);
        assertEquals(3, vsit.model().latentDim());
        assertEquals(2e-3f, ImageRecipe.sitPaper(Method.VRFM, "mnist").lambda());
    }

    @Test
    void labelsFromTheDataSetWithDropoutFromTheStepsStream() {
        ImageSet data = ImageTrainerTest.squares();
        PairSource none = ImageTrainer.labelledPairs(data, 0f);
        PairSource half = ImageTrainer.labelledPairs(data, 0.5f);
        PairSource.Pairs a = none.pairs(be, new Rng(7), 200);
        float[] y = a.label().toArray();
        float[] x1 = a.x1().toArray();
        for (int i = 0; i < y.length; i++) {
            // label 0: bright top-left pixel; label 1: dark top-left pixel
            assertEquals(y[i] == 0f, x1[i * 64] > 0f, "row " + i);
        }
        float[] yd = half.pairs(be, new Rng(7), 200).label().toArray();
        int dropped = 0;
        for (int i = 0; i < yd.length; i++) {
            if (yd[i] == 2f) dropped++;
            else assertEquals(y[i], yd[i]);
        }
        assertTrue(dropped > 60 && dropped < 140, "dropped " + dropped + " of 200 at p = 0.5");
        assertArrayEquals(yd, half.pairs(be, new Rng(7), 200).label().toArray(), "same step stream, same dropout");
    }

    @Test
    void theLossDependsOnTheLabels() {
        ImageSet data = ImageTrainerTest.squares();
        ImageSet flipped = new ImageSet("flipped", data.count(), 1, 8, 8, data.pixels(),
                java.util.Arrays.stream(data.labels()).map(l -> 1 - l).toArray(), 2);
        ImageRecipe r = tiny(Method.RFM, 0f).with(Map.of("warmup", 0, "lr", 1e-2));
        ImageTrainer ta = new ImageTrainer(be, data, r), tb = new ImageTrainer(be, flipped, r);
        // adaLN-Zero: the initial output is zero whatever the labels, so the first losses agree ...
        assertEquals(ta.trainStep().recon(), tb.trainStep().recon());
        // (the same computation gives bit-identical losses, so any difference is the labels' doing)
        // ... and the labels show once the zero-initialised modulation has been trained (step 3: step 1 moves only
        // the final linear layer, step 2 its adaLN modulation, which reads the conditioning)
        ta.trainStep();
        tb.trainStep();
        double la = ta.trainStep().recon(), lb = tb.trainStep().recon();
        assertNotEquals(la, lb, la + " vs " + lb
                + ": same images and noise, other labels: the class embedding must change the loss");
    }

    @Test
    void classConditionalVSiTResumesExactly(@TempDir Path dir) throws Exception {
        ImageRecipe r = tiny(Method.VRFM, 0.3f);
        ImageTrainer a = new ImageTrainer(be, ImageTrainerTest.squares(), r);
        for (int s = 0; s < 2; s++) a.trainStep();
        a.save(dir.resolve("ck.safetensors"), Map.of());
        for (int s = 0; s < 2; s++) a.trainStep();
        ImageTrainer b = new ImageTrainer(be, ImageTrainerTest.squares(), r);
        b.resume(dir.resolve("ck.safetensors"));
        for (int s = 0; s < 2; s++) b.trainStep();
        a.model().namedParameters().forEach((k, v) ->
                assertArrayEquals(v.toArray(), b.model().namedParameters().get(k).toArray(), k));
    }

    @Test
    void recipeRoundTripsAndChecksItsSiTFields() {
        ImageRecipe r = ImageRecipe.sitPaper(Method.VRFM, "fashion-mnist");
        assertEquals(r, ImageRecipe.fromMap(r.toMap()));
        assertEquals("S/2", r.sitConfig());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> r.with(Map.of("sit_config", "M/3")));
        assertTrue(e.getMessage().contains("DEPTHxWIDTHxHEADS/PATCH"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ImageRecipe.mnistQuick(Method.RFM).with(Map.of("class_cond", true)));
        // an older recipe without the SiT keys still reads
        Map<String, Object> old = ImageRecipe.mnistQuick(Method.RFM).toMap();
        old.remove("class_cond");
        old.remove("cfg_dropout");
        assertEquals(ImageRecipe.mnistQuick(Method.RFM), ImageRecipe.fromMap(old));
    }
}
