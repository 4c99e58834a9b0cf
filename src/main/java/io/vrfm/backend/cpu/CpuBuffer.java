package io.vrfm.backend.cpu;

import io.vrfm.backend.Backend;
import io.vrfm.backend.Buffer;

/** Heap storage of the CPU backend, and the checked accessors every CPU twin uses to reach the array. */
final class CpuBuffer implements Buffer {
    final float[] data;
    private final CpuBackend owner;

    CpuBuffer(CpuBackend owner, float[] data) {
        this.owner = owner;
        this.data = data;
    }

    @Override
    public long length() {
        return data.length;
    }

    @Override
    public Backend backend() {
        return owner;
    }

    /** The array behind a CPU buffer ({@code null} stays {@code null}); a buffer of another backend is refused. */
    static float[] d(Buffer b) {
        if (b == null) {
            return null;
        }
        if (!(b instanceof CpuBuffer)) {
            throw new IllegalArgumentException("cpu backend: buffer belongs to " + b.backend().name()
                    + "; move the tensor with .to(cpu) first");
        }
        return ((CpuBuffer) b).data;
    }

    /** A count or offset as an array index; more than 2^31 − 1 elements is refused. */
    static int i(long v) {
        if (v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("cpu backend: " + v + " elements exceed the 2^31 limit of a Java array");
        }
        return (int) v;
    }
}
