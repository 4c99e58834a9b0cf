package io.vrfm.tensor;

/**
 * An explicit, seeded random stream for tensor creation. It hands out disjoint counter ranges of the
 * counter-based generator ({@link io.vrfm.backend.Philox}), so the same seed gives the same numbers on every
 * backend and draws never overlap.
 */
public final class Rng {
    private final long seed;
    private long counter;

    public Rng(long seed) {
        this.seed = seed;
    }

    public long seed() {
        return seed;
    }

    /** Reserves {@code n} counters and returns the first. */
    public synchronized long take(long n) {
        long start = counter;
        counter += n;
        return start;
    }

    /**
     * Moves the stream to counter {@code position} (draws continue from there). A trainer positions long-lived
     * streams (dropout masks) at a function of the step, so every step's draws depend only on (seed, step).
     */
    public synchronized void seek(long position) {
        if (position < 0) {
            throw new IllegalArgumentException("rng: negative position " + position);
        }
        counter = position;
    }

    /** A new independent stream derived from this one (e.g. one per worker or per purpose). */
    public Rng fork() {
        long s = seed ^ (0x632BE59BD9B4E019L * (take(1) + 1));
        return new Rng(s * 0xBF58476D1CE4E5B9L + 0x94D049BB133111EBL);
    }

    /** A Java-side uniform double in [0, 1) from this stream (for host decisions such as shuffles). */
    public double nextDouble() {
        long c = take(2);
        long hi = io.vrfm.backend.Philox.bits(seed, c) & 0xFFFFFFFFL;
        long lo = io.vrfm.backend.Philox.bits(seed, c + 1) & 0xFFFFFFFFL;
        return ((hi << 21) ^ (lo >>> 11)) * 0x1.0p-53;
    }

    /** A Java-side standard normal (Box–Muller) from this stream. */
    public double nextGaussian() {
        double u1 = Math.max(nextDouble(), 1e-300), u2 = nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    public int nextInt(int bound) {
        return (int) (nextDouble() * bound);
    }
}
