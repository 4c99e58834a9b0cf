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
 * F64, F16 and BF16 (converted to float32), so PyTorch exports load directly.
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
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        List<Tensor> order = new ArrayList<>();
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
            for (Tensor t : order) {
                float[] v = t.toArray();
                ByteBuffer bb = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                bb.asFloatBuffer().put(v);
                out.write(bb.array());
            }
        });
    }

    public static Contents read(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new IOException("safetensors: no file at " + path);
        }
        long fileSize = Files.size(path);
        try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(path), 1 << 20)) {
            byte[] lenBytes = in.readNBytes(8);
            if (lenBytes.length < 8) {
                throw new IOException("safetensors: " + path + " is shorter than its 8-byte header length");
            }
            long headerLen = ByteBuffer.wrap(lenBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (headerLen <= 0 || headerLen > MAX_HEADER || 8 + headerLen > fileSize) {
                throw new IOException("safetensors: " + path + " has an invalid header length " + headerLen
                        + " (not a safetensors file, or truncated)");
            }
            byte[] headerBytes = in.readNBytes((int) headerLen);
            JsonNode header = JSON.readTree(new String(headerBytes, StandardCharsets.UTF_8).trim());
            long dataSize = fileSize - 8 - headerLen;
            Map<String, String> metadata = new LinkedHashMap<>();
            List<Object[]> entries = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    e.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                JsonNode n = e.getValue();
                String dtype = n.path("dtype").asText();
                int[] shape = new int[n.path("shape").size()];
                for (int q = 0; q < shape.length; q++) {
                    shape[q] = n.path("shape").get(q).asInt();
                }
                long begin = n.path("data_offsets").get(0).asLong(), end = n.path("data_offsets").get(1).asLong();
                long count = io.vrfm.tensor.Shape.numel(shape);
                int width = width(dtype, e.getKey(), path);
                if (end - begin != count * width || begin < 0 || end > dataSize) {
                    throw new IOException("safetensors: tensor '" + e.getKey() + "' in " + path + " has offsets ["
                            + begin + ", " + end + ") that do not match its shape " + java.util.Arrays.toString(shape)
                            + " and dtype " + dtype + " (file truncated or corrupt)");
                }
                entries.add(new Object[]{e.getKey(), dtype, shape, begin, end});
            }
            entries.sort((a, b) -> Long.compare((Long) a[3], (Long) b[3]));
            byte[] data = in.readAllBytes();
            Map<String, Entry> out = new LinkedHashMap<>();
            for (Object[] e : entries) {
                int begin = (int) (long) (Long) e[3], end = (int) (long) (Long) e[4];
                ByteBuffer bb = ByteBuffer.wrap(data, begin, end - begin).order(ByteOrder.LITTLE_ENDIAN);
                out.put((String) e[0], new Entry((int[]) e[2], decode((String) e[1], bb, (end - begin))));
            }
            return new Contents(out, metadata);
        }
    }

    private static int width(String dtype, String name, Path path) throws IOException {
        switch (dtype) {
            case "F32": return 4;
            case "F64": return 8;
            case "F16":
            case "BF16": return 2;
            default:
                throw new IOException("safetensors: tensor '" + name + "' in " + path + " has dtype " + dtype
                        + "; only F32, F64, F16 and BF16 are supported (convert it with .float() before saving)");
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
