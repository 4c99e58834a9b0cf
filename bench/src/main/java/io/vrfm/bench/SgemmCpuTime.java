package io.vrfm.bench;

import io.vrfm.backend.cpu.Sgemm;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Random;

/**
 * Single-threaded SGEMM GFLOP/s measured in thread CPU time (best of {@code reps}), so that a loaded machine
 * disturbs it little: compare kernel variants (e.g. {@code -Dvrfm.sgemm.directA=off} or
 * {@code -Dvrfm.sgemm.directB=on} against the default) on a busy
 * machine. Shapes as in {@link SgemmBench}: {@code N} (square) or {@code PASS:ROWSxINxOUT} with PASS one of
 * {@code fwd}, {@code bwd-data}, {@code bwd-weight}.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp target/vrfm4j-bench.jar io.vrfm.bench.SgemmCpuTime
 * [reps] [shape...]}.
 */
public final class SgemmCpuTime {
    private static final String[] DEFAULT_SHAPES = {"256",
            "fwd:1000x64x128", "bwd-data:1000x64x128", "bwd-weight:1000x64x128",
            "fwd:1000x128x128", "bwd-data:1000x128x128", "bwd-weight:1000x128x128",
            "fwd:1000x256x64", "bwd-data:1000x256x64", "bwd-weight:1000x256x64"};

    private SgemmCpuTime() {
    }

    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        String[] shapes = args.length > 1 ? java.util.Arrays.copyOfRange(args, 1, args.length) : DEFAULT_SHAPES;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        System.out.println("# sgemm path: " + Sgemm.path() + ", 1 thread, directA="
                + System.getProperty("vrfm.sgemm.directA", "auto") + " directB="
                + System.getProperty("vrfm.sgemm.directB", "auto") + ", best of " + reps + " (thread CPU time)");
        for (String shape : shapes) {
            boolean transA = false, transB = false;
            int m, n, k;
            int colon = shape.indexOf(':');
            if (colon < 0) {
                m = n = k = Integer.parseInt(shape);
            } else {
                String[] d = shape.substring(colon + 1).split("x");
                int rows = Integer.parseInt(d[0]), in = Integer.parseInt(d[1]), out = Integer.parseInt(d[2]);
                switch (shape.substring(0, colon)) {
                    case "fwd" -> { transB = true; m = rows; n = out; k = in; }
                    case "bwd-data" -> { m = rows; n = in; k = out; }
                    case "bwd-weight" -> { transA = true; m = out; n = in; k = rows; }
                    default -> throw new IllegalArgumentException("shape: unknown pass in " + shape);
                }
            }
            int lda = transA ? m : k, ldb = transB ? k : n;
            Random rnd = new Random(1);
            float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
            for (int i = 0; i < a.length; i++) {
                a[i] = rnd.nextFloat() - 0.5f;
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = rnd.nextFloat() - 0.5f;
            }
            double flops = 2.0 * m * n * k;
            int iters = (int) Math.max(1, 2e9 / flops);   // about 2 GFLOP (some 50 ms) per repetition
            for (int w = 0; w < 3; w++) {
                for (int i = 0; i < iters; i++) {
                    Sgemm.sgemm(transA, transB, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n, null);
                }
            }
            long best = Long.MAX_VALUE;
            for (int r = 0; r < reps; r++) {
                long t0 = mx.getCurrentThreadCpuTime();
                for (int i = 0; i < iters; i++) {
                    Sgemm.sgemm(transA, transB, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n, null);
                }
                best = Math.min(best, mx.getCurrentThreadCpuTime() - t0);
            }
            System.out.printf("%-24s %8.2f GFLOP/s%n", shape, flops * iters / best);
        }
    }
}
