package io.vrfm.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #9 items 2 and 4 through the launcher: image training stops at the first non-finite loss without writing a
 * non-finite checkpoint or replacing a finite one, and an image run interrupted after a checkpoint and resumed with
 * the same arguments ends with the same bytes as the uninterrupted run.
 */
class TrainingGuardsTest {
    @TempDir
    Path tmp;

    private Path data() throws Exception {
        Path data = tmp.resolve("data");
        if (!Files.isDirectory(data.resolve("mnist"))) {
            Cli.writeMnist(data.resolve("mnist"), 20, true);
        }
        return data;
    }

    @Test
    void imageTrainingStopsAtTheFirstNonFiniteLossAndKeepsTheLastFiniteCheckpoint() throws Exception {
        Path run = tmp.resolve("diverged");
        Cli r = Cli.run(Cli.tinyImage(data(), "--steps", "40", "--lr", "1e6", "--warmup", "0", "--checkpoint-every", "1",
                "--out", run.toString()));
        assertNotEquals(0, r.rc, r.toString());
        assertFalse(r.all().contains("\tat "), "stack trace: " + r);
        List<String> errors = r.err.lines().filter(l -> l.startsWith("error:")).toList();
        assertEquals(1, errors.size(), r.toString());
        assertTrue(errors.get(0).contains("non-finite") && errors.get(0).matches(".*step \\d+.*"),
                "one line naming the step: " + r);
        assertFalse(r.all().contains("done; run folder"), "a diverged run must not report success: " + r);
        Path last = run.resolve("checkpoints").resolve("last.safetensors");
        // step 1 (finite loss, huge but finite weights) was saved; the divergence after it must not replace that file
        assertTrue(Files.exists(last), "the step-1 checkpoint is gone: " + r);
        for (var e : io.vrfm.io.SafeTensors.read(last).tensors().entrySet()) {
            for (float v : e.getValue().data()) {
                assertTrue(Float.isFinite(v), "non-finite value kept in " + e.getKey());
            }
        }
    }

    @Test
    void imageResumeAfterACheckpointEndsWithTheBytesOfTheUninterruptedRun() throws Exception {
        Path whole = tmp.resolve("whole"), split = tmp.resolve("split");
        assertEquals(0, Cli.run(Cli.tinyImage(data(), "--steps", "4", "--checkpoint-every", "2",
                "--out", whole.toString())).rc);
        // the "killed" run: stopped right after its step-2 checkpoint, then resumed with the same arguments
        assertEquals(0, Cli.run(Cli.tinyImage(data(), "--steps", "2", "--checkpoint-every", "2",
                "--out", split.toString())).rc);
        Cli resumed = Cli.run(Cli.tinyImage(data(), "--steps", "4", "--checkpoint-every", "2",
                "--resume", split.toString()));
        assertEquals(0, resumed.rc, resumed.toString());
        Path a = whole.resolve("checkpoints").resolve("last.safetensors");
        Path b = split.resolve("checkpoints").resolve("last.safetensors");
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b),
                "resumed run's last checkpoint differs from the uninterrupted run's");
    }
}
