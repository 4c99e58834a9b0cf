package io.vrfm.optim;

/** Linear warm-up to a base learning rate over {@code warmupSteps}, constant afterwards (torchcfm's schedule). */
public final class WarmupSchedule {
    private final float base;
    private final int warmupSteps;

    public WarmupSchedule(float base, int warmupSteps) {
        this.base = base;
        this.warmupSteps = Math.max(0, warmupSteps);
    }

    /** Learning rate for 1-based {@code step}. */
    public float lr(int step) {
        if (warmupSteps == 0) {
            return base;
        }
        return base * Math.min(1f, (float) step / warmupSteps);
    }
}
