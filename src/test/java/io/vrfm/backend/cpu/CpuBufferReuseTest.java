package io.vrfm.backend.cpu;

import io.vrfm.data.SyntheticData;
import io.vrfm.flow.Coupling;
import io.vrfm.flow.Method;
import io.vrfm.flow.TrainConfig;
import io.vrfm.flow.Trainer;
import io.vrfm.tensor.Tensor;
import io.vrfm.tensor.TensorScope;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Buffer reuse on the CPU backend: what a closed {@link TensorScope} released is handed out again, nothing else is,
 * and training with reuse (released buffers poisoned with NaN) is bit-identical to training without it, so no
 * buffer is reused while a tensor still reads it and no op relies on a fresh array's zeros.
 */
class CpuBufferReuseTest {

    @Test
    void aClosedScopesBuffersAreReusedButWhatItKeptIsNot() {
        CpuBackend be = new CpuBackend(1, true, true);
        Tensor kept;
        try (TensorScope scope = TensorScope.open()) {
            Tensor a = Tensor.full(be, 7f, 1000);
            Tensor tmp = a.add(1f);
            kept = scope.keep(a.mul(2f).add(tmp));
        }
        long reused = be.reusedBuffers(), fresh = be.freshBuffers();
        try (TensorScope scope = TensorScope.open()) {
            for (int i = 0; i < 4; i++) {
                Tensor.full(be, -1f, 1000);
            }
            assertEquals(reused + 3, be.reusedBuffers(), "a, tmp and a·2 were released: three buffers to reuse");
            assertEquals(fresh + 1, be.freshBuffers(), "the kept tensor's buffer is not handed out");
        }
        float[] k = kept.toArray();
        for (float v : k) {
            assertEquals(22f, v, "kept = 7·2 + 8");
        }
        be.close();
    }

    @Test
    void poisonMakesAUseAfterReleaseVisibleAsNaN() {
        CpuBackend be = new CpuBackend(1, true, true);
        Tensor leaked;
        try (TensorScope ignored = TensorScope.open()) {
            leaked = Tensor.full(be, 3f, 16);
        }
        for (float v : leaked.toArray()) {
            assertTrue(Float.isNaN(v), "a released buffer is poisoned");
        }
        be.close();
    }

    @Test
    void tensorsOutsideAnyScopeStayAndACloseReleasesOnce() {
        CpuBackend be = new CpuBackend(1, true, true);
        Tensor outside = Tensor.full(be, 5f, 64);
        try (TensorScope ignored = TensorScope.open()) {
            Tensor.full(be, 1f, 64);
        }
        long reused = be.reusedBuffers();
        try (TensorScope ignored = TensorScope.open()) {
            Tensor.full(be, 2f, 64);
            Tensor.full(be, 2f, 64);
        }
        assertEquals(reused + 1, be.reusedBuffers(), "only the scoped buffer comes back");
        assertArrayEquals(new float[]{5f, 5f}, java.util.Arrays.copyOf(outside.toArray(), 2));

        Tensor closed = Tensor.full(be, 1f, 333);
        closed.close();
        closed.close();
        reused = be.reusedBuffers();
        Tensor.full(be, 0f, 333);
        Tensor.full(be, 0f, 333);
        assertEquals(reused + 1, be.reusedBuffers(), "closing twice hands the buffer back once");
        be.close();
    }

    @Test
    void noReuseAtAllWhenTurnedOff() {
        CpuBackend be = new CpuBackend(1, false, false);
        try (TensorScope ignored = TensorScope.open()) {
            Tensor.full(be, 1f, 64);
        }
        Tensor.full(be, 1f, 64);
        assertEquals(0, be.reusedBuffers());
        be.close();
    }

    @Test
    void trainingWithReuseAndPoisonIsBitIdenticalToTrainingWithout() {
        for (String method : new String[]{"vrfm", "rfm"}) {
            CpuBackend plain = new CpuBackend(2, false, false), reuse = new CpuBackend(2, true, true);
            Trainer a = trainer(plain, method), b = trainer(reuse, method);
            long freshAfter2 = 0;
            for (int s = 0; s < 4; s++) {
                Trainer.StepStats sa = a.trainStep(), sb = b.trainStep();
                assertEquals(sa.total(), sb.total(), method + " step " + s + ": loss");
                if (s == 1) {
                    freshAfter2 = reuse.freshBuffers();
                }
            }
            assertTrue(reuse.reusedBuffers() > 0, method + ": buffers were reused");
            assertEquals(freshAfter2, reuse.freshBuffers(), method + ": steps 3 and 4 allocate no new arrays");
            Map<String, Tensor> pa = a.model().namedParameters(), pb = b.model().namedParameters();
            List<String> names = new ArrayList<>(pa.keySet());
            for (String name : names) {
                assertArrayEquals(pa.get(name).toArray(), pb.get(name).toArray(), method + ": parameter " + name);
            }
            plain.close();
            reuse.close();
        }
    }

    private static Trainer trainer(CpuBackend be, String method) {
        SyntheticData.Task task = SyntheticData.twoD();
        return new Trainer(be, Coupling.independent(2, task.source()::sample, task.target()::sample),
                TrainConfig.paper2d(Method.parse(method), 0).withBatch(32).withIters(Integer.MAX_VALUE));
    }
}
