package io.vrfm.backend.cuda;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * One choice among alternative implementations of an operation (a {@link GemmPath} or a {@link ConvPath}), made
 * once when a backend starts: the candidates are tried in order, the first whose {@code open} succeeds (including
 * any probe it runs) is used for the backend's lifetime, and every candidate rejected before it keeps its one-line
 * reason, so {@code describe()} can say both what runs and why the better options do not.
 *
 * @param <T> the strategy type
 */
final class PathChoice<T> {

    /** A strategy that {@code open} builds (and probes); {@code open} throws when the strategy is unusable here. */
    record Candidate<T>(String name, Callable<T> open) {
    }

    /** Thrown by a candidate that is unusable for a reason it states itself (the message is used verbatim). */
    static final class Unusable extends Exception {
        Unusable(String reason) {
            super(reason, null, false, false);
        }
    }

    static <T> Candidate<T> candidate(String name, Callable<T> open) {
        return new Candidate<>(name, open);
    }

    /** A candidate ruled out before trying it (disabled by an option, a device too old, …). */
    static <T> Candidate<T> ruledOut(String name, String reason) {
        return new Candidate<>(name, () -> {
            throw new Unusable(reason);
        });
    }

    final String what;
    final T path;
    final String name;
    final List<String> rejected;

    private PathChoice(String what, T path, String name, List<String> rejected) {
        this.what = what;
        this.path = path;
        this.name = name;
        this.rejected = List.copyOf(rejected);
    }

    /**
     * Tries {@code candidates} in order and keeps the first that opens.
     *
     * @throws IllegalStateException when none opens (the message lists every reason)
     */
    static <T> PathChoice<T> choose(String what, List<Candidate<T>> candidates) {
        List<String> rejected = new ArrayList<>();
        for (Candidate<T> c : candidates) {
            try {
                T path = c.open().call();
                if (path == null) {
                    throw new Unusable("not available");
                }
                return new PathChoice<>(what, path, c.name(), rejected);
            } catch (Unusable u) {
                rejected.add(c.name() + ": " + u.getMessage());
            } catch (Throwable t) {
                rejected.add(c.name() + ": " + CudaBackend.reason(t));
            }
        }
        throw new IllegalStateException("no usable " + what + " path: " + String.join("; ", rejected));
    }

    /** {@code name}, then the rejected candidates with their reasons in brackets; one line. */
    String describe() {
        return rejected.isEmpty() ? name : name + " [not " + String.join("; not ", rejected) + "]";
    }

    @Override
    public String toString() {
        return what + ": " + describe();
    }
}
