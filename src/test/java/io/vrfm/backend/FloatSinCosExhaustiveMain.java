package io.vrfm.backend;

import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * Every float angle from {@code 2^-11} to {@code 2^13} (the computed range of {@link FloatSinCos} and a binade
 * either side), both signs, against {@code (float) Math.sin} and {@code (float) Math.cos}; prints the count of
 * mismatches (about 7 s on 2 cores). Run: {@code java -cp target/classes:target/test-classes
 * io.vrfm.backend.FloatSinCosExhaustiveMain} (add {@code -XX:UseAVX=2}, or use another JDK, to check that path);
 * with the argument {@code cpu} (and {@code --add-modules jdk.incubator.vector}) it checks the CPU backend's
 * {@link Backend#hostSinCos}, the lane-wise twin.
 */
public final class FloatSinCosExhaustiveMain {
    public static void main(String[] args) {
        Backend be = args.length > 0 && args[0].equals("cpu") ? new io.vrfm.backend.cpu.CpuBackend(1) : null;
        int lo = Float.floatToIntBits(0x1p-11f), hi = Float.floatToIntBits(0x1p13f);
        int parts = Runtime.getRuntime().availableProcessors();
        long t0 = System.nanoTime();
        AtomicLong bad = new AtomicLong(), angles = new AtomicLong();
        IntStream.range(0, parts).parallel().forEach(part -> {
            int block = 4096;
            float[] a = new float[block], s = new float[block], c = new float[block];
            long span = ((long) hi - lo + parts - 1) / parts;
            long from = lo + part * span, to = Math.min(hi, from + span);
            for (long base = from; base < to; base += block / 2) {
                int m = 0;
                for (long bits = base; bits < Math.min(to, base + block / 2); bits++) {
                    float x = Float.intBitsToFloat((int) bits);
                    a[m++] = x;
                    a[m++] = -x;
                }
                if (be != null) {
                    be.hostSinCos(a, 1, m, s, 0, c, 0, m);
                } else {
                    FloatSinCos.sinCos(a, 0, m, s, 0, c, 0);
                }
                for (int i = 0; i < m; i++) {
                    if (Float.floatToRawIntBits(s[i]) != Float.floatToRawIntBits((float) Math.sin(a[i]))
                            || Float.floatToRawIntBits(c[i]) != Float.floatToRawIntBits((float) Math.cos(a[i]))) {
                        if (bad.incrementAndGet() <= 10) {
                            System.out.println("mismatch at " + a[i]);
                        }
                    }
                }
                angles.addAndGet(m);
            }
        });
        System.out.printf("%s%s: %d angles, %d mismatches (%.1f s)%n", System.getProperty("java.vm.version"),
                be != null ? " " + be.describe() : "", angles.get(), bad.get(), (System.nanoTime() - t0) / 1e9);
    }
}
