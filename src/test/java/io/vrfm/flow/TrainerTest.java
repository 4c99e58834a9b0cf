package io.vrfm.flow;

import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.data.SyntheticData;
import io.vrfm.io.Checkpoint;
import io.vrfm.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerTest {
    /** Training 6 steps equals training 3, checkpointing, loading into a fresh trainer and training 3 more. */
    @Test
    void resumeFromCheckpointContinuesExactly(@TempDir Path tmp) throws Exception {
        CpuBackend be = new CpuBackend(1);
        TrainConfig cfg = TrainConfig.paper2d(Method.VRFM, 3).withBatch(16).withIters(6);
        Trainer straight = new Trainer(be, coupling(SyntheticData.twoD()), cfg);
        for (int i = 0; i < 6; i++) {
            straight.trainStep();
        }
        Trainer first = new Trainer(be, coupling(SyntheticData.twoD()), cfg);
        for (int i = 0; i < 3; i++) {
            first.trainStep();
        }
        Path ckpt = tmp.resolve("c.safetensors");
        Checkpoint.save(ckpt, first.model(), first.optimizer(), null, first.step(), null);
        Trainer resumed = new Trainer(be, coupling(SyntheticData.twoD()), cfg.withSeed(3));
        resumed.setStep(Checkpoint.load(ckpt, resumed.model(), resumed.optimizer(), null));
        for (int i = 0; i < 3; i++) {
            resumed.trainStep();
        }
        Map<String, Tensor> a = straight.model().namedParameters(), b = resumed.model().namedParameters();
        assertTrue(a.keySet().containsAll(java.util.List.of("velocity.decoder.layers.0.weight",
                "posterior.head.layers.2.bias", "velocity.z_enc.layers.1.weight")), a.keySet().toString());
        for (String k : a.keySet()) {
            assertArrayEquals(a.get(k).toArray(), b.get(k).toArray(), 1e-6f, k);
        }
    }

    @Test
    void everyMethodReducesItsLossOnTheOneDimensionalTask() {
        CpuBackend be = new CpuBackend(1);
        for (Method m : Method.values()) {
            Trainer tr = new Trainer(be, coupling(SyntheticData.oneD()), TrainConfig.paper1d(m, 0).withBatch(128).withIters(150));
            double first = 0, last = 0;
            for (int i = 0; i < 150; i++) {
                double l = tr.trainStep().recon();
                if (i < 10) first += l;
                if (i >= 140) last += l;
            }
            assertTrue(last < first, m + ": recon loss " + first / 10 + " -> " + last / 10);
        }
    }

    static Coupling coupling(SyntheticData.Task task) {
        return Coupling.independent(task.dim(), task.source()::sample, task.target()::sample);
    }
}
