package io.vrfm.flow;

import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.nn.LatentFusion;
import io.vrfm.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Under a Turkish default locale {@code "I".toLowerCase()} is a dotless {@code "ı"}: names written or shown by the
 * engine must not depend on the user's locale. Before the fix a CIFAR recipe with adaptive-norm fusion wrote
 * {@code "adaptıve-norm"} into recipe.json, and the run could then not be read back (resume, sample, eval).
 */
class DefaultLocaleTest {
    private Locale before;

    @BeforeEach
    void turkish() {
        before = Locale.getDefault();
        Locale.setDefault(Locale.forLanguageTag("tr-TR"));
    }

    @AfterEach
    void restore() {
        Locale.setDefault(before);
    }

    @Test
    void recipeWithAdaptiveNormRoundTripsThroughItsMap() {
        ImageRecipe r = ImageRecipe.cifarPaper(Method.VRFM, LatentFusion.ADAPTIVE_NORM);
        assertEquals("adaptive-norm", r.toMap().get("fusion"));
        assertEquals(r, ImageRecipe.fromMap(r.toMap()));
    }

    @Test
    void elementWiseErrorsNameTheOpInPlainAscii() {
        CpuBackend be = new CpuBackend(1);
        Tensor a = Tensor.of(be, new float[]{1, 2, 3}, 3), b = Tensor.of(be, new float[]{1, 2}, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.div(b));
        assertTrue(e.getMessage().startsWith("div: shapes"), e.getMessage());
    }
}
