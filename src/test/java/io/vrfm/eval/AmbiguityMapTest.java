package io.vrfm.eval;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AmbiguityMapTest {
    @Test
    void perBinStdMatchesKnownSpread() {
        // v ~ N(3, σ(t)²) with σ = 0.1 for t < 0.5 and 1.0 after, independent of x
        SplittableRandom r = new SplittableRandom(1);
        int m = 200_000;
        float[] x = new float[m], t = new float[m], v = new float[m];
        for (int i = 0; i < m; i++) {
            x[i] = (float) (r.nextDouble() * 4 - 2);
            t[i] = (float) r.nextDouble();
            double sigma = t[i] < 0.5 ? 0.1 : 1.0;
            v[i] = (float) (3 + sigma * r.nextGaussian());
        }
        AmbiguityMap map = AmbiguityMap.compute(x, t, v, 8, 10, -2, 2, 0, 1, 10);
        assertEquals(8, map.std().length);
        assertEquals(10, map.std()[0].length);
        for (int ix = 0; ix < 8; ix++) {
            for (int it = 0; it < 10; it++) {
                double expect = map.tCenter(it) < 0.5 ? 0.1 : 1.0;
                assertEquals(expect, map.std()[ix][it], 0.1 * expect, "bin " + ix + "," + it);
                assertEquals(3.0, map.mean()[ix][it], 0.05);
                assertTrue(map.count()[ix][it] > 2000);
            }
        }
        assertEquals(1.0, map.maxStd(), 0.1);
        assertTrue(map.argMaxStd()[1] >= 5);
        assertEquals(0.1, map.stdAt(0.3, 0.2), 0.01);
    }

    @Test
    void exactValuesSparseBinsAndEdges() {
        // bin (0,0) holds v = 1, 3 (std 1); bin (1,1) holds one point (NaN with minCount 2); points outside are dropped
        float[] x = {0.1f, 0.2f, 1.0f, 5f, -0.1f};
        float[] t = {0.1f, 0.2f, 1.0f, 0.5f, 0.5f};
        float[] v = {1f, 3f, 7f, 100f, 100f};
        AmbiguityMap map = AmbiguityMap.compute(x, t, v, 2, 2, 0, 1, 0, 1, 2);
        assertEquals(1.0, map.std()[0][0], 1e-12);
        assertEquals(2.0, map.mean()[0][0], 1e-12);
        assertEquals(2, map.count()[0][0]);
        assertEquals(1, map.count()[1][1], "the upper edge belongs to the last bin");
        assertTrue(Double.isNaN(map.std()[1][1]));
        assertTrue(Double.isNaN(map.std()[0][1]));
        assertEquals(0, map.count()[0][1] + map.count()[1][0]);
        assertEquals(1.0, map.meanStd(), 1e-12);
        assertEquals(0.25, map.xCenter(0), 1e-12);
        assertEquals(0.75, map.tCenter(1), 1e-12);
        AmbiguityMap empty = AmbiguityMap.compute(new float[0], new float[0], new float[0], 3, 3, 0, 1, 0, 1, 1);
        assertNull(empty.argMaxStd());
        assertTrue(Double.isNaN(empty.maxStd()));
        assertThrows(IllegalArgumentException.class, () -> AmbiguityMap.compute(x, t, new float[2], 2, 2, 0, 1, 0, 1, 2));
    }

    @Test
    void groundTruthRandomCouplingsAreAmbiguousNearZero() {
        // x0 ~ N(0, 1), x1 = ±1: at (0, 0) velocities are bimodal near ±1; a deterministic field would give std 0
        SplittableRandom r = new SplittableRandom(2);
        int n = 20000;
        float[] x0 = new float[n], x1 = new float[n];
        for (int i = 0; i < n; i++) {
            x0[i] = (float) r.nextGaussian();
            x1[i] = r.nextBoolean() ? 1f : -1f;
        }
        float[] times = new float[21];
        for (int j = 0; j < times.length; j++) {
            times[j] = j / 20f;
        }
        AmbiguityMap.Points p = AmbiguityMap.straightLinePoints(x0, x1, times);
        assertEquals(n * times.length, p.x().length);
        float[] near = AmbiguityMap.velocitiesNear(p.x(), p.t(), p.v(), 0, 0, 0.05, 0.01);
        assertTrue(near.length > 200);
        int pos = 0;
        for (float vel : near) {
            assertTrue(Math.abs(Math.abs(vel) - 1) < 0.06, "v=" + vel);
            pos += vel > 0 ? 1 : 0;
        }
        assertEquals(0.5, (double) pos / near.length, 0.08);
        AmbiguityMap map = AmbiguityMap.compute(p.x(), p.t(), p.v(), 20, 21, -2, 2, 0, 1.0001, 20);
        assertEquals(1.0, map.stdAt(0.0, 0.0), 0.1);
        // at t = 1 every point sits on ±1 and x = 0 is empty
        assertTrue(Double.isNaN(map.stdAt(0.0, 1.0)));
    }

    @Test
    void trajectoryPointsFlatten() {
        float[] times = {0f, 0.5f};
        float[][] paths = {{1f, 2f}, {3f, 4f}};
        float[][] vel = {{5f, 6f}, {7f, 8f}};
        AmbiguityMap.Points p = AmbiguityMap.trajectoryPoints(times, paths, vel);
        assertArrayEquals(new float[]{1, 2, 3, 4}, p.x());
        assertArrayEquals(new float[]{0, 0.5f, 0, 0.5f}, p.t());
        assertArrayEquals(new float[]{5, 6, 7, 8}, p.v());
    }

    @Test
    void coordinateVariant() {
        SplittableRandom r = new SplittableRandom(3);
        int m = 100_000, dim = 2;
        float[] x = new float[m * dim], v = new float[m * dim], t = new float[m];
        for (int i = 0; i < m; i++) {
            t[i] = (float) r.nextDouble();
            x[2 * i] = (float) r.nextDouble();
            x[2 * i + 1] = 50f; // far outside the range: must not be the binned coordinate
            v[2 * i] = (float) (0.3 * r.nextGaussian());
            v[2 * i + 1] = (float) (0.4 * r.nextGaussian());
        }
        AmbiguityMap c0 = AmbiguityMap.computeCoordinate(x, t, v, m, dim, 0, false, 4, 4, 0, 1, 0, 1, 5);
        AmbiguityMap tot = AmbiguityMap.computeCoordinate(x, t, v, m, dim, 0, true, 4, 4, 0, 1, 0, 1, 5);
        for (int ix = 0; ix < 4; ix++) {
            for (int it = 0; it < 4; it++) {
                assertEquals(0.3, c0.std()[ix][it], 0.02);
                assertEquals(0.5, tot.std()[ix][it], 0.02);
            }
        }
        AmbiguityMap c1 = AmbiguityMap.computeCoordinate(x, t, v, m, dim, 1, false, 4, 4, 0, 1, 0, 1, 5);
        assertTrue(Double.isNaN(c1.maxStd()));
        float[] near = AmbiguityMap.velocitiesNear(x, t, v, m, dim, 0, 0.5, 0.5, 0.05, 0.05);
        assertTrue(near.length > 500);
        assertThrows(IllegalArgumentException.class,
                () -> AmbiguityMap.computeCoordinate(x, t, v, m, dim, 2, false, 4, 4, 0, 1, 0, 1, 5));
    }
}
