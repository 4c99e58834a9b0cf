package io.vrfm.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes small files in the IDX and CIFAR-10 binary formats, byte by byte from the format descriptions. */
final class TestFiles {
    private TestFiles() {
    }

    /** IDX images: magic 0x00000803, count, rows, cols (big-endian int32 each), then count·rows·cols bytes. */
    static byte[] idxImages(int count, int rows, int cols, byte[] pixels) {
        ByteBuffer b = ByteBuffer.allocate(16 + pixels.length); // big-endian by default
        b.putInt(0x00000803).putInt(count).putInt(rows).putInt(cols).put(pixels);
        return b.array();
    }

    /** IDX labels: magic 0x00000801, count, then count bytes. */
    static byte[] idxLabels(int... labels) {
        ByteBuffer b = ByteBuffer.allocate(8 + labels.length);
        b.putInt(0x00000801).putInt(labels.length);
        for (int l : labels) {
            b.put((byte) l);
        }
        return b.array();
    }

    /** A CIFAR-10 record: label byte, then 1024 R, 1024 G, 1024 B bytes. */
    static byte[] cifarRecord(int label, byte[] r, byte[] g, byte[] bl) {
        byte[] out = new byte[3073];
        out[0] = (byte) label;
        System.arraycopy(r, 0, out, 1, 1024);
        System.arraycopy(g, 0, out, 1 + 1024, 1024);
        System.arraycopy(bl, 0, out, 1 + 2048, 1024);
        return out;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }

    static byte[] gzip(byte[] raw) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(o)) {
            z.write(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return o.toByteArray();
    }

    static Path write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path write(Path file, String text) {
        return write(file, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Bytes 0..n-1 modulo 256, a recognisable pixel pattern. */
    static byte[] ramp(int n, int start) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (start + i);
        }
        return b;
    }
}
