package io.vrfm.backend.cpu;

import io.vrfm.backend.ConvShape;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Times the CPU convolution, each pass (forward, backward data, backward filter) at each shape, as the backend runs
 * it and by im2col + GEMM, or with {@code -Dversus=shifted} by {@link ConvShiftedGemm} (in alternating turns, so both see the same load): GFLOP/s from the
 * thread's CPU time on one thread (best of ROUNDS turns of 0.3 s after a warm-up), so other processes on a loaded
 * machine slow the numbers less than wall-clock time would, and from wall-clock time on all the backend's threads
 * (best turn) for reference; {@code -Dpass=forward|bwd-data|bwd-filter} times one pass only (for a profile). Shapes are {@code N,C,H,W,K,R,S,STRIDE,PAD}; without any, the MNIST ResNet's and the
 * UNet's. Run after {@code mvn -q test-compile}:
 * <pre>
 * java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes \
 *     io.vrfm.backend.cpu.ConvBenchMain ROUNDS [SHAPE...]
 * </pre>
 */
public final class ConvBenchMain {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final String[] DEFAULT = {
        "32,16,28,28,16,3,3,1,1", "64,64,28,28,64,3,3,1,1", "32,1,28,28,16,3,3,1,1",
        "16,32,32,32,32,3,3,1,1", "16,64,16,16,64,3,3,1,1", "16,64,32,32,64,3,3,2,1", "16,64,16,16,128,1,1,1,0",
    };

    private ConvBenchMain() {
    }

    public static void main(String[] args) {
        int rounds = Integer.parseInt(args[0]);
        List<String> shapes = new ArrayList<>(List.of(args).subList(1, args.length));
        if (shapes.isEmpty()) {
            shapes.addAll(List.of(DEFAULT));
        }
        int threads = Runtime.getRuntime().availableProcessors();
        CpuParallel one = new CpuParallel(1), all = new CpuParallel(threads);
        System.out.println("# conv GFLOP/s: 1 thread (CPU time) | " + threads + " threads (wall), backend path (reference path in brackets);"
                + " " + Sgemm.path());
        String[] passes = {"forward", "bwd-data", "bwd-filter"};
        for (String spec : shapes) {
            String[] f = spec.split(",");
            int[] d = new int[9];
            for (int i = 0; i < 9; i++) {
                d[i] = Integer.parseInt(f[i]);
            }
            ConvShape s = new ConvShape(d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8]);
            Random rnd = new Random(1);
            float[] x = fill(rnd, (int) s.inputSize()), w = fill(rnd, (int) s.weightSize());
            float[] y = fill(rnd, (int) s.outputSize()), gx = new float[x.length], gw = new float[w.length];
            double flop = s.flops();
            StringBuilder line = new StringBuilder(String.format("%-26s", spec));
            String only = System.getProperty("pass", "");
            // the reference: im2col + GEMM, or (-Dversus=shifted) the shifted-window GEMM where it applies
            boolean shifted = "shifted".equals(System.getProperty("versus")) && Sgemm.vectorized()
                    && ConvShiftedGemm.handles(s, s.k(), false) && ConvShiftedGemm.handles(s, s.c(), true);
            for (int p = 0; p < 3; p++) {
                if (!only.isEmpty() && !only.equals(passes[p])) {
                    continue;
                }
                // variant 0: as the backend runs it; variant 1: im2col + GEMM; turns alternate
                Runnable[][] run = new Runnable[2][2];
                CpuParallel[] pars = {one, all};
                for (int v = 0; v < 2; v++) {
                    for (int t = 0; t < 2; t++) {
                        CpuParallel par = pars[t];
                        run[v][t] = switch (p * 2 + v) {
                            case 0 -> () -> CpuConv.forward(x, w, y, s, par);
                            case 1 -> shifted ? () -> ConvShiftedGemm.forward(x, w, y, s, par)
                                    : () -> CpuConv.forwardIm2col(x, w, y, s, par);
                            case 2 -> () -> CpuConv.backwardData(y, w, gx, s, par);
                            case 3 -> shifted ? () -> ConvShiftedGemm.backwardData(y, w, gx, s, par)
                                    : () -> CpuConv.backwardDataIm2col(y, w, gx, s, par);
                            case 4 -> () -> CpuConv.backwardFilter(x, y, gw, s, par);
                            default -> shifted ? () -> ConvShiftedGemm.backwardFilter(x, y, gw, s, par)
                                    : () -> CpuConv.backwardFilterIm2col(x, y, gw, s, par);
                        };
                    }
                }
                double[] bestCpu = new double[2], bestWall = new double[2];
                for (int r = -1; r < rounds; r++) {
                    for (int v = 0; v < 2; v++) {
                        long span = r < 0 ? 700_000_000L : 250_000_000L;
                        long c0 = THREADS.getCurrentThreadCpuTime();
                        int reps = 0;
                        long used;
                        do {
                            run[v][0].run();
                            reps++;
                            used = THREADS.getCurrentThreadCpuTime() - c0;
                        } while (used < span);
                        long w0 = System.nanoTime();
                        int wreps = 0;
                        long wall;
                        do {
                            run[v][1].run();
                            wreps++;
                            wall = System.nanoTime() - w0;
                        } while (wall < span);
                        if (r >= 0) {
                            bestCpu[v] = Math.max(bestCpu[v], reps * flop / used);
                            bestWall[v] = Math.max(bestWall[v], wreps * flop / wall);
                        }
                    }
                }
                line.append(String.format("  %s %5.1f | %5.1f (%s %5.1f | %5.1f)", passes[p], bestCpu[0],
                        bestWall[0], shifted ? "shifted" : "im2col", bestCpu[1], bestWall[1]));
            }
            System.out.println(line);
        }
        all.shutdown();
    }

    private static float[] fill(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = rnd.nextFloat() - 0.5f;
        }
        return a;
    }
}
