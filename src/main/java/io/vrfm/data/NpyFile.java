package io.vrfm.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy's {@code .npy} format (versions 1–3): the magic {@code \x93NUMPY}, a version, a little-endian header length
 * (2 bytes in v1, 4 in v2/v3), a Python-literal header {@code {'descr': '<f4', 'fortran_order': False, 'shape': (N, C,
 * H, W), }}, then the raw data. Reads little-endian {@code float32}/{@code float16} (as float) and {@code int64}/
 * {@code int32} (as long) arrays in C order; writes {@code float32} and 1-d {@code int64}. Every problem is a one-line
 * {@link DatasetException} naming the file and the fix.
 */
public final class NpyFile {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private NpyFile() {
    }

    /** A float array read from a file: its shape and values (C order). */
    public record Floats(int[] shape, float[] data, String dtype) {
    }

    /** An integer array read from a file: its shape and values (C order). */
    public record Integers(int[] shape, long[] data, String dtype) {
    }

    private record Header(String dtype, int[] shape, long count, int width, InputStream in) {
    }

    /** Reads a {@code float32} ({@code <f4}) or {@code float16} ({@code <f2}) array. */
    public static Floats readFloats(Path path) {
        try (InputStream in = open(path)) {
            Header h = header(path, in);
            if (!h.dtype.equals("<f4") && !h.dtype.equals("<f2")) {
                throw new DatasetException(path + " holds dtype " + describe(h.dtype) + "; expected float32 or float16"
                        + " (save it with arr.astype(np.float32))");
            }
            float[] v = new float[(int) h.count];
            body(path, h, (bb, at, n) -> {
                if (h.width == 4) {
                    bb.asFloatBuffer().get(v, at, n);
                } else {
                    for (int i = 0; i < n; i++) v[at + i] = halfToFloat(bb.getShort());
                }
            });
            return new Floats(h.shape, v, h.dtype);
        } catch (IOException e) {
            throw new DatasetException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /** Reads an {@code int64} ({@code <i8}) or {@code int32} ({@code <i4}) array. */
    public static Integers readIntegers(Path path) {
        try (InputStream in = open(path)) {
            Header h = header(path, in);
            if (!h.dtype.equals("<i8") && !h.dtype.equals("<i4")) {
                throw new DatasetException(path + " holds dtype " + describe(h.dtype) + "; expected int64 or int32"
                        + " (save it with arr.astype(np.int64))");
            }
            long[] v = new long[(int) h.count];
            body(path, h, (bb, at, n) -> {
                for (int i = 0; i < n; i++) v[at + i] = h.width == 8 ? bb.getLong() : bb.getInt();
            });
            return new Integers(h.shape, v, h.dtype);
        } catch (IOException e) {
            throw new DatasetException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /** Writes {@code data} as a 1-d {@code int64} array (format version 1.0), e.g. the labels of samples. */
    public static void writeIntegers(Path path, long[] data) throws IOException {
        ByteBuffer bb = ByteBuffer.allocate(data.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : data) bb.putLong(v);
        write(path, "<i8", new int[]{data.length}, data.length, bb.array());
    }

    /** Writes {@code data} as a C-order {@code float32} array of {@code shape} (format version 1.0). */
    public static void writeFloats(Path path, int[] shape, float[] data) throws IOException {
        ByteBuffer bb = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bb.asFloatBuffer().put(data);
        write(path, "<f4", shape, data.length, bb.array());
    }

    private static void write(Path path, String dtype, int[] shape, int values, byte[] body) throws IOException {
        long count = 1;
        StringBuilder dims = new StringBuilder();
        for (int d : shape) {
            count *= d;
            dims.append(d).append(", ");
        }
        if (count != values) {
            throw new IllegalArgumentException("npy: " + values + " values for shape " + java.util.Arrays.toString(shape));
        }
        String dimText = shape.length == 1 ? dims.toString().trim() : dims.substring(0, Math.max(0, dims.length() - 2));
        String dict = "{'descr': '" + dtype + "', 'fortran_order': False, 'shape': (" + dimText + "), }";
        int total = MAGIC.length + 2 + 2 + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        byte[] h = (dict + " ".repeat(pad) + "\n").getBytes(StandardCharsets.US_ASCII);
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(path), 1 << 20)) {
            out.write(MAGIC);
            out.write(new byte[]{1, 0});
            out.write(ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) h.length).array());
            out.write(h);
            out.write(body);
        }
    }

