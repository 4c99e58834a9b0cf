package io.vrfm.cli;

import io.vrfm.flow.ImageRecipe;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** train-image options that set recipe fields: the preset's value unless given, the given one otherwise. */
class ImageRecipeOptionsTest {
    private static ImageRecipe recipe(String... args) {
        ImageTrainCommand c = new ImageTrainCommand();
        new CommandLine(c).parseArgs(args);
        return c.recipe(null);
    }

    @Test
    void hflipFollowsThePresetUnlessSwitched() {
        assertTrue(recipe("--dataset", "cifar10").hflip(), "the CIFAR paper recipe flips");
        assertFalse(recipe("--dataset", "cifar10", "--no-hflip").hflip());
        assertFalse(recipe("--dataset", "mnist").hflip(), "digits are not flipped by default");
        assertTrue(recipe("--dataset", "mnist", "--preset", "quick", "--hflip").hflip());
    }

    @Test
    void posteriorBlocksAndAttentionForTheUnetOnly() {
        ImageRecipe paper = recipe("--dataset", "cifar10");
        org.junit.jupiter.api.Assertions.assertEquals(2, paper.posteriorBlocks());
        org.junit.jupiter.api.Assertions.assertEquals("16", paper.posteriorAttention());
        ImageRecipe small = recipe("--dataset", "cifar10", "--posterior-blocks", "1", "--posterior-attention", "none");
        org.junit.jupiter.api.Assertions.assertEquals(1, small.posteriorBlocks());
        org.junit.jupiter.api.Assertions.assertEquals("", small.posteriorAttention());
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> recipe("--dataset", "mnist", "--posterior-blocks", "2"));
        assertTrue(e.getMessage().contains("mnist-resnet") && e.getMessage().contains("--model unet"), e.getMessage());
    }
}
