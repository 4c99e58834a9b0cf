package io.vrfm.cli;

import java.io.PrintStream;

/**
 * Progress of a training loop on stderr: redrawn in place on a terminal, a plain line every
 * {@code everySeconds} otherwise (logs); step/total, steps/s, ETA and a status string.
 */
final class RunLog {
    private final PrintStream out = System.err;
    private final String label;
    private final long total;
    private final boolean tty = System.console() != null;
    private final long start = System.nanoTime();
    private long last = Long.MIN_VALUE;
    private final double everySeconds;

    RunLog(String label, long total, double everySeconds) {
        this.label = label;
        this.total = total;
        this.everySeconds = everySeconds;
    }

    void update(long done, long first, String status) {
        long now = System.nanoTime();
        boolean end = done >= total;
        if (!end && last != Long.MIN_VALUE && (now - last) / 1e9 < (tty ? 0.2 : everySeconds)) {
            return;
        }
        last = now;
        double secs = (now - start) / 1e9;
        double rate = secs > 0 ? (done - first) / secs : 0;
        double eta = rate > 0 ? (total - done) / rate : Double.NaN;
        int w = 20, filled = total == 0 ? w : (int) Math.min(w, w * done / Math.max(1, total));
        String line = String.format("%s [%s%s] %d/%d %.2f it/s ETA %s %s", label, "#".repeat(filled),
                "-".repeat(w - filled), done, total, rate, Double.isNaN(eta) ? "?" : fmt(eta), status);
        if (tty) {
            out.print("\r" + line + "\u001b[K");
            if (end) out.println();
        } else {
            out.println(line);
        }
        out.flush();
    }

    static String fmt(double secs) {
        long s = Math.round(secs);
        return s >= 3600 ? String.format("%dh%02dm", s / 3600, (s % 3600) / 60) : String.format("%dm%02ds", s / 60, s % 60);
    }
}
