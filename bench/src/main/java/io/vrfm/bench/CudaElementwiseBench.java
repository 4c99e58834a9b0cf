package io.vrfm.bench;

import io.vrfm.backend.BinaryOp;
import io.vrfm.backend.Buffer;
import io.vrfm.backend.UnaryOp;
import io.vrfm.backend.cuda.CudaBackend;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Memory-bound CUDA kernels against the device's own copy bandwidth ({@code cuMemcpyDtoDAsync}), measured in the
 * same run. One operation is one kernel over {@code n} floats; {@link #BYTES_PER_ELEMENT} gives the bytes it moves,
 * so GB/s = ops/s · bytes · n / 1e9 ({@link CudaBenchMain} prints that table). Each invocation queues
 * {@value #REPS} launches and waits once, so launch latency is amortised. Arrays of 2^26 floats (256 MiB) dwarf
 * the L2 cache, so no flushing is needed between repetitions.
 * Without a usable GPU the setup fails with the one-line reason from {@link CudaBackend#probe()}.
 * NEVER RUN ON A REAL GPU YET.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
public class CudaElementwiseBench {
    static final int REPS = 20;

    /** Bytes read + written per element by each benchmark method. */
    public static final java.util.Map<String, Integer> BYTES_PER_ELEMENT = java.util.Map.of(
            "copy", 8, "unaryExp", 8, "binaryAdd", 12, "eulerStepNoise", 16, "reparameterize", 16, "adamw", 28);

    @Param({"67108864"})
    public int n;

    private CudaBackend b;
    private Buffer x, y, z, w, v;
    private int[] shape, strides;

    @Setup(Level.Trial)
    public void setUp() {
        CudaBackend.Probe p = CudaBackend.probe();
        if (!p.available()) {
            throw new IllegalStateException(p.reason());
        }
        b = new CudaBackend();
        System.out.println("# " + b.describe());
        x = b.allocate(n);
        y = b.allocate(n);
        z = b.allocate(n);
        w = b.allocate(n);
        v = b.allocate(n);
        b.randomNormal(x, n, 1, 0);
        b.randomNormal(y, n, 2, 0);
        b.randomNormal(z, n, 3, 0);
        b.randomUniform(w, n, 4, 0);
        b.fill(v, 0, n, 0f);
        b.synchronize();
        shape = new int[] {n};
        strides = new int[] {1};
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (b != null) {
            b.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(REPS)
    public void copy() {
        for (int i = 0; i < REPS; i++) {
            b.copy(x, 0, y, 0, n);
        }
        b.synchronize();
    }

    @Benchmark
    @OperationsPerInvocation(REPS)
    public void unaryExp() {
        for (int i = 0; i < REPS; i++) {
            b.unary(UnaryOp.EXP, x, y, n, 0f, 0f);
        }
        b.synchronize();
    }

    @Benchmark
    @OperationsPerInvocation(REPS)
    public void binaryAdd() {
        for (int i = 0; i < REPS; i++) {
            b.binary(BinaryOp.ADD, x, strides, z, strides, y, shape);
        }
        b.synchronize();
    }

    @Benchmark
    @OperationsPerInvocation(REPS)
    public void eulerStepNoise() {
        for (int i = 0; i < REPS; i++) {
            b.eulerStep(y, x, 1e-3f, z, 1e-3f, n);
        }
        b.synchronize();
    }

    @Benchmark
    @OperationsPerInvocation(REPS)
    public void reparameterize() {
        for (int i = 0; i < REPS; i++) {
            b.reparameterize(x, w, z, y, n);
        }
        b.synchronize();
    }

    @Benchmark
    @OperationsPerInvocation(REPS)
    public void adamw() {
        for (int i = 0; i < REPS; i++) {
            b.adamwStep(y, x, z, w, n, 1e-4f, 0.9f, 0.999f, 1e-8f, 0f, 10);
        }
        b.synchronize();
    }
}
