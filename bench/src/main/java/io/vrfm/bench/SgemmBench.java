package io.vrfm.bench;

import io.vrfm.backend.cpu.CpuParallel;
import io.vrfm.backend.cpu.Sgemm;
import java.util.Random;
import java.util.concurrent.TimeUnit;
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

/**
 * SGEMM on the CPU backend, all cores, float32, row-major. One operation is one product of {@code 2·m·n·k} flops,
 * so GFLOP/s = ops/s · 2mnk / 1e9 (bench/run-cpu-bench.sh prints that beside NumPy, which runs the same shapes
 * through bench/sgemm_numpy.py). A {@code shape} is either
 * <ul>
 *   <li>{@code N}: the square product {@code C = A·B}, {@code N×N×N}, or</li>
 *   <li>{@code PASS:ROWSxINxOUT}: one of the three products of a Linear layer {@code y = x·Wᵀ} with {@code x}
 *       {@code ROWS×IN} and {@code W} {@code OUT×IN}, as the training step runs them: {@code fwd} ({@code x·Wᵀ},
 *       B transposed), {@code bwd-data} ({@code dy·W}) and {@code bwd-weight} ({@code dyᵀ·x}, A transposed,
 *       depth {@code ROWS}).</li>
 * </ul>
 * Run: {@code java --add-modules jdk.incubator.vector -cp target/vrfm4j.jar org.openjdk.jmh.Main Sgemm}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
public class SgemmBench {

    @Param({"256", "512", "1024", "2048",
            "fwd:1000x64x128", "bwd-data:1000x64x128", "bwd-weight:1000x64x128",
            "fwd:1000x128x128", "bwd-data:1000x128x128", "bwd-weight:1000x128x128",
            "fwd:1000x256x64", "bwd-data:1000x256x64", "bwd-weight:1000x256x64"})
    public String shape;

    /** Worker threads; 0 means one per available processor. */
    @Param({"0"})
    public int threads;

    private boolean transA, transB;
    private int m, n, k, lda, ldb;
    private float[] a, b, c;
    private CpuParallel par;

    @Setup(Level.Trial)
    public void setUp() {
        int colon = shape.indexOf(':');
        if (colon < 0) {
            m = n = k = Integer.parseInt(shape);
        } else {
            String[] d = shape.substring(colon + 1).split("x");
            int rows = Integer.parseInt(d[0]), in = Integer.parseInt(d[1]), out = Integer.parseInt(d[2]);
            switch (shape.substring(0, colon)) {
                case "fwd" -> { transB = true; m = rows; n = out; k = in; }
                case "bwd-data" -> { m = rows; n = in; k = out; }
                case "bwd-weight" -> { transA = true; m = out; n = in; k = rows; }
                default -> throw new IllegalArgumentException("shape: unknown pass in " + shape);
            }
        }
        lda = transA ? m : k;
        ldb = transB ? k : n;
        Random rnd = new Random(1);
        a = new float[m * k];
        b = new float[k * n];
        c = new float[m * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = rnd.nextFloat() - 0.5f;
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = rnd.nextFloat() - 0.5f;
        }
        par = new CpuParallel(threads > 0 ? threads : Runtime.getRuntime().availableProcessors());
        System.out.println("# sgemm path: " + Sgemm.path() + ", threads " + par.threads());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        par.shutdown();
    }

    @Benchmark
    public float[] sgemm() {
        Sgemm.sgemm(transA, transB, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n, par);
        return c;
    }
}
