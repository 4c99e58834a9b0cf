package io.vrfm.nn;

import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyntheticNetsTest {
    private static final CpuBackend BE = new CpuBackend(1);

    @Test
    void fusedHostFeaturesEqualTheTensorPath() {
        ScalarEncoder enc = new ScalarEncoder(BE, new Rng(1), 2, 64);
        Tensor x = Tensor.randn(BE, new Rng(2), 7, 2);
        float[] fused = enc.features(x).toArray();
        float[] graph = enc.features(x.copy().requiresGrad(true)).toArray();
        assertArrayEquals(graph, fused, 0f);
    }

    /** The fused pass splits its rows over the backend's threads (it ran on the caller alone): same bits. */
    @Test
    void fusedFeaturesSplitOverTheBackendsThreadsWithTheSameBits() {
        try (CpuBackend two = new CpuBackend(2)) {
            ScalarEncoder enc = new ScalarEncoder(two, new Rng(1), 2, 64);
            Tensor x = Tensor.randn(two, new Rng(2), 1000, 2);
            long regions = two.parallelRegions();
            float[] fused = enc.features(x).toArray();
            assertEquals(1, two.parallelRegions() - regions, "the fused features ran as one parallel region");
            assertArrayEquals(enc.features(x.copy().requiresGrad(true)).toArray(), fused, 0f);
        }
    }

    @Test
    void fusedFeaturesReuseStagingWithoutAliasingEarlierResults() {
        ScalarEncoder enc = new ScalarEncoder(BE, new Rng(1), 2, 16);
        Tensor big = Tensor.randn(BE, new Rng(3), 9, 2);
        Tensor small = Tensor.randn(BE, new Rng(4), 4, 2);
        Tensor bigFeatures = enc.features(big);
        float[] bigBefore = bigFeatures.toArray();
        float[] smallFused = enc.features(small).toArray();
        assertArrayEquals(bigBefore, bigFeatures.toArray(), 0f);
        assertEquals(4 * 2 * 16, smallFused.length);
        assertArrayEquals(enc.features(small.copy().requiresGrad(true)).toArray(), smallFused, 0f);
        assertArrayEquals(enc.features(big.copy().requiresGrad(true)).toArray(), enc.features(big).toArray(), 0f);
    }

    @Test
    void paperShapesAndStableNames() {
        SyntheticVelocityNet v = new SyntheticVelocityNet(BE, new Rng(1), 2, 8);
        SyntheticPosterior q = new SyntheticPosterior(BE, new Rng(1), 2, 8,
                EnumSet.of(PosteriorInput.X0, PosteriorInput.X1, PosteriorInput.XT));
        var names = v.namedParameters().keySet();
        assertTrue(names.contains("t_enc.mlp.layers.1.weight") && names.contains("x_enc.mlp.layers.0.weight")
                && names.contains("z_enc.layers.2.weight") && names.contains("decoder.layers.3.bias"), names.toString());
        assertEquals(256, v.namedParameters().get("decoder.layers.0.weight").dim(1)); // t 64 + x 64 + z 128
        assertEquals(4, v.namedParameters().keySet().stream().filter(k -> k.startsWith("decoder.layers.") && k.endsWith(".weight")).count());
        assertTrue(q.namedParameters().containsKey("enc_xt.mlp.layers.1.bias"));
        assertEquals(16, q.namedParameters().get("head.layers.2.weight").dim(0));
        Tensor x = Tensor.randn(BE, new Rng(3), 5, 2), t = Tensor.rand(BE, new Rng(4), 5);
        Tensor[] ml = q.encode(x, x, x, t);
        assertEquals(8, ml[0].dim(1));
        assertEquals(2, v.velocity(x, t, ml[0]).dim(1));
    }
}
