package io.vrfm.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/** Runs the launcher in-process with stdout and stderr captured; writes tiny data sets for CLI tests. */
final class Cli {
    final int rc;
    final String out;
    final String err;

    private Cli(int rc, String out, String err) {
        this.rc = rc;
        this.out = out;
        this.err = err;
    }

    static Cli run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int rc;
        try {
            System.setOut(new PrintStream(out, true));
            System.setErr(new PrintStream(err, true));
            rc = Main.execute(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new Cli(rc, out.toString(), err.toString());
    }

    String all() {
        return out + err;
    }

    @Override
    public String toString() {
        return "rc " + rc + "\nstdout:\n" + out + "\nstderr:\n" + err;
    }

    /** A tiny MNIST-format split (IDX, 28×28, a bright row band per label) as train- or t10k- files. */
    static void writeMnist(Path dir, int n, boolean train) throws Exception {
        Files.createDirectories(dir);
        ByteBuffer img = ByteBuffer.allocate(16 + n * 784);
        img.putInt(0x803).putInt(n).putInt(28).putInt(28);
        ByteBuffer lab = ByteBuffer.allocate(8 + n);
        lab.putInt(0x801).putInt(n);
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < 784; p++) img.put((byte) (((p / 28) % 10 == i % 10) ? 255 : 0));
            lab.put((byte) (i % 10));
        }
        String prefix = train ? "train" : "t10k";
        Files.write(dir.resolve(prefix + "-images-idx3-ubyte"), img.array());
        Files.write(dir.resolve(prefix + "-labels-idx1-ubyte"), lab.array());
    }

    /** Arguments of a tiny train-image run (MNIST quick preset shrunk to a few steps of batch 4). */
    static String[] tinyImage(Path data, String... more) {
        String[] base = {"train-image", "--dataset", "mnist", "--method", "vrfm", "--preset", "quick", "--batch", "4",
                "--width", "4", "--blocks", "1", "--posterior-width", "4", "--sample-every", "0", "--device", "cpu",
                "--data-dir", data.toString()};
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }
}
