package io.vrfm.backend.cpu;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Random;

/**
 * Compares the register tiles on this machine, one thread, in one JVM: for each shape the tiles take turns
 * (1.5 s of warm-up each, then ROUNDS turns of 0.25 s), and the best GFLOP/s per tile is printed. Time is the
 * thread's CPU time, so other processes on a loaded machine slow the numbers less than wall-clock time would
 * (they still share the caches). Shapes as in SgemmBench ({@code N} or {@code PASS:ROWSxINxOUT}); NumPy's
 * counterpart is {@code bench/sgemm_numpy.py --cpu-time}. Run after {@code mvn -q test-compile}:
 * <pre>
 * java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes \
 *     io.vrfm.backend.cpu.SgemmTileSweepMain ROUNDS TILES SHAPE...     (TILES e.g. 8x2,6x2)
 * </pre>
 * A tile may carry {@code +p} (A and B packed), {@code +a} (A read in place), {@code +b} (B read in place) or
 * {@code +ab}, e.g. {@code 6x2+p,6x2+a}, to compare the operand paths; a bare tile runs as the defaults choose.
 */
public final class SgemmTileSweepMain {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private SgemmTileSweepMain() {
    }

    public static void main(String[] args) {
        int rounds = Integer.parseInt(args[0]);
        String[] labels = args[1].split(",");
        SgemmTile[] tiles = Arrays.stream(labels).map(l -> SgemmTile.parse(l.split("\\+")[0]))
                .toArray(SgemmTile[]::new);
        String[] modes = Arrays.stream(labels).map(l -> l.contains("+") ? l.substring(l.indexOf('+') + 1) : "")
                .toArray(String[]::new);
        System.out.println("# " + Sgemm.path() + "; one thread, CPU time");
        for (String shape : Arrays.copyOfRange(args, 2, args.length)) {
            boolean ta = false, tb = false;
            int m, n, k;
            int colon = shape.indexOf(':');
            if (colon < 0) {
                m = n = k = Integer.parseInt(shape);
            } else {
                String[] d = shape.substring(colon + 1).split("x");
                int rows = Integer.parseInt(d[0]), in = Integer.parseInt(d[1]), out = Integer.parseInt(d[2]);
                switch (shape.substring(0, colon)) {
                    case "fwd" -> { tb = true; m = rows; n = out; k = in; }
                    case "bwd-data" -> { m = rows; n = in; k = out; }
                    case "bwd-weight" -> { ta = true; m = out; n = in; k = rows; }
                    default -> throw new IllegalArgumentException("unknown pass in " + shape);
                }
            }
            int lda = ta ? m : k, ldb = tb ? k : n;
            Random rnd = new Random(1);
            float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
            for (int i = 0; i < a.length; i++) {
                a[i] = rnd.nextFloat() - 0.5f;
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = rnd.nextFloat() - 0.5f;
            }
            double flop = 2.0 * m * n * k;
            double[] best = new double[tiles.length];
            for (int r = -1; r < rounds; r++) {
                for (int t = 0; t < tiles.length; t++) {
                    long t0 = THREADS.getCurrentThreadCpuTime();
                    long span = r < 0 ? 1_500_000_000L : 250_000_000L;
                    int reps = 0;
                    long used;
                    do {
                        if (modes[t].isEmpty()) {
                            SgemmVector.sgemm(tiles[t], ta, tb, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n, null);
                        } else {
                            SgemmVector.sgemm(tiles[t], modes[t].contains("a"), modes[t].contains("b"), ta, tb, m, n,
                                    k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n, null);
                        }
                        reps++;
                        used = THREADS.getCurrentThreadCpuTime() - t0;
                    } while (used < span);
                    if (r >= 0) {
                        best[t] = Math.max(best[t], reps * flop / used);
                    }
                }
            }
            StringBuilder line = new StringBuilder(String.format("%-24s", shape));
            for (int t = 0; t < tiles.length; t++) {
                line.append(String.format("  %s %6.1f", labels[t], best[t]));
            }
            System.out.println(line);
        }
    }
}
