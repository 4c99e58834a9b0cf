package io.vrfm.flow;

import io.vrfm.backend.Backend;
import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.nn.LatentFusion;
import io.vrfm.nn.PosteriorInput;
import io.vrfm.nn.UNetEncoder;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CIFAR-10 posterior as the paper describes it (App. D.3), configurable, and older recipes unchanged. */
class PosteriorSizeTest {
    private final Backend be = new CpuBackend(2);

    /** The paper's CIFAR recipe with a small velocity net (the posterior is what is under test). */
    private static ImageRecipe cifar(Map<String, Object> more) {
        Map<String, Object> o = new LinkedHashMap<>(Map.of("width", 32, "latent_dim", 8));
        o.putAll(more);
        return ImageRecipe.cifarPaper(Method.VRFM, LatentFusion.ADAPTIVE_NORM).with(o);
    }

    private Set<String> posteriorNames(ImageRecipe r) {
        FlowModel m = ImageModels.build(be, new Rng(0), r, 3, 32);
        return new TreeSet<>(((UNetEncoder) m.posterior()).namedParameters().keySet());
    }

    @Test
    void cifarPosteriorHasTwoResBlocksPerLevelAndAttentionAt16() {
        ImageRecipe r = ImageRecipe.cifarPaper(Method.VRFM, LatentFusion.ADAPTIVE_NORM);
        assertEquals(2, r.posteriorBlocks());
        assertArrayEquals(new int[]{16}, r.posteriorAttentionSizes());
        Set<String> names = posteriorNames(cifar(Map.of()));
        // input_blocks: 0 conv; per level two ResBlocks then a Downsample (none after the 1×1 level):
        // 32×32: 1, 2 (3 down); 16×16: 4, 5 (6 down); 8: 7, 8; 4: 10, 11; 2: 13, 14; 1: 16, 17
        for (int b : new int[]{1, 2, 4, 5, 7, 8, 10, 11, 13, 14, 16, 17}) {
            assertTrue(names.contains("input_blocks." + b + ".0.in_layers.2.weight"), "ResBlock " + b + " " + names);
        }
        assertFalse(names.stream().anyMatch(n -> n.startsWith("input_blocks.18.")), "six levels only");
        Set<String> attn = new TreeSet<>();
        for (String n : names) if (n.contains(".qkv.weight")) attn.add(n);
        assertEquals(Set.of("input_blocks.4.1.qkv.weight", "input_blocks.5.1.qkv.weight"), attn,
                "attention after each ResBlock of the 16×16 level only");
        FlowModel m = ImageModels.build(be, new Rng(0), cifar(Map.of()), 3, 32);
        Tensor x1 = Tensor.randn(be, new Rng(1), 2, 3, 32, 32);
        Tensor[] q = m.posterior().encode(null, x1, null, Tensor.zeros(be, 2));
        assertArrayEquals(new int[]{2, 8}, q[0].shape());
        assertArrayEquals(new int[]{2, 8}, q[1].shape());
    }

    @Test
    void blocksAndAttentionAreConfigurable() {
        Set<String> names = posteriorNames(cifar(Map.of("posterior_blocks", 3, "posterior_attention", "8,32")));
        assertTrue(names.contains("input_blocks.3.0.in_layers.2.weight") && names.contains("input_blocks.3.1.qkv.weight"));
        assertTrue(names.contains("input_blocks.9.1.qkv.weight"), "8×8 level: input_blocks 9..11");
        assertFalse(names.contains("input_blocks.5.1.qkv.weight"), "no attention at 16×16");
        Set<String> none = posteriorNames(cifar(Map.of("posterior_attention", "none")));
        assertTrue(none.stream().noneMatch(n -> n.contains("qkv")));
        assertThrows(IllegalArgumentException.class, () -> cifar(Map.of("posterior_attention", "16x")));
        assertThrows(IllegalArgumentException.class, () -> cifar(Map.of("posterior_blocks", 0)));
    }

    @Test
    void aRecipeWrittenBeforeTheFieldsBuildsTheSamePosteriorAsBefore() {
        Map<String, Object> old = new LinkedHashMap<>(cifar(Map.of()).toMap());
        old.remove("posterior_blocks");
        old.remove("posterior_attention");
        ImageRecipe r = ImageRecipe.fromMap(old);
        assertEquals(1, r.posteriorBlocks());
        assertEquals("", r.posteriorAttention());
        UNetEncoder before = new UNetEncoder(be, new Rng(0), 3, 32, 16, 1, 8, EnumSet.of(PosteriorInput.X1));
        assertEquals(new TreeSet<>(before.namedParameters().keySet()), posteriorNames(r));
        ImageRecipe round = ImageRecipe.fromMap(cifar(Map.of("posterior_attention", "16, 8")).toMap());
        assertEquals("8,16", round.posteriorAttention());
        assertEquals(2, round.posteriorBlocks());
    }
}
