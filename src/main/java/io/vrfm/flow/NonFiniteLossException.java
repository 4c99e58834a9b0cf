package io.vrfm.flow;

/**
 * Training stopped because a step produced a non-finite (NaN or infinite) loss or gradient. Thrown before the
 * optimizer applies that step, so the model still holds the weights of the previous step, and no checkpoint is
 * written with non-finite weights. The message names the step and what to change.
 */
public final class NonFiniteLossException extends IllegalStateException {
    private final int step;

    /** @param step the 1-based step that failed */
    public NonFiniteLossException(int step, String message) {
        super(message);
        this.step = step;
    }

    /** The 1-based step whose loss or gradient was not finite. */
    public int step() {
        return step;
    }
}
