package io.vrfm.io;

import io.vrfm.backend.Backend;
import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.nn.Activation;
import io.vrfm.nn.Mlp;
import io.vrfm.optim.AdamW;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Header validation as the format's reference reader does it, a mutation fuzz test, and non-finite refusals. */
class SafeTensorsValidationTest {
    @TempDir
    Path dir;

    private static byte[] file(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
        o.writeBytes(h);
        o.writeBytes(new byte[dataBytes]);
        return o.toByteArray();
    }

    private SafeTensorsException rejected(String header, int dataBytes) throws Exception {
        Path p = dir.resolve("t.safetensors");
        Files.write(p, file(header, dataBytes));
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.read(p), header);
        assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
        return e;
    }

    @Test
    void malformedHeadersAreRefusedNamingFileAndTensor() throws Exception {
        String ok = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
        Path p = dir.resolve("ok.safetensors");
        Files.write(p, file(ok, 12));
        assertEquals(2, SafeTensors.read(p).tensors().size());
        String[][] bad = {
                {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", "a"},                                   // no offsets
                {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":8}}", "a"},                 // not an array
                {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", "a"},               // one offset
                {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[\"0\",\"8\"]}}", "a"},     // strings
                {"{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[8,0]}}", "a"},            // negative, reversed
                {"{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", "a"},                               // no dtype
                {"{\"a\":{\"dtype\":7,\"shape\":[2],\"data_offsets\":[0,8]}}", "a"},                   // dtype type
                {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", "a"},           // fractional dim
                {"{\"a\":{\"dtype\":\"F32\",\"shape\":2,\"data_offsets\":[0,8]}}", "a"},               // shape type
                {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"                    // overlap
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", "b"},
                {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"                    // hole
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", "b"},
                {"{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967298],\"data_offsets\":[0,8]}}", "a"},    // dim > 2^31
                {"{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,4],\"data_offsets\":[0,0]}}", "a"}, // overflow
                {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", null},            // trailing bytes
                {"{\"a\":[1,2]}", "a"},
                {"{\"__metadata__\":{\"k\":[1]}}", null},
                {"[1,2,3]", null},
                {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},", null},           // invalid JSON
                {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"                    // duplicate key
                        + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", null},
        };
        for (String[] b : bad) {
            SafeTensorsException e = rejected(b[0], 12);
            if (b[1] != null) {
                assertTrue(e.getMessage().contains("'" + b[1] + "'"), b[0] + " -> " + e.getMessage());
            }
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        }
    }

    /** Random edits of a valid header: only SafeTensorsException may escape, naming the file. */
    @Test
    void headerMutationFuzzLetsOnlyOurErrorEscape() throws Exception {
        Path base = dir.resolve("base.safetensors");
        try (CpuBackend be = new CpuBackend(1)) {
            SafeTensors.write(base, Map.of("w", Tensor.randn(be, new Rng(1), 3, 2), "b", Tensor.randn(be, new Rng(2), 2)),
                    Map.of("step", "3"));
        }
        byte[] good = Files.readAllBytes(base);
        int headerLen = (int) ByteBuffer.wrap(good, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(good, 8, headerLen, StandardCharsets.UTF_8);
        byte[] data = java.util.Arrays.copyOfRange(good, 8 + headerLen, good.length);
        String[] tokens = {"-1", "0", "8", "24", "4294967296", "9223372036854775807", "1e40", "\"x\"", "null", "[]",
                "{}", "[0]", "[0,0,0]", "true", "\"F16\"", "\"I64\"", "\"BF16\"", ",", ":", "]", "}", ""};
        SplittableRandom r = new SplittableRandom(42);
        Path p = dir.resolve("fuzz.safetensors");
        int accepted = 0, refused = 0;
        for (int i = 0; i < 800; i++) {
            String h = header;
            int edits = 1 + r.nextInt(3);
            for (int k = 0; k < edits; k++) {
                int at = r.nextInt(h.length());
                switch (r.nextInt(4)) {
                    case 0: { // replace a number or token near 'at' with a random token
                        int end = at;
                        while (end < h.length() && "-0123456789.e".indexOf(h.charAt(end)) >= 0) end++;
                        h = h.substring(0, at) + tokens[r.nextInt(tokens.length)] + h.substring(end);
                        break;
                    }
                    case 1: // flip a byte to a random printable character
                        h = h.substring(0, at) + (char) (32 + r.nextInt(95)) + h.substring(at + 1);
                        break;
                    case 2: // delete a span
                        h = h.substring(0, at) + h.substring(Math.min(h.length(), at + 1 + r.nextInt(12)));
                        break;
                    default: // rename a key
                        h = h.replaceFirst(r.nextBoolean() ? "data_offsets" : r.nextBoolean() ? "shape" : "dtype",
                                tokens[r.nextInt(tokens.length)].replace("\"", ""));
                }
            }
            byte[] hb = h.getBytes(StandardCharsets.UTF_8);
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            o.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(hb.length).array());
            o.writeBytes(hb);
            o.writeBytes(data);
            Files.write(p, o.toByteArray());
            try {
                SafeTensors.read(p);
                accepted++;
            } catch (SafeTensorsException e) {
                refused++;
                assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
            } catch (Throwable t) {
                fail("mutated header escaped as " + t + " for header " + h, t);
            }
        }
        assertTrue(refused > 500, "refused " + refused + " accepted " + accepted);
    }

    @Test
    void checkpointSaveRefusesNonFiniteTensorsAndKeepsTheFiniteFile() throws Exception {
        Backend be = new CpuBackend(1);
        Mlp model = new Mlp(be, new Rng(1), Activation.GELU, false, 2, 4, 2);
        AdamW opt = new AdamW(model.namedParameters(), 1e-3f, 0.9f, 0.999f, 1e-8f, 0f);
        Path p = dir.resolve("ck.safetensors");
        Checkpoint.save(p, model, opt, null, 1, null);
        byte[] finite = Files.readAllBytes(p);
        Map.Entry<String, Tensor> first = model.namedParameters().entrySet().iterator().next();
        float[] v = first.getValue().toArray();
        v[v.length - 1] = Float.POSITIVE_INFINITY;
        be.upload(v, 0, first.getValue().buffer(), 0, v.length);
        NonFiniteTensorException e = assertThrows(NonFiniteTensorException.class,
                () -> Checkpoint.save(p, model, opt, null, 2, null));
        assertTrue(e.getMessage().contains("'" + first.getKey() + "'") && e.getMessage().contains(p.toString()),
                e.getMessage());
        assertArrayEquals(finite, Files.readAllBytes(p));
        List<Path> left = new ArrayList<>();
        try (var s = Files.list(dir)) {
            s.forEach(left::add);
        }
        assertEquals(List.of(p), left, "temporary file left behind");
        // a non-finite file cannot be loaded
        SafeTensors.write(p, model.namedParameters(), null);
        NonFiniteTensorException l = assertThrows(NonFiniteTensorException.class,
                () -> Checkpoint.load(p, model, null, null));
        assertTrue(l.getMessage().contains("'" + first.getKey() + "'"), l.getMessage());
    }

    /** "No space left on device" alone does not say which write failed: the error names the file. */
    @Test
    void writeErrorsNameTheFileAndLeaveNoTemporaryFile() throws Exception {
        Path target = dir.resolve("metrics.json");
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> AtomicFiles.write(target, out -> {
            out.write(1);
            throw new java.io.IOException("No space left on device");
        }));
        assertTrue(e.getMessage().contains(target.toString()) && e.getMessage().contains("No space left"), e.getMessage());
        try (var s = Files.list(dir)) {
            assertEquals(0, s.count(), "temporary file left behind");
        }
        Files.writeString(dir.resolve(".x.safetensors123.tmp"), "partial");
        Files.writeString(dir.resolve("keep.tmp"), "not ours");
        assertEquals(1, AtomicFiles.removeOrphans(dir));
        assertTrue(Files.exists(dir.resolve("keep.tmp")));
    }
}
