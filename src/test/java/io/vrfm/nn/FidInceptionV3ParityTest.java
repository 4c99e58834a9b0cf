package io.vrfm.nn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vrfm.backend.Backend;
import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.io.SafeTensors;
import io.vrfm.tensor.GradMode;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Golden test of the FID Inception-v3 against PyTorch: {@code fixtures/inception/make_fixture.py} re-implements the
 * FID tool's network, fills every tensor from a formula of its name (mirrored by {@link InceptionFormulaWeights}) and
 * stores two images with the reference pool3 features and logits (at a 87×87 resize to keep the test fast; the
 * network is fully convolutional) plus a 13×17 → 299×299 bilinear resize. Also checks that our parameter names and
 * shapes are exactly the tool's state dict (the committed JSON list).
 */
class FidInceptionV3ParityTest {
    private static final Backend BE = new CpuBackend(2);
    private static FidInceptionV3 net;
    private static SafeTensors.Contents golden;

    /** One network (24M parameters) for the class, at the fixture's resize target, with the formula weights. */
    @BeforeAll
    static void build() throws Exception {
        golden = SafeTensors.read(fixture("inception_fid_small.safetensors"));
        net = new FidInceptionV3(BE, new Rng(0), (int) golden.tensors().get("fixture.size").data()[0]);
        InceptionFormulaWeights.fill(net);
    }

    private static Path fixture(String name) throws Exception {
        return Path.of(FidInceptionV3ParityTest.class.getResource("/fixtures/inception/" + name).toURI());
    }

    @Test
    void parameterNamesAndShapesAreTheFidToolsStateDict() throws Exception {
        JsonNode list = new ObjectMapper().readTree(fixture("fid_inception_tensors.json").toFile());
        Map<String, int[]> want = new LinkedHashMap<>();
        for (JsonNode e : list) {
            int[] shape = new int[e.get("shape").size()];
            for (int i = 0; i < shape.length; i++) shape[i] = e.get("shape").get(i).asInt();
            want.put(e.get("name").asText(), shape);
        }
        Map<String, Tensor> have = net.namedParameters();
        assertEquals(want.keySet(), have.keySet(), "parameter names");
        long count = 0;
        for (Map.Entry<String, int[]> e : want.entrySet()) {
            assertArrayEquals(e.getValue(), have.get(e.getKey()).shape(), e.getKey());
            count += Arrays.stream(e.getValue()).asLongStream().reduce(1, (a, b) -> a * b);
        }
        // 23,850,960 weights and biases plus 2 × 17,216 batch-norm running statistics
        assertEquals(23_885_392L, count, "float tensors of the FID network (conv, bn, fc)");
    }

    @Test
    void bilinearResizeMatchesPyTorch() throws Exception {
        SafeTensors.Contents c = golden;
        SafeTensors.Entry in = c.tensors().get("resize.in"), ref = c.tensors().get("resize.out");
        float[] out = BilinearResize.resize(Tensor.of(BE, in.data(), in.shape()), 299, 299).toArray();
        assertEquals(ref.data().length, out.length);
        double max = 0;
        for (int i = 0; i < out.length; i++) max = Math.max(max, Math.abs(out[i] - ref.data()[i]));
        assertTrue(max < 1e-5, "max |diff| " + max);
    }

    @Test
    void poolFeaturesAndLogitsMatchPyTorch() throws Exception {
        SafeTensors.Contents c = golden;
        SafeTensors.Entry x = c.tensors().get("fixture.x");
        float[] x01 = x.data(), pm1 = new float[x01.length];
        for (int i = 0; i < x01.length; i++) pm1[i] = 2f * x01[i] - 1f; // our input convention is [-1, 1]
        FidInceptionV3.Output out;
        try (GradMode.Scope g = GradMode.noGrad()) {
            out = net.forward(Tensor.of(BE, pm1, x.shape()));
        }
        check("pool3", c.tensors().get("fixture.pool3"), out.pool3());
        check("logits", c.tensors().get("fixture.logits"), out.logits());
    }

    private static void check(String what, SafeTensors.Entry ref, Tensor got) {
        assertArrayEquals(ref.shape(), got.shape(), what + " shape");
        float[] r = ref.data(), o = got.toArray();
        double maxAbs = 0, maxRef = 0;
        for (int i = 0; i < r.length; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(o[i] - r[i]));
            maxRef = Math.max(maxRef, Math.abs(r[i]));
        }
        System.out.printf("Inception %s: max |diff| %.3g, relative to max |ref| %.3g%n", what, maxAbs, maxAbs / maxRef);
        assertTrue(maxRef > 0.1, what + " reference is degenerate");
        assertTrue(maxAbs <= 1e-4 * maxRef, what + ": max |diff| " + maxAbs + " vs max |ref| " + maxRef);
    }
}
