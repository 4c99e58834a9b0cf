package io.vrfm.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code train --dataset ...} reaches the image trainer; image options without --dataset are refused. */
class TrainDispatchTest {
    @TempDir
    Path dir;

    private String[] run(String... args) {
        PrintStream oldErr = System.err, oldOut = System.out;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err));
        System.setOut(new PrintStream(new ByteArrayOutputStream()));
        try {
            return new String[]{Integer.toString(Main.execute(args)), err.toString()};
        } finally {
            System.setErr(oldErr);
            System.setOut(oldOut);
        }
    }

    @Test
    void datasetDelegatesToTheImageTrainer() {
        String[] r = run("train", "--dataset", "mnist", "--model", "mnist-resnet", "--device", "cpu",
                "--data-dir", dir.resolve("none").toString(), "--out", dir.resolve("run").toString());
        assertEquals("2", r[0]);
        assertTrue(r[1].contains("MNIST not found") && r[1].contains("data fetch mnist"), r[1]);
    }

    @Test
    void imageOptionsWithoutDatasetAreRefused() {
        String[] r = run("train", "--model", "unet");
        assertEquals("2", r[0]);
        assertTrue(r[1].contains("need --dataset"), r[1]);
    }
}
