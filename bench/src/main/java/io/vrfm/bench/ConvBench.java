package io.vrfm.bench;

import io.vrfm.backend.Backend;
import io.vrfm.backend.Buffer;
import io.vrfm.backend.ConvShape;
import io.vrfm.backend.cpu.CpuBackend;
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

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The CPU backend's convolution primitives at the MNIST ResNet's shape (3×3, stride 1, pad 1, 28×28,
 * {@code C = K = width}, batch {@code batch}), one direction per {@code pass}: {@code fwd}
 * ({@link Backend#conv2d}), {@code bwd-data} ({@link Backend#conv2dBackwardData}) and {@code bwd-filter}
 * ({@link Backend#conv2dBackwardFilter}). Each is {@code 2·N·K·C·9·28·28} flops, so GFLOP/s = ops/s · that / 1e9;
 * {@code bench/run-mnist-resnet-bench.sh} prints it beside PyTorch ({@code bench/conv_torch.py}, same shapes and
 * threads). Prints the backend's paths and the JVM's preferred float vector species at set-up.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
public class ConvBench {
    @Param({"fwd", "bwd-data", "bwd-filter"})
    public String pass;

    /** Input and output channels (the net's width). */
    @Param({"64"})
    public int width;

    @Param({"64"})
    public int batch;

    /** Image side (MNIST: 28). */
    @Param({"28"})
    public int size;

    /** Worker threads; 0 means one per available processor. */
    @Param({"0"})
    public int threads;

    private Backend be;
    private ConvShape shape;
    private Buffer x, w, y;

    @Setup(Level.Trial)
    public void setUp() {
        if (!pass.equals("fwd") && !pass.equals("bwd-data") && !pass.equals("bwd-filter")) {
            throw new IllegalArgumentException("pass must be fwd, bwd-data or bwd-filter, got " + pass);
        }
        be = threads > 0 ? new CpuBackend(threads) : new CpuBackend();
        shape = new ConvShape(batch, width, size, size, width, 3, 3, 1, 1);
        Random rnd = new Random(1);
        x = buffer(shape.inputSize(), rnd);
        w = buffer(shape.weightSize(), rnd);
        y = buffer(shape.outputSize(), rnd);
        System.out.println("# backend: " + be.describe());
        System.out.println("# vector species: " + jdk.incubator.vector.FloatVector.SPECIES_PREFERRED);
    }

    private Buffer buffer(long n, Random rnd) {
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextFloat() - 0.5f;
        }
        Buffer b = be.allocate(n);
        be.upload(v, 0, b, 0, v.length);
        return b;
    }

    /** One convolution in the chosen direction (the output buffer: y, x's gradient, or w's gradient). */
    @Benchmark
    public Buffer conv() {
        switch (pass) {
            case "fwd" -> {
                be.conv2d(x, w, y, shape);
                return y;
            }
            case "bwd-data" -> {
                be.conv2dBackwardData(y, w, x, shape);
                return x;
            }
            default -> {
                be.conv2dBackwardFilter(x, y, w, shape);
                return w;
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        be.close();
    }
}
