package io.vrfm.backend.cpu;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Times the SGEMM micro-kernels alone and the whole {@link Sgemm#sgemm}, one thread, by the thread's CPU time (so
 * other processes on a loaded machine slow the numbers less than wall-clock time would; they still share the
 * caches). The kernels run on L1-resident operands: one packed {@code KC}-deep A sliver and B panel ({@code KC}
 * 256), {@code C} overwritten each call; {@code NAMEa} is the variant reading A in place (row-major A, row length
 * {@code KC}) and {@code NAMEat} the one reading a transposed A (step length {@code MR}). Every item takes turns
 * with the others (a warm-up turn of 0.7 s, then ROUNDS turns of 0.25 s) and the best GFLOP/s is printed. Items:
 * {@code 6x2}, {@code 6x2a}, {@code 6x2at} (likewise 8x2, 4x3), {@code N} (an N³ product) or {@code MxNxK}. To
 * compare two builds, run this on each in alternating turns. Run after {@code mvn -q test-compile}:
 * <pre>
 * java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes \
 *     io.vrfm.backend.cpu.SgemmKernelBenchMain ROUNDS ITEM...
 * </pre>
 */
public final class SgemmKernelBenchMain {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final int KC = 256;

    private SgemmKernelBenchMain() {
    }

    public static void main(String[] args) {
        int rounds = Integer.parseInt(args[0]);
        List<String> names = new ArrayList<>();
        List<Runnable> runs = new ArrayList<>();
        List<Double> flops = new ArrayList<>();
        Random rnd = new Random(1);
        for (int i = 1; i < args.length; i++) {
            String item = args[i];
            names.add(item);
            if (item.matches("\\dx\\d(a|at)?")) {
                SgemmTile tile = SgemmTile.parse(item.substring(0, 3));
                String mode = item.substring(3);
                int mr = tile.rows, nr = tile.vectors * SgemmKernels.L;
                float[] ap = fill(rnd, KC * mr), bp = fill(rnd, KC * nr), c = new float[mr * nr];
                flops.add(2.0 * mr * nr * KC);
                runs.add(kernel(tile, mode, ap, bp, c, mr, nr));
            } else {
                String[] d = item.split("x");
                int m = Integer.parseInt(d[0]);
                int n = d.length > 1 ? Integer.parseInt(d[1]) : m, k = d.length > 1 ? Integer.parseInt(d[2]) : m;
                float[] a = fill(rnd, m * k), b = fill(rnd, k * n), c = new float[m * n];
                flops.add(2.0 * m * n * k);
                runs.add(() -> Sgemm.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n, null));
            }
        }
        System.out.println("# " + Sgemm.path() + "; one thread, CPU time, GFLOP/s best of " + rounds);
        double[] best = new double[runs.size()];
        for (int r = -1; r < rounds; r++) {
            for (int t = 0; t < runs.size(); t++) {
                long span = r < 0 ? 700_000_000L : 250_000_000L;
                long t0 = THREADS.getCurrentThreadCpuTime();
                long reps = 0;
                long used;
                do {
                    for (int i = 0; i < 16; i++) {
                        runs.get(t).run();
                    }
                    reps += 16;
                    used = THREADS.getCurrentThreadCpuTime() - t0;
                } while (used < span);
                if (r >= 0) {
                    best[t] = Math.max(best[t], reps * flops.get(t) / used);
                }
            }
        }
        StringBuilder line = new StringBuilder();
        for (int t = 0; t < runs.size(); t++) {
            line.append(String.format("  %s %6.1f", names.get(t), best[t]));
        }
        System.out.println(line);
    }

    private static Runnable kernel(SgemmTile tile, String mode, float[] ap, float[] bp, float[] c, int mr, int nr) {
        // "a": row-major A in place (step 1, rows KC apart); "at": transposed A (step MR, rows 1 apart)
        int aps = mode.equals("a") ? 1 : mr, ars = mode.equals("a") ? KC : 1;
        if (mode.isEmpty()) {
            return switch (tile) {
                case R8X2 -> () -> SgemmKernels.kernel8x2(KC, ap, 0, bp, 0, nr, c, 0, nr, true);
                case R6X2 -> () -> SgemmKernels.kernel6x2(KC, ap, 0, bp, 0, nr, c, 0, nr, true);
                case R4X3 -> () -> SgemmKernels.kernel4x3(KC, ap, 0, bp, 0, nr, c, 0, nr, true);
            };
        }
        if (mode.equals("a")) {
            return switch (tile) {
                case R8X2 -> () -> SgemmKernels.kernel8x2A(KC, ap, 0, ars, bp, 0, nr, c, 0, nr, true);
                case R6X2 -> () -> SgemmKernels.kernel6x2A(KC, ap, 0, ars, bp, 0, nr, c, 0, nr, true);
                case R4X3 -> () -> SgemmKernels.kernel4x3A(KC, ap, 0, ars, bp, 0, nr, c, 0, nr, true);
            };
        }
        return switch (tile) {
            case R8X2 -> () -> SgemmKernels.kernel8x2AT(KC, ap, 0, aps, bp, 0, nr, c, 0, nr, true);
            case R6X2 -> () -> SgemmKernels.kernel6x2AT(KC, ap, 0, aps, bp, 0, nr, c, 0, nr, true);
            case R4X3 -> () -> SgemmKernels.kernel4x3AT(KC, ap, 0, aps, bp, 0, nr, c, 0, nr, true);
        };
    }

    private static float[] fill(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = rnd.nextFloat() - 0.5f;
        }
        return a;
    }
}
