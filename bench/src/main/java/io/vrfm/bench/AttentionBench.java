package io.vrfm.bench;

import io.vrfm.backend.Backend;
import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.tensor.NeuralOps;
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
 * Fused attention forward + backward on the CPU ({@link NeuralOps#attention} and its backward rule, i.e.
 * {@code CpuAttention}) for {@code [batch, heads, seq, headDim]} = 8 × 6 × 256 × 64 (SiT-S/2 on 32×32 latents),
 * in ms per forward+backward. Peer: {@code bench/attention_torch.py} (PyTorch {@code softmax(QKᵀ)V} with autograd);
 * both via {@code bench/run-attention-bench.sh}. {@code -p device=cuda} times the CUDA kernels ({@code attention.cu})
 * instead, synchronising after each call ({@code bench/gpu-check.sh} step 6, beside {@code attention_torch.py
 * --device cuda}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class AttentionBench {
    @Param({"8"})
    public int batch;
    @Param({"6"})
    public int heads;
    @Param({"256"})
    public int seq;
    @Param({"64"})
    public int headDim;
    @Param({"2"})
    public int threads;
    /** cpu or cuda. */
    @Param({"cpu"})
    public String device;

    private Backend be;
    private Tensor q, k, v, g;

    @Setup(Level.Trial)
    public void setup() {
        be = device.equals("cpu") ? new CpuBackend(threads) : io.vrfm.backend.Devices.open(device, System.err::println);
        Rng rng = new Rng(1);
        q = Tensor.randn(be, rng, batch, heads, seq, headDim).requiresGrad(true);
        k = Tensor.randn(be, rng, batch, heads, seq, headDim).requiresGrad(true);
        v = Tensor.randn(be, rng, batch, heads, seq, headDim).requiresGrad(true);
        g = Tensor.randn(be, rng, batch, heads, seq, headDim);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        be.close();
    }

    @Benchmark
    public Tensor forwardBackward() {
        q.setGrad(null);
        k.setGrad(null);
        v.setGrad(null);
        NeuralOps.attention(q, k, v).backward(g);
        be.synchronize(); // CUDA calls are asynchronous: time the work, not the launches
        return q.grad();
    }
}
