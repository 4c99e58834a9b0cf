package io.vrfm.nn;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The named builders give the same configurations as the positional constructors and keep their checks. */
class ConfigBuildersTest {
    private static void same(UNetConfig a, UNetConfig b) {
        assertEquals(a.toString(), b.toString());
        assertArrayEquals(a.channelMult(), b.channelMult());
        assertArrayEquals(a.attentionResolutions(), b.attentionResolutions());
        assertEquals(a.groups(), b.groups());
        assertEquals(a.latentHidden(), b.latentHidden());
        assertEquals(a.useScaleShiftNorm(), b.useScaleShiftNorm());
    }

    @Test
    void unetBuilderMatchesThePositionalConstructor() {
        same(new UNetConfig(3, 32, 128, 2, new int[]{1, 2, 2, 2}, new int[]{16}, 0.1f, 4, 64, false, 32,
                0, LatentFusion.NONE, 512), UNetConfig.builder().build());
        same(new UNetConfig(1, 28, 32, 2, new int[]{1, 2, 2}, new int[]{14}, 0.1f, 4, -1, false, 32,
                0, LatentFusion.NONE, 512), UNetConfig.mnist(32));
        same(new UNetConfig(1, 4, 8, 1, new int[]{1, 2}, new int[]{2}, 0f, 2, -1, true, 4, 3,
                        LatentFusion.ADAPTIVE_NORM, 6),
                UNetConfig.builder().image(1, 4).modelChannels(8).numResBlocks(1).channelMult(1, 2)
                        .attentionResolutions(2).dropout(0f).numHeads(2).numHeadChannels(-1).useScaleShiftNorm(true)
                        .groups(4).latent(3, LatentFusion.ADAPTIVE_NORM).latentHidden(6).build());
        same(UNetConfig.cifar10().withLatent(768, LatentFusion.BOTTLENECK_SUM),
                UNetConfig.builder().latent(768, LatentFusion.BOTTLENECK_SUM).build());
        assertThrows(IllegalArgumentException.class, () -> UNetConfig.builder().latent(4, LatentFusion.NONE).build());
    }

    @Test
    void mnistResNetBuilderMatchesThePositionalConstructor() {
        assertEquals(new MnistResNetConfig(1, 64, 5, 64, 2, 1000f), MnistResNetConfig.builder().latentDim(2).build());
        assertEquals(new MnistResNetConfig(3, 16, 2, 8, 0, 10f), MnistResNetConfig.builder().channels(3).width(16)
                .blocks(2).embDim(8).timeScale(10f).build());
        assertEquals(MnistResNetConfig.paper(2), MnistResNetConfig.paper(0).withLatent(2));
    }
}
