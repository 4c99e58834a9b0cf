package io.vrfm.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A small progress bar on stderr: redrawn in place ({@code \r}) on a terminal, and printed as a plain line every
 * {@code everySeconds} (and at the end) when stderr is not a terminal (logs, CI). Shows step/total, it/s, ETA and a
 * caller-supplied status such as the loss.
 */
public final class ProgressBar {
    private final PrintStream out;
    private final String label;
    private final long total;
    private final boolean tty;
    private final long start = System.nanoTime();
    private final double everySeconds;
    private long lastDraw;
    private long lastLine = Long.MIN_VALUE;

    public ProgressBar(String label, long total) {
        this(System.err, label, total, System.console() != null, 10.0);
    }

    public ProgressBar(PrintStream out, String label, long total, boolean tty, double everySeconds) {
        this.out = out;
        this.label = label;
        this.total = total;
        this.tty = tty;
        this.everySeconds = everySeconds;
    }

    /** Reports progress {@code done} of {@code total}; cheap to call every step. */
    public void update(long done, String status) {
        long now = System.nanoTime();
        boolean last = done >= total;
        if (tty) {
            if (!last && now - lastDraw < 100_000_000L) {
                return;
            }
            lastDraw = now;
            out.print("\r" + line(done, status, now) + "\u001b[K");
            if (last) {
                out.println();
            }
            out.flush();
        } else if (last || lastLine == Long.MIN_VALUE || (now - lastLine) / 1e9 >= everySeconds) {
            lastLine = now;
            out.println(line(done, status, now));
            out.flush();
        }
    }

    private String line(long done, String status, long now) {
        double secs = (now - start) / 1e9;
        double rate = secs > 0 ? done / secs : 0;
        double eta = rate > 0 ? (total - done) / rate : Double.NaN;
        int width = 24;
        int filled = total == 0 ? width : (int) Math.min(width, width * done / total);
        String bar = "#".repeat(filled) + "-".repeat(width - filled);
        return String.format(Locale.ROOT, "%s [%s] %d/%d %.1f it/s eta %s %s", label, bar, done, total, rate,
                Double.isNaN(eta) ? "?" : String.format(Locale.ROOT, "%.0fs", eta), status == null ? "" : status);
    }

    /** Seconds since the bar was created. */
    public double elapsedSeconds() {
        return (System.nanoTime() - start) / 1e9;
    }
}
