package io.vrfm.bench;

import io.vrfm.backend.Buffer;
import io.vrfm.backend.cpu.CpuBackend;

import java.util.Locale;
import java.util.Random;

/**
 * Wall time of the CPU backend's row softmax, forward and backward, on {@code ROWS × COLS} floats (default
 * 16384 × 256: one attention block of the small UNet, 16 images × 4 heads × 256 query rows over 256 keys): the best
 * of {@code ROUNDS} rounds of 50 calls each, after one round of warm-up.
 * Usage: {@code SoftmaxTime [ROWS [COLS [ROUNDS [THREADS]]]]} (defaults 16384, 256, 5, 2).
 */
public final class SoftmaxTime {
    private SoftmaxTime() {
    }

    public static void main(String[] args) {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 16384;
        int cols = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        try (CpuBackend be = new CpuBackend(threads)) {
            int n = rows * cols;
            float[] x = new float[n], g = new float[n];
            Random r = new Random(1);
            for (int i = 0; i < n; i++) {
                x[i] = (float) r.nextGaussian() * 3;
                g[i] = (float) r.nextGaussian();
            }
            Buffer xb = be.allocate(n), yb = be.allocate(n), gb = be.allocate(n), gx = be.allocate(n);
            be.upload(x, 0, xb, 0, n);
            be.upload(g, 0, gb, 0, n);
            double forward = Double.MAX_VALUE, backward = Double.MAX_VALUE;
            for (int round = -1; round < rounds; round++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < 50; i++) {
                    be.softmax(xb, yb, rows, cols, false);
                }
                long t1 = System.nanoTime();
                for (int i = 0; i < 50; i++) {
                    be.softmaxBackward(yb, gb, gx, rows, cols, false);
                }
                long t2 = System.nanoTime();
                if (round >= 0) {
                    forward = Math.min(forward, (t1 - t0) / 50e6);
                    backward = Math.min(backward, (t2 - t1) / 50e6);
                }
            }
            System.out.printf(Locale.ROOT, "softmax %dx%d, %d threads: forward %.2f ms, backward %.2f ms (best of %d x "
                    + "50 calls)%n", rows, cols, threads, forward, backward, rounds);
        }
    }
}
