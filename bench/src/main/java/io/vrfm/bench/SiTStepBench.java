package io.vrfm.bench;

import io.vrfm.backend.Backend;
import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.flow.FlowLosses;
import io.vrfm.flow.Interpolant;
import io.vrfm.flow.Reduction;
import io.vrfm.nn.SiT;
import io.vrfm.nn.SiTConfig;
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
 * One class-conditional RFM training step of SiT-S/2 (12 blocks, width 384, 6 heads, patch 2 → 256 tokens) on
 * 3×32×32 inputs with 10 classes (+ the null class), {@code learn_sigma} layout: forward with random labels, MSE to
 * {@code x1 − x0}, backward, AdamW (lr 1e-4, no weight decay, SiT's optimizer). images/s = ops/s · batch;
 * {@code bench/run-sit-step-bench.sh} prints it beside PyTorch ({@code bench/sit_step_torch.py}: the SiT module
 * tree of the parity fixture, same sizes and thread count); {@code bench/gpu-check.sh} step 6 runs both on CUDA.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 10)
@Measurement(iterations = 3, time = 10)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx6g"})
public class SiTStepBench {
    /** Classes of the benchmark's labels (keep in sync with bench/sit_step_torch.py). */
    public static final int CLASSES = 10;

    /** SiT-S/2 on 3×32×32, class-conditional with label dropout's null class. */
    public static SiTConfig config() {
        return SiTConfig.s(2, 32, 3, CLASSES).withClassDropout(0.1f);
    }

    @Param({"8"})
    public int batch;

    /** Worker threads; 0 means one per available processor. */
    @Param({"2"})
    public int threads;

    /** cpu or cuda. */
    @Param({"cpu"})
    public String device;

    private Backend be;
    private SiT net;
    private AdamW opt;
    private Tensor x1;
    private Rng rng;

    @Setup
    public void setUp() {
        if (device.equals("cpu")) {
            be = threads > 0 ? new CpuBackend(threads) : new CpuBackend();
        } else {
            be = io.vrfm.backend.Devices.open(device, System.err::println);
        }
        rng = new Rng(0);
        net = new SiT(be, rng, config());
        opt = new AdamW(net.namedParameters(), 1e-4f, 0.9f, 0.999f, 1e-8f, 0f);
        x1 = Tensor.randn(be, rng, batch, 3, 32, 32);
    }

    /** One class-conditional RFM step, scoped as the trainer scopes it ({@link ScopedStep}). */
    @Benchmark
    public float step() {
        return ScopedStep.run(opt, () -> {
            Tensor x0 = Tensor.randn(be, rng, x1.shape());
            float[] y = new float[batch];
            for (int i = 0; i < batch; i++) y[i] = rng.nextInt(CLASSES);
            Interpolant.Batch b = Interpolant.sample(rng, x0, x1);
            return FlowLosses.rfm(net.withLabels(Tensor.of(be, y, batch)), b, Reduction.MEAN).total();
        });
    }

    /** Prints the backend's description (on CUDA: the allocator's peak device memory) and closes it. */
    @TearDown(Level.Trial)
    public void tearDown() {
        System.out.println("# backend after the trial: " + be.describe());
        be.close();
    }
}
