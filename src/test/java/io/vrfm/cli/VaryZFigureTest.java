package io.vrfm.cli;

import io.vrfm.backend.Backend;
import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.eval.ImageSampling;
import io.vrfm.nn.ClassConditionalField;
import io.vrfm.nn.ClassifierFreeGuidance;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one-class, z-varied figure: rows share x0, columns share z, every sample of the requested class. */
class VaryZFigureTest {
    private final Backend be = new CpuBackend(1);

    /** A class-conditional field with a 2-d latent that records what it sees and moves nothing (v = 0). */
    private static final class Spy implements ClassConditionalField {
        final List<float[]> xs = new ArrayList<>(), zs = new ArrayList<>(), labels = new ArrayList<>();

        @Override
        public Tensor velocity(Tensor x, Tensor t, Tensor z, Tensor y) {
            xs.add(x.toArray());
            zs.add(z.toArray());
            labels.add(y.toArray());
            return x.mul(0f);
        }

        @Override
        public Tensor velocity(Tensor x, Tensor t, Tensor z) {
            throw new AssertionError("the figure must pass the requested class");
        }

        @Override
        public int latentDim() {
            return 2;
        }

        @Override
        public int numClasses() {
            return 3;
        }
    }

    private static float[] image(float[] all, int k, int per) {
        return Arrays.copyOfRange(all, k * per, (k + 1) * per);
    }

    @Test
    void rowsShareX0ColumnsShareZAndEverySampleHasTheClass() {
        Spy spy = new Spy();
        int rows = 3, cols = 4, n = rows * cols, d = 2;
        int[] chw = {1, 2, 2};
        int per = 4;
        ImageSampling.Conditioning cond = ImageSampling.Conditioning.single(2, 1.5f)
                .withChannels(ClassifierFreeGuidance.Channels.FIRST_THREE);
        float[] out = ImageRuns.varyZ(be, spy, cond, rows, cols, chw, ImageSampling.SamplerSpec.euler(2), new Rng(7));
        assertEquals(n * per, out.length, "one image per grid cell");
        VelocityField guided = cond.field(spy, be, 0, n);
        assertEquals(ClassifierFreeGuidance.Channels.FIRST_THREE, ((ClassifierFreeGuidance) guided).channels(),
                "the chosen channel rule reaches the guidance");
        assertEquals(2, spy.zs.size(), "Euler 2: two evaluations, each one doubled batch");
        for (int call = 0; call < spy.zs.size(); call++) {
            float[] z = spy.zs.get(call), y = spy.labels.get(call), x = spy.xs.get(call);
            assertEquals(2 * n * d, z.length, "guidance doubles the batch");
            for (int i = 0; i < n; i++) {
                assertEquals(2f, y[i], "conditional half: the requested class");
                assertEquals(3f, y[n + i], "unconditional half: the null class");
                assertArrayEquals(image(z, i, d), image(z, n + i, d), "both halves share z");
            }
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    int k = r * cols + c;
                    assertArrayEquals(image(z, c, d), image(z, k, d), "column " + c + " shares one z");
                    assertArrayEquals(image(x, r * cols, per), image(x, k, per), "row " + r + " shares one x0");
                    if (c > 0) {
                        assertFalse(Arrays.equals(image(z, k - 1, d), image(z, k, d)), "z differs between columns");
                    }
                    if (r > 0) {
                        assertFalse(Arrays.equals(image(x, k - cols, per), image(x, k, per)), "x0 differs between rows");
                    }
                }
            }
        }
        // v = 0: every sample is its (clamped) x0, so the figure's rows repeat their first image
        for (int k = 0; k < n; k++) {
            assertArrayEquals(image(out, (k / cols) * cols, per), image(out, k, per));
        }
    }

    @Test
    void unconditionalVrfmFieldsWorkAndRfmOrSdeAreRefused() {
        List<float[]> seen = new ArrayList<>();
        VelocityField vrfm = new VelocityField() {
            @Override
            public Tensor velocity(Tensor x, Tensor t, Tensor z) {
                seen.add(z.toArray());
                return x.mul(0f);
            }

            @Override
            public int latentDim() {
                return 3;
            }
        };
        float[] out = ImageRuns.varyZ(be, vrfm, null, 2, 2, new int[]{1, 2, 2}, ImageSampling.SamplerSpec.euler(1), new Rng(1));
        assertEquals(16, out.length);
        assertEquals(1, seen.size());
        assertEquals(12, seen.get(0).length, "no guidance: one batch of 4 latents");
        VelocityField rfm = new VelocityField() {
            @Override
            public Tensor velocity(Tensor x, Tensor t, Tensor z) {
                return x;
            }

            @Override
            public int latentDim() {
                return 0;
            }
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageRuns.varyZ(be, rfm, null,
                2, 2, new int[]{1, 2, 2}, ImageSampling.SamplerSpec.euler(1), new Rng(1)));
        assertTrue(e.getMessage().contains("V-RFM"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ImageRuns.varyZ(be, vrfm, null, 2, 2,
                new int[]{1, 2, 2}, ImageSampling.SamplerSpec.sitSde(4), new Rng(1)));
        assertTrue(e.getMessage().contains("ODE"), e.getMessage());
    }
}
