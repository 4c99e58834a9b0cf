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
        return doubleAt(take(2));
    }

    /** A Java-side standard normal (Box–Muller) from this stream. */
    public double nextGaussian() {
        return gaussianAt(take(4));
    }

    /**
     * The uniform double of counters {@code c} and {@code c + 1}: what {@link #nextDouble} returns when its
     * {@code take(2)} gives {@code c}. A pure function of the seed and {@code c}, so a caller that reserved a block
     * of counters with {@link #take} draws from it without a lock per draw, in any order.
     */
    public double doubleAt(long c) {
        long hi = io.vrfm.backend.Philox.bits(seed, c) & 0xFFFFFFFFL;
        long lo = io.vrfm.backend.Philox.bits(seed, c + 1) & 0xFFFFFFFFL;
        return ((hi << 21) ^ (lo >>> 11)) * 0x1.0p-53;
    }

    /** The standard normal of counters {@code c .. c + 3}: what {@link #nextGaussian} returns from {@code c}. */
    public double gaussianAt(long c) {
        double u1 = Math.max(doubleAt(c), 1e-300), u2 = doubleAt(c + 2);
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    public int nextInt(int bound) {
        return (int) (nextDouble() * bound);
    }
}
