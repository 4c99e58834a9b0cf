package io.vrfm.bench;

import io.vrfm.backend.Backend;
import io.vrfm.backend.cpu.ConvTimes;
import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.flow.FlowModel;
import io.vrfm.flow.FlowTrainer;
import io.vrfm.flow.ImageModels;
import io.vrfm.flow.ImageRecipe;
import io.vrfm.flow.Method;
import io.vrfm.flow.PairSource;
import io.vrfm.nn.Module;
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

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One training step of the paper's MNIST model (App. D.2) on 1×28×28 images: the {@link ImageRecipe#mnistPaper}
 * recipe with {@code width}, {@code blocks} and {@code batch} overridden, built by {@link ImageModels} (velocity
 * {@link io.vrfm.nn.MnistResNet}; for {@code vrfm} also the {@link io.vrfm.nn.MnistResNetEncoder} posterior on
 * x0, x1, x_t with a 2-d latent, its width = {@code width}) and trained by {@link FlowTrainer}: draw x0 and t,
 * interpolate, forward, loss (MSE mean; V-RFM + λ·KL summed over the latent), backward, global gradient norm,
 * AdamW (lr 1e-3, weight decay 0.01). No warm-up, clipping or EMA; x1 is a fixed random batch (no data set I/O).
 * images/s = ops/s · batch; {@code bench/run-mnist-resnet-bench.sh} prints it beside PyTorch
 * ({@code bench/mnist_resnet_step_torch.py}, the same networks and step, same thread count), and checks that both
 * sides count the same parameters (the line {@code # parameters ...} printed at set-up).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
public class MnistResNetStepBench {
    @Param({"rfm", "vrfm"})
    public String method;

    /** Hidden width of the velocity net (and of the posterior); paper 64. */
    @Param({"64"})
    public int width;

    /** ResNet blocks in the encoder and again in the decoder; paper 5. */
    @Param({"5"})
    public int blocks;

    @Param({"64"})
    public int batch;

    /** Worker threads; 0 means one per available processor. */
    @Param({"0"})
    public int threads;

    private Backend be;
    private FlowTrainer trainer;

    @Setup(Level.Trial)
    public void setUp() {
        be = threads > 0 ? new CpuBackend(threads) : new CpuBackend();
        ImageRecipe r = recipe(Method.parse(method), width, blocks, batch);
        FlowModel model = ImageModels.build(be, FlowTrainer.initStream(r.seed()), r, 1, 28);
        Tensor x1 = Tensor.randn(be, new Rng(1), batch, 1, 28, 28);
        PairSource pairs = (b, rng, n) -> new PairSource.Pairs(Tensor.randn(b, rng, x1.shape()), x1);
        trainer = FlowTrainer.builder(model).pairs(pairs).batch(batch).seed(r.seed()).lambda(r.lambda())
                .reduction(r.reduction()).adamW(r.lr(), r.weightDecay()).build();
        Module posterior = (Module) model.posterior();
        System.out.printf(Locale.ROOT, "# parameters method=%s velocity=%d posterior=%d total=%d%n", method,
                ((Module) model.velocity()).parameterCount(), posterior == null ? 0 : posterior.parameterCount(),
                model.parameterCount());
    }

    /** The paper's MNIST recipe for {@code method} at another width (velocity and posterior), depth and batch. */
    static ImageRecipe recipe(Method method, int width, int blocks, int batch) {
        return ImageRecipe.mnistPaper(method).with(Map.of("width", width, "blocks", blocks, "posterior_width", width,
                "batch", batch));
    }

    /** Steps run in the current iteration (for the per-step convolution time printed after it). */
    private long steps;

    @Setup(Level.Iteration)
    public void startIteration() {
        steps = 0;
        if (be instanceof CpuBackend cpu) {
            cpu.convTimes().reset();
        }
    }

    /**
     * After each iteration, the convolutions' rate inside the step, per pass, and their share of it: the line
     * {@code # conv in step method=… forward=GFLOP/s backward-data=… backward-filter=… backward=… seconds=per step
     * steps=…} (backward: both backward passes together, as PyTorch reports them)
     * (the script keeps each method's last, a measured iteration).
     */
    @TearDown(Level.Iteration)
    public void endIteration() {
        if (be instanceof CpuBackend cpu && steps > 0) {
            ConvTimes t = cpu.convTimes();
            System.out.printf(Locale.ROOT, "# conv in step method=%s forward=%.1f backward-data=%.1f"
                    + " backward-filter=%.1f backward=%.1f seconds=%.4f steps=%d%n", method,
                    t.gflops(ConvTimes.Pass.FORWARD), t.gflops(ConvTimes.Pass.BACKWARD_DATA),
                    t.gflops(ConvTimes.Pass.BACKWARD_FILTER),
                    t.gflops(ConvTimes.Pass.BACKWARD_DATA, ConvTimes.Pass.BACKWARD_FILTER),
                    t.seconds() / steps, steps);
        }
    }

    @Benchmark
    public double step() {
        steps++;
        double loss = trainer.step().total();
        be.synchronize();
        return loss;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        System.out.println("# backend after the trial: " + be.describe());
        be.close();
    }
}
