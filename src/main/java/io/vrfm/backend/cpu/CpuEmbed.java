package io.vrfm.backend.cpu;

import io.vrfm.backend.Buffer;

import static io.vrfm.backend.cpu.CpuBuffer.d;

/**
 * CPU twin of {@code kernels/embed.cu}. Row gather (embedding lookup) and its scatter-add backward. One static
 * method per {@link io.vrfm.backend.Backend} primitive, named alike; {@link CpuBackend} delegates here.
 */
final class CpuEmbed {
    private CpuEmbed() {
    }

    static void gatherRows(Buffer table, int rows, int cols, Buffer index, int count, Buffer out) {
        float[] t = d(table), ix = d(index), o = d(out);
        for (int r = 0; r < count; r++) {
            int row = (int) ix[r];
            if (row < 0 || row >= rows) {
                throw new IndexOutOfBoundsException("gather: index " + row + " outside table of " + rows + " rows");
            }
            System.arraycopy(t, row * cols, o, r * cols, cols);
        }
    }

    static void scatterAddRows(Buffer gOut, Buffer index, int count, int cols, Buffer gTable) {
        float[] g = d(gOut), ix = d(index), t = d(gTable);
        for (int r = 0; r < count; r++) {
            int row = (int) ix[r];
            int dst = row * cols, src = r * cols;
            for (int q = 0; q < cols; q++) {
                t[dst + q] += g[src + q];
            }
        }
    }
}
