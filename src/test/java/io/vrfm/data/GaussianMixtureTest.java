package io.vrfm.data;

import io.vrfm.tensor.Rng;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link GaussianMixture#sample} reads a reserved block of counters; it must give the numbers of the draw-by-draw
 * definition (a component by {@link Rng#nextInt}, then {@code dim} {@link Rng#nextGaussian}s) and leave the stream
 * where that would: the training data of every run so far depends on it.
 */
class GaussianMixtureTest {

    /** The definition, one locked draw at a time. */
    private static float[] drawByDraw(double[][] means, double std, Rng rng, int n) {
        int dim = means[0].length;
        float[] out = new float[n * dim];
        for (int i = 0; i < n; i++) {
            double[] m = means[means.length == 1 ? 0 : rng.nextInt(means.length)];
            for (int j = 0; j < dim; j++) {
                out[i * dim + j] = (float) (m[j] + std * rng.nextGaussian());
            }
        }
        return out;
    }

    @Test
    void aBlockOfDrawsEqualsTheDrawByDrawDefinitionAndLeavesTheStreamWhereItWould() {
        double[][][] cases = {{{0.0, 0.0}}, {{-1.0}, {1.0}}, {{1, 0}, {0, 1}, {-1, 0}, {0, -1}, {0.5, 0.5}, {2, 2}},
                {{0.0, 0.0, 0.0}}};
        for (double[][] means : cases) {
            GaussianMixture g = new GaussianMixture("t", means, 0.3);
            Rng a = new Rng(42), b = new Rng(42);
            a.take(17);
            b.take(17);
            for (int n : new int[] {1, 5, 1000}) {
                assertArrayEquals(drawByDraw(means, 0.3, b, n), g.sample(a, n), "components " + means.length);
            }
            assertEquals(b.take(1), a.take(1), "the stream moved on by a different count");
        }
    }

    @Test
    void theRngsPureDrawsAreItsNextDraws() {
        Rng a = new Rng(7), b = new Rng(7);
        long c = a.take(6);
        assertEquals(b.nextDouble(), a.doubleAt(c));
        assertEquals(b.nextGaussian(), a.gaussianAt(c + 2));
        assertEquals(b.take(1), a.take(1));
    }
}
