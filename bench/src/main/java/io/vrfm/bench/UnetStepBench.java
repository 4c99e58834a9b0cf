package io.vrfm.bench;

import io.vrfm.backend.Backend;
import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.flow.FlowLosses;
import io.vrfm.flow.Interpolant;
import io.vrfm.flow.Reduction;
import io.vrfm.nn.LatentFusion;
import io.vrfm.nn.UNet;
import io.vrfm.nn.UNetConfig;
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
 * One RFM training step (forward, MSE to {@code x1 − x0}, backward, Adam) of a small torchcfm UNet on {@code device}:
 * 3×32×32 images, 32 channels, 1 res block, mult [1, 2, 2], attention at 16×16, 4 heads, batch {@code batch}.
 * images/s = ops/s · batch; {@code bench/run-unet-bench.sh} prints it beside PyTorch
 * ({@code bench/unet_step_torch.py}, same module tree and sizes, same thread count).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
public class UnetStepBench {
    /** The shared configuration (keep in sync with bench/unet_step_torch.py CFG). */
    public static final UNetConfig CONFIG = new UNetConfig(3, 32, 32, 1, new int[]{1, 2, 2}, new int[]{16}, 0f, 4, -1,
            false, 32, 0, LatentFusion.NONE, 512);

    @Param({"16"})
    public int batch;

    /** Worker threads; 0 means one per available processor. */
    @Param({"0"})
    public int threads;

    /** cpu or cuda (gpu-check.sh runs cuda at batch 128 beside bench/unet_step_torch.py --device cuda). */
    @Param({"cpu"})
    public String device;

    private Backend be;
    private UNet net;
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
        net = new UNet(be, rng, CONFIG);
        opt = AdamW.adam(net.namedParameters(), 2e-4f);
        x1 = Tensor.randn(be, rng, batch, 3, 32, 32);
    }

    /** One RFM step, scoped as the trainer scopes it ({@link ScopedStep}). */
    @Benchmark
    public float step() {
        return step(be, net, opt, rng, x1);
    }

    /** The benchmarked step on any backend (also {@link PrimitiveTimes}'): noise {@code x0}, RFM loss to {@code x1}. */
    static float step(Backend be, UNet net, AdamW opt, Rng rng, Tensor x1) {
        return ScopedStep.run(opt, () -> {
            Tensor x0 = Tensor.randn(be, rng, x1.shape());
            Interpolant.Batch b = Interpolant.sample(rng, x0, x1);
            return FlowLosses.rfm(net, b, Reduction.MEAN).total();
        });
    }

    /** Prints the backend's description (on CUDA: the allocator's peak device memory) and closes it. */
    @TearDown(Level.Trial)
    public void tearDown() {
        System.out.println("# backend after the trial: " + be.describe());
        be.close();
    }
}
