package io.vrfm.eval;

import io.vrfm.backend.Backend;
import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.nn.VelocityField;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Paper Fig. 7's layout: one z per panel, the same source noise at the same grid place in every panel. */
class ControllabilityTest {
    private final Backend be = new CpuBackend(1);

    /** A field that records the (x, z) it is called with and moves every pixel by 0.1·z_0. */
    private static final class Recording implements VelocityField {
        final List<float[]> xs = new ArrayList<>(), zs = new ArrayList<>();

        @Override
        public Tensor velocity(Tensor x, Tensor t, Tensor z) {
            xs.add(x.toArray());
            zs.add(z.toArray());
            int n = x.dim(0), per = (int) (x.size() / n);
            float[] zz = z.toArray(), v = new float[(int) x.size()];
            for (int i = 0; i < n; i++) Arrays.fill(v, i * per, (i + 1) * per, 0.1f * zz[i * 3]);
            return Tensor.of(x.backend(), v, x.shape());
        }

        @Override
        public int latentDim() {
            return 3;
        }
    }

    @Test
    void panelsShareZAndPlacesShareTheSourceNoise() {
        Recording f = new Recording();
        int panels = 3, rows = 2, cols = 3, k = rows * cols;
        int[] chw = {3, 4, 4};
        int per = 48;
        float[][] out = Controllability.panelsShareZ(be, f, panels, rows, cols, chw,
                ImageSampling.SamplerSpec.euler(1), new Rng(5));
        assertEquals(1, f.xs.size(), "one batch, one Euler step");
        float[] x = f.xs.get(0), z = f.zs.get(0);
        assertEquals(panels * k * per, x.length);
        for (int p = 0; p < panels; p++) {
            float[] zp = Arrays.copyOfRange(z, p * k * 3, p * k * 3 + 3);
            for (int i = 0; i < k; i++) {
                int row = p * k + i;
                assertArrayEquals(Arrays.copyOfRange(x, i * per, (i + 1) * per),
                        Arrays.copyOfRange(x, row * per, (row + 1) * per), "panel " + p + " place " + i + ": x0 of place " + i);
                assertArrayEquals(zp, Arrays.copyOfRange(z, row * 3, row * 3 + 3), "panel " + p + ": one z");
            }
            if (p > 0) assertFalse(Arrays.equals(zp, Arrays.copyOfRange(z, 0, 3)), "panels differ in z");
        }
        assertFalse(Arrays.equals(Arrays.copyOfRange(x, 0, per), Arrays.copyOfRange(x, per, 2 * per)),
                "places differ in x0");
        // the output is x0 + 0.1·z_0 (one Euler step over [0, 1]), clamped, panel by panel
        for (int p = 0; p < panels; p++) {
            assertEquals(k * per, out[p].length);
            for (int j = 0; j < k * per; j++) {
                float want = Math.max(-1f, Math.min(1f, x[j] + 0.1f * z[p * k * 3]));
                assertEquals(want, out[p][j], 1e-6f);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> Controllability.panelsShareZ(be, new VelocityField() {
            @Override
            public Tensor velocity(Tensor x0, Tensor t, Tensor z0) {
                return x0;
            }

            @Override
            public int latentDim() {
                return 0;
            }
        }, 3, 2, 2, chw, ImageSampling.SamplerSpec.euler(1), new Rng(1)));
    }

    @Test
    void sideBySidePutsPanelsInColumnBlocksWithBlankGaps() {
        // 2 panels of 2×2 one-float images: panel p, place i holds 10(p + 2) + i; the gap column is blank (1)
        float[][] panels = {{20, 21, 22, 23}, {30, 31, 32, 33}};
        float[] grid = Controllability.sideBySide(panels, 2, 2, 1, 1);
        assertArrayEquals(new float[]{20, 21, 1, 30, 31, 22, 23, 1, 32, 33}, grid);
    }
}
