package io.vrfm.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vrfm.backend.Backend;
import io.vrfm.tensor.Tensor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header mapping names to
 * {@code dtype}, {@code shape} and {@code data_offsets}, then the raw little-endian data. We write F32; we read F32,
 * F64, F16 and BF16 (converted to float32), so PyTorch exports load directly, and I64 / I32 (integer tensors such as
 * class labels, converted to float32: exact below 2^24).
 */
public final class SafeTensors {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = 100L << 20;

    private SafeTensors() {
    }

    /** A tensor read from a file: host values and shape. */
    public record Entry(int[] shape, float[] data) {
    }

    /** A loaded file: entries in file order plus the free-form {@code __metadata__}. */
    public record Contents(Map<String, Entry> tensors, Map<String, String> metadata) {
    }

    /** Writes {@code tensors} (atomically: temp file, then rename). */
    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        write(path, tensors, metadata, false);
    }

    /**
     * As {@link #write(Path, Map, Map)}; with {@code requireFinite} a tensor holding NaN or infinity aborts the write
     * with a {@link NonFiniteTensorException} before the rename, so the file at {@code path} stays as it was.
     */
    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata,
                             boolean requireFinite) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        List<Tensor> order = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            ObjectNode node = header.putObject(e.getKey());
            node.put("dtype", "F32");
            ArrayNode shape = node.putArray("shape");
            for (int d : t.shape()) {
                shape.add(d);
            }
            ArrayNode offs = node.putArray("data_offsets");
            offs.add(offset);
            offset += t.size() * 4;
            offs.add(offset);
            order.add(t);
            names.add(e.getKey());
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        byte[] head = new byte[padded];
        java.util.Arrays.fill(head, (byte) ' ');
        System.arraycopy(json, 0, head, 0, json.length);
        AtomicFiles.write(path, out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
            out.write(len.array());
            out.write(head);
            for (int i = 0; i < order.size(); i++) {
                float[] v = order.get(i).toArray();
                if (requireFinite) {
                    requireFinite(v, "not saving " + path + ": tensor '" + names.get(i) + "'",
                            "training diverged (lower --lr); the previous file is kept");
                }
                ByteBuffer bb = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                bb.asFloatBuffer().put(v);
                out.write(bb.array());
            }
        });
    }

    /**
     * Reads a file, validating its header as the format's reference reader does: a JSON object whose entries each
     * have a string {@code dtype}, a {@code shape} of non-negative integers and two integer {@code data_offsets};
     * the offsets, in order, tile the data section exactly (no overlap, no hole, nothing after), and each byte
     * length equals the dtype size times the product of the shape (64-bit, overflow-checked). Any violation is a
     * {@link SafeTensorsException} naming the file and the tensor.
     */
    public static Contents read(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new SafeTensorsException("safetensors: no file at " + path);
        }
        long fileSize = Files.size(path);
        try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(path), 1 << 20)) {
            byte[] lenBytes = in.readNBytes(8);
            if (lenBytes.length < 8) {
                throw new SafeTensorsException("safetensors: " + path + " is shorter than its 8-byte header length");
            }
            long headerLen = ByteBuffer.wrap(lenBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (headerLen <= 0 || headerLen > MAX_HEADER || 8 + headerLen > fileSize) {
                throw new SafeTensorsException("safetensors: " + path + " has an invalid header length " + headerLen
                        + " (not a safetensors file, or truncated)");
            }
            byte[] headerBytes = in.readNBytes((int) headerLen);
            JsonNode header;
            try {
                header = STRICT_JSON.readTree(new String(headerBytes, StandardCharsets.UTF_8).trim());
            } catch (com.fasterxml.jackson.core.JacksonException e) {
                throw new SafeTensorsException("safetensors: " + path + " has an invalid JSON header ("
                        + oneLine(e.getOriginalMessage()) + ")");
            }
            if (header == null || !header.isObject()) {
                throw new SafeTensorsException("safetensors: " + path + " has a header that is not a JSON object");
            }
            long dataSize = fileSize - 8 - headerLen;
            Map<String, String> metadata = new LinkedHashMap<>();
            List<Layout> entries = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    if (!e.getValue().isObject()) {
                        throw new SafeTensorsException("safetensors: " + path + ": __metadata__ is not an object of strings");
                    }
                    for (Iterator<Map.Entry<String, JsonNode>> m = e.getValue().fields(); m.hasNext(); ) {
                        Map.Entry<String, JsonNode> kv = m.next();
                        if (!kv.getValue().isTextual()) {
                            throw new SafeTensorsException("safetensors: " + path + ": __metadata__ value '" + kv.getKey()
                                    + "' is not a string");
                        }
                        metadata.put(kv.getKey(), kv.getValue().asText());
                    }
                    continue;
                }
                entries.add(layout(e.getKey(), e.getValue(), path));
            }
            // by begin, then end: an empty tensor at offset x precedes the tensor starting at x
            entries.sort((a, b) -> a.begin != b.begin ? Long.compare(a.begin, b.begin) : Long.compare(a.end, b.end));
            long expected = 0;
            for (Layout l : entries) {
                if (l.begin != expected) {
                    throw new SafeTensorsException("safetensors: tensor '" + l.name + "' in " + path + " starts at byte "
                            + l.begin + " but the previous tensor ends at " + expected
                            + (l.begin < expected ? " (overlapping data)" : " (a hole in the data)"));
                }
                if (l.end > dataSize) {
                    throw new SafeTensorsException("safetensors: tensor '" + l.name + "' in " + path + " ends at byte "
                            + l.end + " but the data section has " + dataSize + " bytes (file truncated)");
                }
                expected = l.end;
            }
            if (expected != dataSize) {
                throw new SafeTensorsException("safetensors: " + path + " has " + dataSize + " data bytes but its header"
                        + " describes " + expected + (dataSize < expected ? " (file truncated)" : " (trailing bytes)"));
            }
            byte[] data = in.readAllBytes();
            Map<String, Entry> out = new LinkedHashMap<>();
            for (Layout l : entries) {
                int begin = (int) l.begin, end = (int) l.end;
                ByteBuffer bb = ByteBuffer.wrap(data, begin, end - begin).order(ByteOrder.LITTLE_ENDIAN);
                out.put(l.name, new Entry(l.shape, decode(l.dtype, bb, (end - begin))));
            }
            return new Contents(out, metadata);
        }
    }

    private static final ObjectMapper STRICT_JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private record Layout(String name, String dtype, int[] shape, long begin, long end) {
    }

    /** One header entry, checked for types, sizes and overflow (not yet against its neighbours). */
    private static Layout layout(String name, JsonNode n, Path path) throws SafeTensorsException {
        String at = "safetensors: tensor '" + name + "' in " + path;
        if (!n.isObject()) {
            throw new SafeTensorsException(at + " is not a JSON object with dtype, shape and data_offsets");
        }
        JsonNode dt = n.get("dtype"), sh = n.get("shape"), of = n.get("data_offsets");
        if (dt == null || !dt.isTextual()) {
            throw new SafeTensorsException(at + " has no string 'dtype'");
        }
        if (sh == null || !sh.isArray()) {
            throw new SafeTensorsException(at + " has no 'shape' array");
        }
        if (of == null || !of.isArray() || of.size() != 2 || !of.get(0).isIntegralNumber()
                || !of.get(1).isIntegralNumber()) {
            throw new SafeTensorsException(at + " has no 'data_offsets' array of two integers");
        }
        String dtype = dt.asText();
        int width = width(dtype, name, path);
        int[] shape = new int[sh.size()];
        long count = 1;
        for (int q = 0; q < shape.length; q++) {
            JsonNode d = sh.get(q);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0) {
                throw new SafeTensorsException(at + " has shape " + sh + ": dimensions must be non-negative integers");
            }
            long dim = d.asLong();
            if (dim > Integer.MAX_VALUE) {
                throw new SafeTensorsException(at + " has shape " + sh + ": dimension " + dim + " is above 2^31-1");
            }
            shape[q] = (int) dim;
            try {
                count = Math.multiplyExact(count, dim);
            } catch (ArithmeticException e) {
                throw new SafeTensorsException(at + " has shape " + sh + " whose element count overflows 64 bits");
            }
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(count, (long) width);
        } catch (ArithmeticException e) {
            throw new SafeTensorsException(at + " has shape " + sh + " whose byte size overflows 64 bits");
        }
        if (count > Integer.MAX_VALUE - 8) {
            throw new SafeTensorsException(at + " has " + count + " elements, more than one array can hold");
        }
        if (!of.get(0).canConvertToLong() || !of.get(1).canConvertToLong()) {
            throw new SafeTensorsException(at + " has data_offsets " + of + " outside the 64-bit range");
        }
        long begin = of.get(0).asLong(), end = of.get(1).asLong();
        if (begin < 0 || end < begin) {
            throw new SafeTensorsException(at + " has data_offsets [" + begin + ", " + end + "]: not 0 <= begin <= end");
        }
        if (end - begin != bytes) {
            throw new SafeTensorsException(at + " has data_offsets [" + begin + ", " + end + ") of " + (end - begin)
                    + " bytes but shape " + sh + " and dtype " + dtype + " need " + bytes + " (file corrupt)");
        }
        return new Layout(name, dtype, shape, begin, end);
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").strip();
    }

    private static int width(String dtype, String name, Path path) throws SafeTensorsException {
        switch (dtype) {
            case "F32":
            case "I32": return 4;
            case "F64":
            case "I64": return 8;
            case "F16":
            case "BF16": return 2;
            default:
                throw new SafeTensorsException("safetensors: tensor '" + name + "' in " + path + " has dtype " + dtype
                        + "; only F32, F64, F16, BF16, I64 and I32 are supported (convert it with .float() before saving)");
        }
    }

    private static float[] decode(String dtype, ByteBuffer bb, int bytes) {
        switch (dtype) {
            case "F32": {
                float[] v = new float[bytes / 4];
                bb.asFloatBuffer().get(v);
                return v;
            }
            case "F64": {
                float[] v = new float[bytes / 8];
                for (int i = 0; i < v.length; i++) v[i] = (float) bb.getDouble();
                return v;
            }
            case "I64": { // integers (labels) as float: exact below 2^24
                float[] v = new float[bytes / 8];
                for (int i = 0; i < v.length; i++) v[i] = (float) bb.getLong();
                return v;
            }
            case "I32": {
                float[] v = new float[bytes / 4];
                for (int i = 0; i < v.length; i++) v[i] = (float) bb.getInt();
                return v;
            }
            case "BF16": {
                float[] v = new float[bytes / 2];
                for (int i = 0; i < v.length; i++) v[i] = Float.intBitsToFloat((bb.getShort() & 0xFFFF) << 16);
                return v;
            }
            default: {
                float[] v = new float[bytes / 2];
                for (int i = 0; i < v.length; i++) v[i] = halfToFloat(bb.getShort());
                return v;
            }
        }
    }

    /**
     * Throws a {@link NonFiniteTensorException} if {@code v} holds NaN or Inf: "{@code what} 'name' … has non-finite
     * values …; {@code advice}".
     */
    public static void requireFinite(float[] v, String what, String advice) {
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw new NonFiniteTensorException(what + " has non-finite values (" + v[i] + " at index " + i + "); "
                        + advice);
            }
        }
    }

    static float halfToFloat(short h) {
        int bits = h & 0xFFFF;
        int sign = (bits >>> 15) << 31;
        int exp = (bits >>> 10) & 0x1F;
        int mant = bits & 0x3FF;
        if (exp == 0) {
            return (sign == 0 ? 1f : -1f) * mant * 0x1p-24f;
        }
        if (exp == 31) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /**
     * Copies file entries into existing tensors by name. Every mismatch — names the file lacks, names the model
     * lacks, shapes that differ — is collected and reported in one exception, and nothing is modified then.
     */
    public static void loadInto(Map<String, Tensor> targets, Map<String, Entry> entries, String what) {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : targets.entrySet()) {
            Entry src = entries.get(e.getKey());
            if (src == null) {
                problems.add("missing '" + e.getKey() + "' " + e.getValue().shapeString());
            } else if (!java.util.Arrays.equals(src.shape(), e.getValue().shape())) {
                problems.add("shape of '" + e.getKey() + "': file " + java.util.Arrays.toString(src.shape())
                        + " vs model " + e.getValue().shapeString());
            }
        }
        for (String name : entries.keySet()) {
            if (!targets.containsKey(name)) {
                problems.add("unexpected '" + name + "' " + java.util.Arrays.toString(entries.get(name).shape()));
            }
        }
        if (!problems.isEmpty()) {
            int shown = Math.min(problems.size(), 12);
            String more = problems.size() > shown ? " … and " + (problems.size() - shown) + " more" : "";
            throw new IllegalArgumentException(what + " does not match the model (" + problems.size() + " problems): "
                    + String.join("; ", problems.subList(0, shown)) + more);
        }
        for (Map.Entry<String, Tensor> e : targets.entrySet()) {
            Tensor t = e.getValue();
            float[] v = entries.get(e.getKey()).data();
            Backend be = t.backend();
            be.upload(v, 0, t.buffer(), 0, v.length);
        }
    }
}
