package io.vrfm.tensor;

import io.vrfm.backend.Backend;
import io.vrfm.backend.Buffer;

import java.lang.ref.Cleaner;

/**
 * A buffer shared by a tensor and its free views (reshape). Device buffers go back to the backend's pool when
 * the last tensor using them becomes unreachable, at once on {@link Tensor#close()}, or when the
 * {@link TensorScope} they were created in closes. Heap buffers (CPU) go back to the backend on the last two (it
 * may reuse them); one that is never released is left to the garbage collector.
 */
final class Storage {
    private static final Cleaner CLEANER = Cleaner.create();

    final Backend backend;
    final Buffer buffer;
    private final Cleaner.Cleanable cleanable;
    /** Heap buffers: released already (a second release must not hand the buffer back twice). */
    private boolean released;

    Storage(Backend backend, Buffer buffer) {
        this.backend = backend;
        this.buffer = buffer;
        this.cleanable = backend.heapManaged() ? null : CLEANER.register(this, new Releaser(backend, buffer));
        TensorScope.track(this);
    }

    void release() {
        if (cleanable != null) {
            cleanable.clean();
            return;
        }
        synchronized (this) {
            if (released) {
                return;
            }
            released = true;
        }
        backend.release(buffer);
    }

    private static final class Releaser implements Runnable {
        private final Backend backend;
        private final Buffer buffer;

        Releaser(Backend backend, Buffer buffer) {
            this.backend = backend;
            this.buffer = buffer;
        }

        @Override
        public void run() {
            backend.release(buffer);
        }
    }
}
