package io.vrfm.io;

import io.vrfm.backend.Backend;
import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.nn.Linear;
import io.vrfm.nn.Mlp;
import io.vrfm.nn.Activation;
import io.vrfm.optim.AdamW;
import io.vrfm.optim.Ema;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeTensorsTest {
    private final Backend be = new CpuBackend(1);

    @TempDir
    Path dir;

    @Test
    void roundTripKeepsNamesShapesValuesAndMetadata() throws IOException {
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("a.weight", Tensor.randn(be, new Rng(1), 3, 4));
        in.put("b", Tensor.of(be, new float[]{1.5f, -2f}, 2));
        in.put("scalar", Tensor.scalar(be, 7f));
        Path p = dir.resolve("x.safetensors");
        SafeTensors.write(p, in, Map.of("step", "12"));
        SafeTensors.Contents c = SafeTensors.read(p);
        assertEquals(in.keySet(), c.tensors().keySet());
        for (String k : in.keySet()) {
            assertArrayEquals(in.get(k).shape(), c.tensors().get(k).shape());
            assertArrayEquals(in.get(k).toArray(), c.tensors().get(k).data());
        }
        assertEquals("12", c.metadata().get("step"));
        // header length is a multiple of 8 and the data section exactly follows it
        byte[] bytes = Files.readAllBytes(p);
        long headerLen = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLen % 8);
        assertEquals(8 + headerLen + 4L * (12 + 2 + 1), bytes.length);
        assertTrue(new String(bytes, 8, (int) headerLen, StandardCharsets.UTF_8).contains("\"dtype\":\"F32\""));
    }

    /** A file laid out by hand per the format spec (independent of our writer), with F32, F16 and BF16 entries. */
    @Test
    void readsAFileWrittenByAnIndependentWriter() throws IOException {
        String header = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[16,20]},"
                + "\"bf\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[20,22]}}";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
        out.write(h);
        ByteBuffer data = ByteBuffer.allocate(22).order(ByteOrder.LITTLE_ENDIAN);
        data.putFloat(1f).putFloat(2f).putFloat(3f).putFloat(-4.5f);
        data.putShort((short) 0x3C00).putShort((short) 0xC000); // 1.0, -2.0 in IEEE half
        data.putShort((short) 0x4049); // bf16 of 3.140625
        out.write(data.array());
        Path p = dir.resolve("ext.safetensors");
        Files.write(p, out.toByteArray());
        SafeTensors.Contents c = SafeTensors.read(p);
        assertArrayEquals(new float[]{1f, 2f, 3f, -4.5f}, c.tensors().get("w").data());
        assertArrayEquals(new float[]{1f, -2f}, c.tensors().get("h").data());
        assertArrayEquals(new float[]{3.140625f}, c.tensors().get("bf").data());
        assertEquals("pt", c.metadata().get("format"));
    }

    @Test
    void truncatedOrForeignFilesGiveClearErrors() throws IOException {
        Path p = dir.resolve("bad.safetensors");
        Files.write(p, new byte[]{1, 2, 3});
        IOException e = assertThrows(IOException.class, () -> SafeTensors.read(p));
        assertTrue(e.getMessage().contains("shorter"), e.getMessage());
        Map<String, Tensor> in = Map.of("w", Tensor.ones(be, 10));
        SafeTensors.write(p, in, null);
        byte[] bytes = Files.readAllBytes(p);
        Files.write(p, java.util.Arrays.copyOf(bytes, bytes.length - 8));
        e = assertThrows(IOException.class, () -> SafeTensors.read(p));
        assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void checkpointRoundTripRestoresModelOptimizerAndEma() throws IOException {
        Mlp model = new Mlp(be, new Rng(3), Activation.GELU, false, 2, 8, 2);
        AdamW opt = AdamW.withDefaults(model.namedParameters(), 1e-2f);
        Ema ema = new Ema(model.namedParameters(), 0.9f);
        Tensor x = Tensor.randn(be, new Rng(4), 5, 2);
        for (int i = 0; i < 3; i++) {
            opt.zeroGrad();
            model.forward(x).square().mean().backward();
            opt.step();
            ema.update();
        }
        Path p = dir.resolve("ckpt.safetensors");
        Checkpoint.save(p, model, opt, ema, 3, Map.of("method", "rfm"));
        Mlp copy = new Mlp(be, new Rng(99), Activation.GELU, false, 2, 8, 2);
        AdamW opt2 = AdamW.withDefaults(copy.namedParameters(), 1e-2f);
        Ema ema2 = new Ema(copy.namedParameters(), 0.9f);
        assertEquals(3, Checkpoint.load(p, copy, opt2, ema2));
        assertEquals(3, opt2.stepCount());
        for (String k : model.namedParameters().keySet()) {
            assertArrayEquals(model.namedParameters().get(k).toArray(), copy.namedParameters().get(k).toArray());
            assertArrayEquals(ema.shadow().get(k).toArray(), ema2.shadow().get(k).toArray());
        }
        for (String k : opt.state().keySet()) {
            assertArrayEquals(opt.state().get(k).toArray(), opt2.state().get(k).toArray());
        }
        // one more identical step on both gives identical parameters (deterministic resume)
        for (Mlp m : new Mlp[]{model, copy}) {
            AdamW o = m == model ? opt : opt2;
            o.zeroGrad();
            m.forward(x).square().mean().backward();
            o.step();
        }
        for (String k : model.namedParameters().keySet()) {
            assertArrayEquals(model.namedParameters().get(k).toArray(), copy.namedParameters().get(k).toArray());
        }
        assertFalse(Files.list(dir).anyMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no temp files left");
    }

    @Test
    void loadingAMismatchedCheckpointNamesEveryOffendingTensor() throws IOException {
        Mlp model = new Mlp(be, new Rng(3), Activation.GELU, false, 2, 8, 2);
        Path p = dir.resolve("m.safetensors");
        Map<String, Tensor> wrong = new LinkedHashMap<>(model.namedParameters());
        wrong.remove("layers.1.bias");
        wrong.put("layers.0.weight", Tensor.zeros(be, 4, 2));
        wrong.put("extra.weight", Tensor.zeros(be, 1));
        SafeTensors.write(p, wrong, null);
        Mlp target = new Mlp(be, new Rng(5), Activation.GELU, false, 2, 8, 2);
        float[] before = target.namedParameters().get("layers.0.bias").toArray();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Checkpoint.load(p, target, null, null));
        String m = e.getMessage();
        assertTrue(m.contains("missing 'layers.1.bias'") && m.contains("shape of 'layers.0.weight'")
                && m.contains("unexpected 'extra.weight'"), m);
        assertArrayEquals(before, target.namedParameters().get("layers.0.bias").toArray(), "nothing modified");
    }

    @Test
    void linearParameterNamesFollowPyTorch() {
        Mlp m = new Mlp(be, new Rng(1), Activation.SILU, false, 3, 4, 5);
        assertEquals(java.util.List.of("layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"),
                new java.util.ArrayList<>(m.namedParameters().keySet()));
        assertEquals(3 * 4 + 4 + 4 * 5 + 5, m.parameterCount());
        assertArrayEquals(new int[]{4, 3}, new Linear(be, new Rng(1), 3, 4).weight().shape());
    }
}
