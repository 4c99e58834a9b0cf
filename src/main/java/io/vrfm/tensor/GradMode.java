package io.vrfm.tensor;

/**
 * Whether operations record the autograd graph on this thread. Use
 * {@code try (var g = GradMode.noGrad()) { ... }} for sampling and evaluation.
 */
public final class GradMode {
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[]{true});

    private GradMode() {
    }

    public static boolean isEnabled() {
        return ENABLED.get()[0];
    }

    /** A scope in which no graph is recorded; restores the previous mode on close. */
    public static Scope noGrad() {
        boolean[] flag = ENABLED.get();
        boolean previous = flag[0];
        flag[0] = false;
        return () -> flag[0] = previous;
    }

    /** An {@link AutoCloseable} without checked exceptions. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
