package io.vrfm.flow;

import io.vrfm.backend.Backend;
import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.data.ImageSet;
import io.vrfm.nn.LatentFusion;
import io.vrfm.tensor.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Random horizontal flips in image training (torchcfm's CIFAR-10 recipe): mirror images, reproducible, exact resume. */
class HorizontalFlipTest {
    private final Backend be = new CpuBackend(2);

    /** 16 RGB 4×6 images whose every pixel is distinct, so a mirror is told apart from any other image. */
    private static ImageSet distinct() {
        int n = 16, c = 3, h = 4, w = 6;
        float[] px = new float[n * c * h * w];
        for (int i = 0; i < px.length; i++) px[i] = (i % 997) / 500f - 1f;
        return new ImageSet("distinct", n, c, h, w, px, new int[n], 1);
    }

    private static float[] mirror(float[] img, int c, int h, int w) {
        float[] m = new float[img.length];
        for (int r = 0; r < c * h; r++) {
            for (int x = 0; x < w; x++) m[r * w + x] = img[r * w + w - 1 - x];
        }
        return m;
    }

    /** Per row of a 32-row batch at {@code stepSeed}: flipped (true) or not; fails unless each row is one of the two. */
    private boolean[] flipsOf(ImageSet data, long stepSeed) {
        PairSource.Pairs plain = ImageTrainer.pairs(data, false).pairs(be, new Rng(stepSeed), 32);
        PairSource.Pairs flip = ImageTrainer.pairs(data, true).pairs(be, new Rng(stepSeed), 32);
        assertArrayEquals(plain.x0().toArray(), flip.x0().toArray(), "the flips must not change the noise");
        int per = data.imageSize();
        float[] a = plain.x1().toArray(), b = flip.x1().toArray();
        boolean[] flipped = new boolean[32];
        for (int i = 0; i < 32; i++) {
            float[] orig = Arrays.copyOfRange(a, i * per, (i + 1) * per);
            float[] got = Arrays.copyOfRange(b, i * per, (i + 1) * per);
            float[] mir = mirror(orig, data.channels(), data.height(), data.width());
            flipped[i] = Arrays.equals(got, mir);
            assertTrue(flipped[i] || Arrays.equals(got, orig), "row " + i + " is neither the image nor its mirror");
        }
        return flipped;
    }

    @Test
    void flippedRowsAreExactMirrorImagesOfTheSameDrawnImage() {
        boolean[] f = flipsOf(distinct(), 42);
        int count = 0;
        for (boolean b : f) if (b) count++;
        assertTrue(count > 4 && count < 28, count + " of 32 flipped at p = 1/2");
    }

    @Test
    void theFlipDrawIsAFunctionOfTheStepSeed() {
        ImageSet data = distinct();
        assertArrayEquals(flipsOf(data, 42), flipsOf(data, 42), "same step seed, same flips");
        assertFalse(Arrays.equals(flipsOf(data, 42), flipsOf(data, 43)), "another step draws other flips");
        // and the labelled source (class-conditional runs) flips the same rows
        PairSource.Pairs p = ImageTrainer.pairs(data, true).pairs(be, new Rng(42), 32);
        PairSource.Pairs l = ImageTrainer.labelledPairs(data, 0f, true).pairs(be, new Rng(42), 32);
        assertArrayEquals(p.x1().toArray(), l.x1().toArray());
    }

    private static ImageRecipe tiny(boolean hflip) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("model", "mnist-resnet");
        o.put("dataset", "squares");
        o.put("steps", 6);
        o.put("batch", 8);
        o.put("width", 8);
        o.put("blocks", 1);
        o.put("posterior_width", 4);
        o.put("warmup", 0);
        o.put("lr", 5e-3);
        o.put("hflip", hflip);
        return ImageRecipe.mnistQuick(Method.VRFM).with(o);
    }

    @Test
    void flipsChangeTrainingAndResumeStaysExact(@TempDir Path dir) throws Exception {
        ImageSet squares = ImageTrainerTest.squares();
        ImageTrainer a = new ImageTrainer(be, squares, tiny(true));
        for (int s = 0; s < 5; s++) a.trainStep();
        ImageTrainer b = new ImageTrainer(be, squares, tiny(true));
        for (int s = 0; s < 3; s++) b.trainStep();
        b.save(dir.resolve("ck.safetensors"), Map.of());
        ImageTrainer c = new ImageTrainer(be, squares, tiny(true));
        c.resume(dir.resolve("ck.safetensors"));
        for (int s = 0; s < 2; s++) c.trainStep();
        a.model().namedParameters().forEach((k, v) ->
                assertArrayEquals(v.toArray(), c.model().namedParameters().get(k).toArray(), k));
        ImageTrainer plain = new ImageTrainer(be, squares, tiny(false));
        for (int s = 0; s < 5; s++) plain.trainStep();
        boolean differs = a.model().namedParameters().entrySet().stream().anyMatch(e ->
                !Arrays.equals(e.getValue().toArray(), plain.model().namedParameters().get(e.getKey()).toArray()));
        assertTrue(differs, "hflip must reach the training batches");
    }

    @Test
    void cifarRecipeFlipsAndAnOlderRecipeWithoutTheFieldDoesNot() {
        ImageRecipe cifar = ImageRecipe.cifarPaper(Method.VRFM, LatentFusion.ADAPTIVE_NORM);
        assertTrue(cifar.hflip());
        assertEquals(true, cifar.toMap().get("hflip"));
        assertTrue(ImageRecipe.fromMap(cifar.toMap()).hflip());
        assertFalse(ImageRecipe.mnistQuick(Method.VRFM).hflip());
        Map<String, Object> old = new LinkedHashMap<>(cifar.toMap());
        old.remove("hflip"); // recipe.json written before flips existed: those runs trained without them
        assertFalse(ImageRecipe.fromMap(old).hflip());
    }
}
