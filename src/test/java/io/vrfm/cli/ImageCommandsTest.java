package io.vrfm.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Image commands: one-line errors for missing data, and a tiny train-image run with checkpoints and resume. */
class ImageCommandsTest {
    private static String[] run(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        int rc;
        try {
            System.setErr(new PrintStream(err, true));
            rc = Main.execute(args);
        } finally {
            System.setErr(old);
        }
        return new String[]{Integer.toString(rc), err.toString()};
    }

    /** A tiny MNIST-format training split (IDX, 28×28, stripes by label). */
    private static void writeIdx(Path dir, int n) throws Exception {
        Files.createDirectories(dir);
        java.nio.ByteBuffer img = java.nio.ByteBuffer.allocate(16 + n * 784);
        img.putInt(0x803).putInt(n).putInt(28).putInt(28);
        java.nio.ByteBuffer lab = java.nio.ByteBuffer.allocate(8 + n);
        lab.putInt(0x801).putInt(n);
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < 784; p++) img.put((byte) (((p / 28) % 10 == i % 10) ? 255 : 0));
            lab.put((byte) (i % 10));
        }
        Files.write(dir.resolve("train-images-idx3-ubyte"), img.array());
        Files.write(dir.resolve("train-labels-idx1-ubyte"), lab.array());
    }

    @Test
    void missingDataNamesTheFetchCommand(@TempDir Path tmp) {
        String[] r = run("reproduce", "mnist", "--quick", "--device", "cpu", "--data-dir", tmp.toString(),
                "--out", tmp.resolve("run").toString());
        assertEquals("2", r[0]);
        assertTrue(r[1].contains("data fetch mnist"), r[1]);
        String[] t = run("train-image", "--dataset", "fashion-mnist", "--device", "cpu", "--data-dir", tmp.toString());
        assertEquals("2", t[0]);
        assertTrue(t[1].contains("data fetch fashion-mnist"), t[1]);
        String[] c = run("train-image", "--dataset", "cifar10", "--device", "cpu", "--data-dir", tmp.toString());
        assertEquals("2", c[0]);
        assertTrue(c[1].contains("cifar-10-binary.tar.gz") && c[1].lines().count() == 1, c[1]);
    }

    @Test
    void tinyTrainImageRunWritesCheckpointsSamplesAndResumes(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        writeIdx(data.resolve("mnist"), 40);
        Path out = tmp.resolve("run");
        String[] args = {"train-image", "--dataset", "mnist", "--method", "vrfm", "--preset", "quick", "--steps", "4",
                "--batch", "4", "--checkpoint-every", "2", "--sample-every", "4", "--device", "cpu",
                "--data-dir", data.toString(), "--out", out.toString()};
        String[] r = run(args);
        assertEquals("0", r[0], r[1]);
        assertTrue(Files.isRegularFile(out.resolve("checkpoints/step-0000002.safetensors")));
        assertTrue(Files.isRegularFile(out.resolve("checkpoints/last.safetensors")));
        assertTrue(Files.isRegularFile(out.resolve("samples/step-0000004.png")));
        assertTrue(Files.readAllLines(out.resolve("log.csv")).size() == 5);
        String[] again = run("train-image", "--dataset", "mnist", "--method", "vrfm", "--preset", "quick", "--steps", "6",
                "--batch", "4", "--checkpoint-every", "2", "--sample-every", "0", "--device", "cpu",
                "--data-dir", data.toString(), "--out", out.toString(), "--resume", out.toString());
        assertEquals("0", again[0], again[1]);
        assertTrue(again[1].contains("resumed from") && again[1].contains("at step 4"), again[1]);
        assertTrue(Files.isRegularFile(out.resolve("checkpoints/step-0000006.safetensors")));
    }

    /** A decimal-comma locale must not turn log.csv's numbers into extra columns ("0,5" for 0.5). */
    @Test
    void logCsvKeepsItsColumnsUnderADecimalCommaLocale(@TempDir Path tmp) throws Exception {
        java.util.Locale before = java.util.Locale.getDefault();
        java.util.Locale.setDefault(java.util.Locale.GERMANY);
        try {
            Path data = tmp.resolve("data");
            writeIdx(data.resolve("mnist"), 40);
            Path out = tmp.resolve("run");
            String[] r = run("train-image", "--dataset", "mnist", "--method", "vrfm", "--preset", "quick", "--steps",
                    "2", "--batch", "4", "--checkpoint-every", "0", "--sample-every", "0", "--device", "cpu",
                    "--data-dir", data.toString(), "--out", out.toString());
            assertEquals("0", r[0], r[1]);
            java.util.List<String> lines = Files.readAllLines(out.resolve("log.csv"));
            assertEquals(3, lines.size(), lines.toString());
            int columns = lines.get(0).split(",", -1).length;
            for (String line : lines.subList(1, lines.size())) {
                assertEquals(columns, line.split(",", -1).length, line);
                for (String cell : line.split(",")) {
                    Double.parseDouble(cell);
                }
            }
        } finally {
            java.util.Locale.setDefault(before);
        }
    }
}
