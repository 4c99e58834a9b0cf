package io.vrfm.nn;

import io.vrfm.backend.Backend;
import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.io.SafeTensors;
import io.vrfm.tensor.GradMode;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Golden-file test against PyTorch: {@code fixtures/unet_small/make_fixture.py} builds torchcfm's UNet structure,
 * seeds every weight, and stores the state dict with an input and the reference output. Our UNet must accept the
 * state dict by name and shape and reproduce the output within 1e-4 relative (to the output's scale).
 */
class UNetParityTest {
    private final Backend be = new CpuBackend(2);

    private static Path fixture(String name) throws Exception {
        return Path.of(UNetParityTest.class.getResource("/fixtures/unet_small/" + name).toURI());
    }

    private double[] compare(String file, UNetConfig cfg) throws Exception {
        SafeTensors.Contents c = SafeTensors.read(fixture(file));
        Map<String, SafeTensors.Entry> weights = new LinkedHashMap<>();
        c.tensors().forEach((k, v) -> {
            if (!k.startsWith("fixture.")) weights.put(k, v);
        });
        UNet net = new UNet(be, new Rng(0), cfg);
        SafeTensors.loadInto(net.namedParameters(), weights, file);
        net.eval();
        SafeTensors.Entry x = c.tensors().get("fixture.x"), t = c.tensors().get("fixture.t"), ref = c.tensors().get("fixture.out");
        SafeTensors.Entry z = c.tensors().get("fixture.z");
        assertEquals(cfg.latentDim() > 0, z != null, "the fixture has a latent exactly when the config has one");
        float[] out;
        try (GradMode.Scope g = GradMode.noGrad()) {
            out = net.velocity(Tensor.of(be, x.data(), x.shape()), Tensor.of(be, t.data(), t.shape()),
                    z == null ? null : Tensor.of(be, z.data(), z.shape())).toArray();
        }
        float[] r = ref.data();
        assertEquals(r.length, out.length);
        double maxAbs = 0, maxRef = 0;
        for (int i = 0; i < r.length; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(out[i] - r[i]));
            maxRef = Math.max(maxRef, Math.abs(r[i]));
        }
        System.out.printf("%s: %d parameters, max |diff| %.3g, relative to max |ref| %.3g%n", file,
                net.parameterCount(), maxAbs, maxAbs / maxRef);
        return new double[]{maxAbs, maxAbs / maxRef};
    }

    @Test
    void matchesPyTorchUNet() throws Exception {
        UNetConfig cfg = UNetConfig.builder().image(3, 16).modelChannels(32).numResBlocks(1).channelMult(1, 2)
                .attentionResolutions(8).dropout(0f).numHeads(2).numHeadChannels(-1).build();
        double[] d = compare("unet_small.safetensors", cfg);
        assertTrue(d[1] < 1e-4, "relative difference " + d[1]);
    }

    @Test
    void matchesPyTorchUNetWithScaleShiftNormAndHeadChannels() throws Exception {
        UNetConfig cfg = UNetConfig.builder().image(1, 8).modelChannels(32).numResBlocks(1).channelMult(1, 1)
                .attentionResolutions(8, 4).dropout(0f).numHeads(4).numHeadChannels(16).useScaleShiftNorm(true).build();
        double[] d = compare("unet_small_scaleshift.safetensors", cfg);
        assertTrue(d[1] < 1e-4, "relative difference " + d[1]);
    }

    /** V-RFM: z through latent_embed, added to the time embedding (adaptive norm, with scale-shift norm). */
    @Test
    void matchesPyTorchUNetWithAdaptiveNormLatent() throws Exception {
        UNetConfig cfg = new UNetConfig(1, 8, 32, 1, new int[]{1, 1}, new int[]{4}, 0f, 2, -1, true, 32,
                3, LatentFusion.ADAPTIVE_NORM, 16);
        double[] d = compare("unet_small_adanorm.safetensors", cfg);
        assertTrue(d[1] < 1e-4, "relative difference " + d[1]);
    }

    /** V-RFM: z through latent_embed, tiled over the bottleneck and mixed as 0.9·z + 0.1·h. */
    @Test
    void matchesPyTorchUNetWithBottleneckSumLatent() throws Exception {
        UNetConfig cfg = new UNetConfig(1, 8, 32, 1, new int[]{1, 1}, new int[]{4}, 0f, 2, -1, false, 32,
                3, LatentFusion.BOTTLENECK_SUM, 16);
        double[] d = compare("unet_small_bottleneck.safetensors", cfg);
        assertTrue(d[1] < 1e-4, "relative difference " + d[1]);
    }

    @Test
    void wrongCheckpointNamesTheOffendingTensors() throws Exception {
        SafeTensors.Contents c = SafeTensors.read(fixture("unet_small.safetensors"));
        Map<String, SafeTensors.Entry> weights = new LinkedHashMap<>();
        c.tensors().forEach((k, v) -> {
            if (!k.startsWith("fixture.")) weights.put(k, v);
        });
        weights.remove("middle_block.1.qkv.weight");
        SafeTensors.Entry e = weights.remove("out.2.weight");
        weights.put("out.2.weihgt", e);
        weights.put("input_blocks.0.0.bias", new SafeTensors.Entry(new int[]{7}, new float[7]));
        UNetConfig cfg = UNetConfig.builder().image(3, 16).modelChannels(32).numResBlocks(1).channelMult(1, 2)
                .attentionResolutions(8).dropout(0f).numHeads(2).numHeadChannels(-1).build();
        UNet net = new UNet(be, new Rng(0), cfg);
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.loadInto(net.namedParameters(), weights, "bad.safetensors"));
        String msg = ex.getMessage();
        assertTrue(msg.contains("missing 'middle_block.1.qkv.weight'"), msg);
        assertTrue(msg.contains("missing 'out.2.weight'"), msg);
        assertTrue(msg.contains("unexpected 'out.2.weihgt'"), msg);
        assertTrue(msg.contains("shape of 'input_blocks.0.0.bias'"), msg);
    }

    @Test
    void cifarConfigHasTorchcfmParameterCount() {
        // torchcfm's CIFAR-10 UNet (128 ch, [1,2,2,2], 2 res blocks, attention at 16): 35,746,307 parameters
        // (the "36.5M" the paper quotes includes its bookkeeping); names of a few landmarks.
        UNet net = new UNet(be, new Rng(0), UNetConfig.cifar10());
        Map<String, Tensor> p = net.namedParameters();
        assertTrue(p.containsKey("input_blocks.0.0.weight"));
        assertTrue(p.containsKey("time_embed.0.weight"));
        assertTrue(p.containsKey("middle_block.1.qkv.weight"));
        assertTrue(p.containsKey("out.2.weight"));
        assertEquals(35746307L, net.parameterCount());
    }
}
