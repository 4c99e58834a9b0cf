package io.vrfm.bench;

import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.nn.Activation;
import io.vrfm.nn.Mlp;
import io.vrfm.optim.AdamW;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;
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
 * One training step of a small MLP on the CPU backend: {@code 64 → width → width → width → 64}, GELU (exact),
 * MSE to a fixed target, backward, AdamW. The PyTorch peer is {@code bench/mlp_step_torch.py}; both are run and
 * compared by {@code bench/run-mlp-step-bench.sh}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
public class MlpStepBench {
    @Param({"1024"})
    public int batch;

    @Param({"256"})
    public int width;

    /** Worker threads; 0 means one per available processor. */
    @Param({"0"})
    public int threads;

    private CpuBackend be;
    private Mlp model;
    private AdamW opt;
    private Tensor x, y;

    @Setup(Level.Trial)
    public void setUp() {
        be = new CpuBackend(threads > 0 ? threads : Runtime.getRuntime().availableProcessors());
        Rng rng = new Rng(1);
        model = new Mlp(be, rng, Activation.GELU, false, 64, width, width, width, 64);
        opt = AdamW.withDefaults(model.namedParameters(), 1e-3f);
        x = Tensor.randn(be, rng, batch, 64);
        y = Tensor.randn(be, rng, batch, 64);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        be.close();
    }

    /** One MSE step, scoped as the trainer scopes it ({@link ScopedStep}; unscoped it allocated 14.4 MB per step). */
    @Benchmark
    public float step() {
        return ScopedStep.run(opt, () -> model.forward(x).mse(y));
    }
}
