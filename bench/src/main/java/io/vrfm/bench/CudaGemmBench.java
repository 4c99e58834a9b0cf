package io.vrfm.bench;

import io.vrfm.backend.Buffer;
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
 * Square SGEMM {@code C = A·B} at {@code n = 4096} on the GPU: the hand-written tiled kernel ({@code kernel}) against
 * cuBLAS in FP32 ({@code cublas}) and with TF32 tensor cores ({@code cublas-tf32}), in the same run. One operation is
 * {@code 2n³} flops: GFLOP/s = ops/s · 2n³ / 1e9 ({@link CudaBenchMain} prints the table and the kernel/cuBLAS
 * ratio). The cuBLAS variants fail their setup with a one-line reason when {@code libcublas.so.12} does not load
 * (e.g. a CUDA 13-only host), and every variant does without a usable GPU. NEVER RUN ON A REAL GPU YET.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
public class CudaGemmBench {
    static final int REPS = 4;

    @Param({"4096"})
    public int n;

    @Param({"kernel", "cublas", "cublas-tf32"})
    public String path;

    private CudaBackend b;
    private Buffer a, bb, c;

    @Setup(Level.Trial)
    public void setUp() {
        CudaBackend.Probe p = CudaBackend.probe();
        if (!p.available()) {
            throw new IllegalStateException(p.reason());
        }
        int dev = Integer.getInteger("vrfm.cuda.device", 0);
        b = switch (path) {
            case "kernel" -> new CudaBackend(CudaBackend.Options.fallbackOnly());
            case "cublas" -> new CudaBackend(new CudaBackend.Options(dev, true, false, false));
            case "cublas-tf32" -> new CudaBackend(new CudaBackend.Options(dev, true, false, true));
            default -> throw new IllegalArgumentException("path " + path);
        };
        System.out.println("# " + path + ": " + b.describe());
        if (path.startsWith("cublas") && !b.usesCublas()) {
            String d = b.describe();
            b.close();
            b = null;
            throw new IllegalStateException("cuBLAS unavailable, " + d.substring(d.indexOf("gemm:")));
        }
        long nn = (long) n * n;
        a = b.allocate(nn);
        bb = b.allocate(nn);
        c = b.allocate(nn);
        b.randomNormal(a, nn, 1, 0);
        b.randomNormal(bb, nn, 2, 0);
        b.synchronize();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (b != null) {
            b.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(REPS)
    public void sgemm() {
        for (int i = 0; i < REPS; i++) {
            b.gemm(false, false, n, n, n, 1f, a, 0, n, 0, bb, 0, n, 0, 0f, c, 0, 0, 1);
        }
        b.synchronize();
    }
}