    private static InputStream open(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new DatasetException("no .npy file at " + path);
        }
        return new java.io.BufferedInputStream(Files.newInputStream(path), 1 << 20);
    }

    private static Header header(Path path, InputStream in) throws IOException {
        byte[] magic = in.readNBytes(8);
        if (magic.length < 8 || !java.util.Arrays.equals(java.util.Arrays.copyOf(magic, 6), MAGIC)) {
            throw new DatasetException(path + " is not a .npy file (no \\x93NUMPY magic); save it with np.save");
        }
        int major = magic[6];
        long len;
        if (major == 1) {
            byte[] b = in.readNBytes(2);
            if (b.length < 2) throw truncated(path);
            len = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xFFFF;
        } else if (major == 2 || major == 3) {
            byte[] b = in.readNBytes(4);
            if (b.length < 4) throw truncated(path);
            len = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFFFFFFL;
        } else {
            throw new DatasetException(path + " is .npy format version " + major + "; versions 1-3 are supported");
        }
        if (len > 1 << 20) {
            throw new DatasetException(path + " has a .npy header of " + len + " bytes; the file is corrupt");
        }
        byte[] hb = in.readNBytes((int) len);
        if (hb.length < len) throw truncated(path);
        String text = new String(hb, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(text), f = FORTRAN.matcher(text), s = SHAPE.matcher(text);
        if (!d.find() || !f.find() || !s.find()) {
            throw new DatasetException(path + " has a .npy header without descr, fortran_order and shape: " + text.strip());
        }
        if (f.group(1).equals("True")) {
            throw new DatasetException(path + " is in Fortran order; save a C-order array"
                    + " (np.save(path, np.ascontiguousarray(arr)))");
        }
        String dtype = d.group(1);
        if (dtype.startsWith(">")) {
            throw new DatasetException(path + " holds big-endian " + dtype + "; save it little-endian"
                    + " (arr.astype(arr.dtype.newbyteorder('<')))");
        }
        if (dtype.startsWith("=")) dtype = "<" + dtype.substring(1);
        String dims = s.group(1).trim();
        String[] parts = dims.isEmpty() ? new String[0] : dims.split("\\s*,\\s*");
        int n = parts.length > 0 && parts[parts.length - 1].isEmpty() ? parts.length - 1 : parts.length;
        int[] shape = new int[n];
        long count = 1;
        for (int i = 0; i < n; i++) {
            long v;
            try {
                v = Long.parseLong(parts[i].replace("L", ""));
            } catch (NumberFormatException e) {
                throw new DatasetException(path + " has a .npy shape (" + dims + ") that is not a tuple of integers");
            }
            if (v < 0 || v > Integer.MAX_VALUE) {
                throw new DatasetException(path + " has a .npy dimension " + v + " outside [0, 2^31)");
            }
            shape[i] = (int) v;
            count *= v;
            if (count > Integer.MAX_VALUE - 8) {
                throw new DatasetException(path + " has shape (" + dims + "), " + count + "+ values: more than one Java"
                        + " array holds (2^31 - 1); split it into files of fewer values");
            }
        }
        int width = dtype.length() >= 3 && Character.isDigit(dtype.charAt(2)) ? Integer.parseInt(dtype.substring(2)) : 0;
        return new Header(dtype, shape, count, width, in);
    }

    /** Receives {@code n} values starting at value {@code at}, little-endian, in {@code bb}. */
    private interface Chunk {
        void accept(ByteBuffer bb, int at, int n);
    }

    /** Streams the data in chunks of up to 16 MiB (so files above 2 GiB read too); checks the exact length. */
    private static void body(Path path, Header h, Chunk sink) throws IOException {
        long bytes = h.count * h.width;
        int per = Math.max(1, (16 << 20) / h.width);
        for (long at = 0; at < h.count; at += per) {
            int n = (int) Math.min(per, h.count - at);
            byte[] data = h.in.readNBytes(n * h.width);
            if (data.length < n * h.width) {
                throw new DatasetException(path + " has " + (at * h.width + data.length) + " data bytes but its shape "
                        + java.util.Arrays.toString(h.shape) + " of " + h.dtype + " needs " + bytes + " (file truncated)");
            }
            sink.accept(ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN), (int) at, n);
        }
        if (h.in.read() != -1) {
            throw new DatasetException(path + " has bytes after its " + java.util.Arrays.toString(h.shape)
                    + " array (not a single np.save array)");
        }
    }

    /** IEEE 754 binary16 to float (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short h) {
        int bits = h & 0xFFFF, sign = (bits & 0x8000) << 16, exp = (bits >>> 10) & 0x1F, mant = bits & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    private static DatasetException truncated(Path path) {
        return new DatasetException(path + " ends inside its .npy header (file truncated)");
    }

    private static String describe(String dtype) {
        switch (dtype) {
            case "<f8": return "float64 ('<f8')";
            case "<f4": return "float32 ('<f4')";
            case "<f2": return "float16 ('<f2')";
            case "<i8": return "int64 ('<i8')";
            case "<i4": return "int32 ('<i4')";
            case "|u1": return "uint8 ('|u1')";
            default: return "'" + dtype + "'";
        }
    }
}
