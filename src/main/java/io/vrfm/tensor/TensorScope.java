package io.vrfm.tensor;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * An explicit lifetime for device memory: every tensor created on this thread while the scope is open is released
 * when it closes, except those passed to {@link #keep} (handed to the enclosing scope, or to the garbage collector
 * when there is none) or {@link #persist} (never released by a scope: parameters, optimizer state — {@code Module}
 * and the optimizers do this themselves).
 *
 * <pre>{@code
 * try (TensorScope scope = TensorScope.open()) {
 *     Tensor loss = model.forward(x).mse(y);     // every temporary of this block ...
 *     loss.backward();
 *     optimizer.step();
 *     return scope.keep(model.forward(probe));   // ... except this one is released here
 * }
 * }</pre>
 *
 * <p>Scopes nest and belong to the thread that opened them; close them in reverse order (try-with-resources does).
 * A tensor used after its scope closed is an error the backend may not detect: keep what you return. On backends
 * whose memory is the Java heap (the CPU) released buffers are reused by later allocations of the same size, and
 * the garbage collector reclaims what no scope released; on device backends the collector remains a safety net
 * for tensors created outside any scope.
 */
public final class TensorScope implements AutoCloseable {
    private static final ThreadLocal<TensorScope> CURRENT = new ThreadLocal<>();

    private final TensorScope parent;
    private final Thread owner = Thread.currentThread();
    private final Set<Storage> owned = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean closed;

    private TensorScope(TensorScope parent) {
        this.parent = parent;
    }

    /** Opens a scope nested in the current one (if any) on this thread. */
    public static TensorScope open() {
        TensorScope s = new TensorScope(CURRENT.get());
        CURRENT.set(s);
        return s;
    }

    /** Called for every new storage: the innermost open scope of this thread owns it. */
    static void track(Storage storage) {
        TensorScope s = CURRENT.get();
        if (s != null) {
            s.owned.add(storage);
        }
    }

    /**
     * Lets {@code t} (and every view sharing its storage) outlive this scope: the enclosing scope owns it now, or
     * nobody (the garbage collector) when this is the outermost one. Returns {@code t}.
     */
    public Tensor keep(Tensor t) {
        if (t != null && owned.remove(t.storage()) && parent != null) {
            parent.owned.add(t.storage());
        }
        return t;
    }

    /**
     * Removes {@code t} from every open scope of this thread, so that no scope releases it (for parameters and
     * optimizer state that live as long as their model). Returns {@code t}.
     */
    public static Tensor persist(Tensor t) {
        for (TensorScope s = CURRENT.get(); s != null; s = s.parent) {
            s.owned.remove(t.storage());
        }
        return t;
    }

    /** Storages this scope would release now. */
    public int size() {
        return owned.size();
    }

    /** Releases every tensor this scope owns and makes the enclosing scope current again. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() != owner || CURRENT.get() != this) {
            throw new IllegalStateException("TensorScope: closed out of order or on another thread"
                    + " (close nested scopes first, on the thread that opened them)");
        }
        closed = true;
        CURRENT.set(parent);
        for (Storage s : owned) {
            s.release();
        }
        owned.clear();
    }
}
