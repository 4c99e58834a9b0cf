package io.vrfm.eval;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The Inception Score on logits whose answer is known in closed form. */
class InceptionScoreTest {
    @Test
    void uniformPredictionsScoreOne() {
        float[] logits = new float[20 * 7];
        java.util.Arrays.fill(logits, 0.3f);
        InceptionScore.Score s = InceptionScore.of(logits, 20, 7, 2);
        assertEquals(1.0, s.mean(), 1e-9);
        assertEquals(0.0, s.std(), 1e-9);
    }

    /** Confident predictions spread evenly over k classes: p(y) is uniform on k, KL = log k, IS = k. */
    @Test
    void confidentEvenPredictionsScoreTheClassCount() {
        int n = 40, classes = 10, k = 4;
        float[] logits = new float[n * classes];
        for (int i = 0; i < n; i++) logits[i * classes + i % k] = 40f;
        assertEquals(k, InceptionScore.of(logits, n, classes, 1).mean(), 1e-6);
        // two splits, each still covering the k classes evenly
        InceptionScore.Score two = InceptionScore.of(logits, n, classes, 2);
        assertEquals(k, two.mean(), 1e-6);
        assertEquals(0, two.std(), 1e-6);
    }

    /** Two classes with p(y|x) = (0.9, 0.1) for half the samples and (0.1, 0.9) for the rest. */
    @Test
    void softPredictionsMatchTheKlFormula() {
        int n = 10;
        float a = (float) Math.log(9.0);
        float[] logits = new float[n * 2];
        for (int i = 0; i < n; i++) logits[i * 2 + (i % 2)] = a;
        double kl = 0.9 * Math.log(0.9 / 0.5) + 0.1 * Math.log(0.1 / 0.5);
        assertEquals(Math.exp(kl), InceptionScore.of(logits, n, 2, 1).mean(), 1e-6);
    }
}
