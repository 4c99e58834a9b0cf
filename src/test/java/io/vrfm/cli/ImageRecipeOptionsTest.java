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
}
