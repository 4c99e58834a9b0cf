package io.vrfm.bench;

import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.data.SyntheticData;
import io.vrfm.flow.Coupling;
import io.vrfm.flow.Method;
import io.vrfm.flow.TrainConfig;
import io.vrfm.flow.Trainer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * One full training step (sample batch, interpolate, forward, loss, backward, AdamW) of the paper's 2-D synthetic
 * model (App. D.1 networks; V-RFM latent 8, λ 0.1, posterior on x0, x1, x_t) at batch 1000, in ms per step.
 * Peer: {@code bench/vrfm_step_torch.py}; both via {@code bench/run-vrfm-step-bench.sh}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class VrfmStepBench {
    @Param({"vrfm", "rfm"})
    public String method;

    @Param({"1000"})
    public int batch;

    @Param({"2"})
    public int threads;

    /** cpu or cuda (gpu-check.sh runs both, at batch 1000 and 65536). */
    @Param({"cpu"})
    public String device;

    private io.vrfm.backend.Backend be;
    private Trainer trainer;

    @Setup(Level.Trial)
    public void setup() {
        be = device.equals("cpu") ? new CpuBackend(threads) : io.vrfm.backend.Devices.open(device, System.err::println);
        SyntheticData.Task task = SyntheticData.twoD();
        trainer = new Trainer(be, Coupling.independent(2, task.source()::sample, task.target()::sample), TrainConfig.paper2d(Method.parse(method), 0).withBatch(batch)
                .withIters(Integer.MAX_VALUE));
    }

    /** The CUDA backend, or one line saying why it is unusable (the benchmarks use the library, not the launcher). */
    @TearDown(Level.Trial)
    public void tearDown() {
        System.out.println("# backend after the trial: " + be.describe());
        be.close();
    }

    @Benchmark
    public double step() {
        double loss = trainer.trainStep().total();
        be.synchronize();
        return loss;
    }
}
