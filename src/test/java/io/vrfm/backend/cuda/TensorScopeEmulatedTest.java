package io.vrfm.backend.cuda;

import io.vrfm.flow.FlowTrainer;
import io.vrfm.flow.PairSource;
import io.vrfm.nn.Linear;
import io.vrfm.nn.Module;
import io.vrfm.nn.VelocityField;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;
import io.vrfm.tensor.TensorScope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Device-memory lifetime on the emulated CUDA device: a scope releases what was created in it (but not what was
 * kept), and a 1,000-step training loop holds a flat number of live device buffers without help from the GC.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 240, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TensorScopeEmulatedTest {
    private KernelBackend emu;
    private String reason;

    @BeforeAll
    void start() throws Exception {
        reason = EmuDevice.unavailableReason();
        if (reason == null) {
            emu = new KernelBackend(EmuDevice.start(), "cuda-emu");
        }
    }

    @AfterAll
    void stop() {
        if (emu != null) {
            emu.close();
        }
    }

    @Test
    void aScopeReleasesWhatItCreatedExceptWhatIsKeptAndNested() {
        Assumptions.assumeTrue(emu != null, reason);
        long before = emu.liveBuffers();
        Tensor outside = Tensor.ones(emu, 4);
        Tensor kept;
        try (TensorScope outer = TensorScope.open()) {
            try (TensorScope inner = TensorScope.open()) {
                Tensor a = Tensor.ones(emu, 8);
                Tensor b = a.mul(2f);
                Tensor c = b.add(1f);
                kept = inner.keep(c.reshape(2, 4)); // a view: its storage moves to the outer scope
                assertEquals(before + 4, emu.liveBuffers());
            }
            assertEquals(before + 2, emu.liveBuffers(), "the inner scope released a and b, kept c");
            assertEquals(3f, kept.toArray()[0]);
            outer.keep(kept);
        }
        assertEquals(before + 2, emu.liveBuffers(), "kept from the outermost scope: owned by the GC now");
        kept.close();
        outside.close();
        assertEquals(before, emu.liveBuffers());
    }

    /** {@code v = W·[x, t] + b}: the smallest trainable field, so the emulated loop stays quick. */
    private static final class LinearField extends Module implements VelocityField {
        private final Linear lin;

        LinearField(KernelBackend be) {
            lin = child("lin", new Linear(be, new Rng(1), 3, 2));
        }

        @Override
        public Tensor velocity(Tensor x, Tensor t, Tensor z) {
            return lin.forward(Tensor.concat(1, x, t.reshape(-1, 1)));
        }

        @Override
        public int latentDim() {
            return 0;
        }
    }

    /**
     * Trains {@code steps} steps on {@code be} and asserts the live-buffer count equals parameters + moments from step
     * {@code min(10, steps / 2)} on.
     */
    static void assertFlatBufferCount(KernelBackend be, int steps) {
        PairSource pairs = (b, rng, n) -> {
            Tensor x0 = Tensor.randn(b, rng, n, 2);
            return new PairSource.Pairs(x0, x0.add(1f));
        };
        LinearField field;
        FlowTrainer tr;
        try (TensorScope init = TensorScope.open()) { // initialisation temporaries go too; parameters persist
            field = new LinearField(be);
            tr = FlowTrainer.rfm(field).pairs(pairs).batch(8).adamW(1e-2f, 0f).build();
        }
        assertEquals(3 * field.parameters().size(), be.liveBuffers(), "parameters and two Adam moments each");
        long[] live = new long[steps + 1];
        for (int s = 1; s <= steps; s++) {
            tr.step();
            live[s] = be.liveBuffers();
        }
        int from = Math.min(10, Math.max(1, steps / 2)); // past any first-step warm-up
        assertEquals(3 * field.parameters().size(), live[from],
                "after " + from + " steps: still only parameters and moments");
        for (int s = from; s <= steps; s++) {
            assertEquals(live[from], live[s], "live buffers at step " + s + " vs step " + from);
        }
    }

    /**
     * On the emulated device (real kernels, slow: one to three seconds per step on a 2-core machine), 4 steps by
     * default to keep {@code mvn test} short; {@code -Dvrfm.test.scopeSteps=1000} runs the full 1,000.
     */
    @Test
    void trainingStepsOnTheEmulatedDeviceHoldAFlatBufferCount() {
        Assumptions.assumeTrue(emu != null, reason);
        assertFlatBufferCount(emu, Integer.getInteger("vrfm.test.scopeSteps", 4));
    }

    /** The same loop for 1,000 steps on a device that only counts memory (kernels are no-ops, values are zeros). */
    @Test
    void aThousandTrainingStepsHoldAFlatBufferCount() {
        try (KernelBackend counting = new KernelBackend(new CountingDevice(), "counting")) {
            assertFlatBufferCount(counting, 1000);
        }
    }

    /** A device with memory bookkeeping only: launches do nothing, downloads read zeros. */
    static final class CountingDevice implements Device {
        private long next = 1 << 20;

        @Override
        public String describe() {
            return "counting device (no kernels)";
        }

        @Override
        public long malloc(long bytes) {
            long a = next;
            next += (bytes + 255) / 256 * 256;
            return a;
        }

        @Override
        public void free(long address) {
        }

        @Override
        public void upload(float[] src, int srcOffset, long dstAddress, int n) {
        }

        @Override
        public void download(long srcAddress, float[] dst, int dstOffset, int n) {
            java.util.Arrays.fill(dst, dstOffset, dstOffset + n, 0f);
        }

        @Override
        public void copy(long dstAddress, long srcAddress, long bytes) {
        }

        @Override
        public void launch(String name, int gx, int gy, int gz, int bx, int by, int bz, Object... args) {
        }

        @Override
        public void synchronize() {
        }

        @Override
        public void close() {
        }
    }
}
