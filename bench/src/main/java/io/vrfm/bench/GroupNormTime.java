package io.vrfm.bench;

import io.vrfm.backend.Buffer;
import io.vrfm.backend.cpu.CpuBackend;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Wall time of the CPU backend's group norm, forward and backward, on {@code [N, C, H·W]} floats (default
 * 64 × 64 × 784, 32 groups: one of the MNIST ResNet step's 21 norms at the paper's width and batch): the best of
 * {@code ROUNDS} rounds of 20 calls each, after three rounds of warm-up.
 * Usage: {@code GroupNormTime [N [C [HW [GROUPS [ROUNDS [THREADS]]]]]]} (defaults 64, 64, 784, 32, 6, 2).
 */
public final class GroupNormTime {
    private GroupNormTime() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int c = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int hw = args.length > 2 ? Integer.parseInt(args[2]) : 784;
        int groups = args.length > 3 ? Integer.parseInt(args[3]) : 32;
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 6;
        int threads = args.length > 5 ? Integer.parseInt(args[5]) : 2;
        int size = n * c * hw;
        try (CpuBackend be = new CpuBackend(threads)) {
            float[] x = new float[size], g = new float[size], gamma = new float[c];
            Random r = new Random(1);
            for (int i = 0; i < size; i++) {
                x[i] = (float) r.nextGaussian() + 0.5f;
                g[i] = (float) r.nextGaussian();
            }
            Arrays.fill(gamma, 1f);
            Buffer xb = be.allocate(size), yb = be.allocate(size), gb = be.allocate(size), gx = be.allocate(size);
            Buffer gammaB = be.allocate(c), betaB = be.allocate(c), gGamma = be.allocate(c), gBeta = be.allocate(c);
            Buffer mean = be.allocate(n * groups), rstd = be.allocate(n * groups);
            be.upload(x, 0, xb, 0, size);
            be.upload(g, 0, gb, 0, size);
            be.upload(gamma, 0, gammaB, 0, c);
            double forward = Double.MAX_VALUE, backward = Double.MAX_VALUE;
            for (int round = -3; round < rounds; round++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < 20; i++) {
                    be.groupNorm(xb, gammaB, betaB, yb, mean, rstd, n, c, hw, groups, 1e-5f);
                }
                long t1 = System.nanoTime();
                for (int i = 0; i < 20; i++) {
                    be.groupNormBackward(xb, gammaB, mean, rstd, gb, gx, gGamma, gBeta, n, c, hw, groups);
                }
                long t2 = System.nanoTime();
                if (round >= 0) {
                    forward = Math.min(forward, (t1 - t0) / 20e6);
                    backward = Math.min(backward, (t2 - t1) / 20e6);
                }
            }
            System.out.printf(Locale.ROOT, "group norm [%d, %d, %d], %d groups, %d threads: forward %.2f ms, backward "
                    + "%.2f ms (best of %d x 20 calls)%n", n, c, hw, groups, threads, forward, backward, rounds);
        }
    }
}
