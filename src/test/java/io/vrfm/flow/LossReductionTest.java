package io.vrfm.flow;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The reconstruction and KL reductions: presets, saved recipes old and new, and the effective KL scale. */
class LossReductionTest {
    @Test
    void presetsSumTheKlAndKeepTheirReconstructionReading() {
        assertEquals(LossReduction.SUM, TrainConfig.paper2d(Method.VRFM, 0).reduction());
        assertEquals(new LossReduction(Reduction.MEAN, Reduction.SUM), ImageRecipe.mnistPaper(Method.VRFM).reduction());
        assertEquals(new LossReduction(Reduction.MEAN, Reduction.SUM),
                ImageRecipe.cifarPaper(Method.VRFM, io.vrfm.nn.LatentFusion.ADAPTIVE_NORM).reduction());
    }

    @Test
    void aRecipeWithOnlyReductionMeansItForBothTermsAndNewRecipesRoundTrip() {
        Map<String, Object> m = ImageRecipe.mnistQuick(Method.VRFM).toMap();
        assertEquals("mean", m.get("reduction"));
        assertEquals("sum", m.get("kl_reduction"));
        assertEquals(ImageRecipe.mnistQuick(Method.VRFM), ImageRecipe.fromMap(m));
        m.remove("kl_reduction");
        assertEquals(LossReduction.both(Reduction.MEAN), ImageRecipe.fromMap(m).reduction());
        m.put("reduction", "sum");
        assertEquals(LossReduction.SUM, ImageRecipe.fromMap(m).reduction());
    }

    @Test
    void effectiveKlScaleOfEachCombination() {
        // CIFAR-10: D = 3072, d = 768; MNIST: D = 784, d = 2
        assertEquals(1.0, LossReduction.SUM.effectiveKlScale(3072, 768), 0);
        assertEquals(3072.0, LossReduction.MEAN_RECON_SUM_KL.effectiveKlScale(3072, 768), 0);
        assertEquals(4.0, LossReduction.both(Reduction.MEAN).effectiveKlScale(3072, 768), 0);
        assertEquals(392.0, LossReduction.both(Reduction.MEAN).effectiveKlScale(784, 2), 0);
        assertEquals(0.5, new LossReduction(Reduction.SUM, Reduction.MEAN).effectiveKlScale(784, 2), 0);
    }
}
