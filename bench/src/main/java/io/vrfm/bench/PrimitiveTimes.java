package io.vrfm.bench;

import io.vrfm.backend.Backend;
import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.nn.UNet;
import io.vrfm.optim.AdamW;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where a training step's time goes, per backend primitive: {@link UnetStepBench}'s step (the small UNet, RFM,
 * scoped as the trainer scopes it) on a CPU backend seen through a {@link Proxy} that times every {@link Backend}
 * call by method name. Prints the step's wall time, the part spent inside backend calls, and the primitives by
 * time per step (conv2d, conv2dBackwardData, gemm, softmax, ...). Two clock reads per call, so the step runs a few
 * per cent slower than in {@code UnetStepBench}; use it to see shares, not to compare with PyTorch.
 * Usage: {@code PrimitiveTimes [STEPS [WARMUP [THREADS [BATCH]]]]} (defaults 30, 40, 2, 16).
 */
public final class PrimitiveTimes {
    private PrimitiveTimes() {
    }

    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int batch = args.length > 3 ? Integer.parseInt(args[3]) : 16;
        CpuBackend cpu = new CpuBackend(threads);
        Map<String, LongAdder> nanos = new ConcurrentHashMap<>();
        Backend be = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                (proxy, method, a) -> {
                    long t0 = System.nanoTime();
                    try {
                        return method.invoke(cpu, a);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    } finally {
                        nanos.computeIfAbsent(method.getName(), k -> new LongAdder()).add(System.nanoTime() - t0);
                    }
                });
        Rng rng = new Rng(0);
        UNet net = new UNet(be, rng, UnetStepBench.CONFIG);
        AdamW opt = AdamW.adam(net.namedParameters(), 2e-4f);
        Tensor x1 = Tensor.randn(be, rng, batch, 3, 32, 32);
        for (int i = 0; i < warmup; i++) {
            UnetStepBench.step(be, net, opt, rng, x1);
        }
        nanos.clear();
        long t0 = System.nanoTime();
        for (int i = 0; i < steps; i++) {
            UnetStepBench.step(be, net, opt, rng, x1);
        }
        double ms = (System.nanoTime() - t0) / 1e6 / steps;
        double inside = nanos.values().stream().mapToLong(LongAdder::sum).sum() / 1e6 / steps;
        System.out.printf(Locale.ROOT, "# UnetStepBench's UNet step, batch %d, %d threads: %.1f ms per step, %.1f ms "
                + "inside backend calls (%d steps after %d)%n", batch, threads, ms, inside, steps, warmup);
        System.out.println("| primitive | ms per step | share of the step |");
        System.out.println("|---|---:|---:|");
        nanos.entrySet().stream()
                .sorted((x, y) -> Long.compare(y.getValue().sum(), x.getValue().sum()))
                .forEach(e -> {
                    double t = e.getValue().sum() / 1e6 / steps;
                    if (t >= 0.05) {
                        System.out.printf(Locale.ROOT, "| %s | %.2f | %.1f%% |%n", e.getKey(), t, 100 * t / ms);
                    }
                });
        cpu.close();
        System.exit(0);
    }
}
