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
 * Square SGEMM {@code C = A·B} ({@code n×n}, float32, row-major) on the CPU backend, all cores. One operation is
 * one product of {@code 2·n³} flops, so GFLOP/s = ops/s · 2n³ / 1e9 (bench/run-cpu-bench.sh prints that beside
 * NumPy). Run: {@code java --add-modules jdk.incubator.vector -cp target/vrfm4j.jar org.openjdk.jmh.Main Sgemm}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
public class SgemmBench {

    @Param({"256", "512", "1024", "2048"})
    public int n;

    /** Worker threads; 0 means one per available processor. */
    @Param({"0"})
    public int threads;

    private float[] a, b, c;
    private CpuParallel par;

    @Setup(Level.Trial)
    public void setUp() {
        Random rnd = new Random(1);
        a = new float[n * n];
        b = new float[n * n];
        c = new float[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = rnd.nextFloat() - 0.5f;
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
        Sgemm.sgemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n, par);
        return c;
    }
}
