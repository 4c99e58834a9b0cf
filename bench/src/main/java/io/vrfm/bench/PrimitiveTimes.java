package io.vrfm.bench;

import io.vrfm.backend.Backend;
import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.data.SyntheticData;
import io.vrfm.flow.Coupling;
import io.vrfm.flow.FlowModel;
import io.vrfm.flow.FlowTrainer;
import io.vrfm.flow.ImageModels;
import io.vrfm.flow.ImageRecipe;
import io.vrfm.flow.PairSource;
import io.vrfm.flow.Method;
import io.vrfm.flow.TrainConfig;
import io.vrfm.flow.Trainer;
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
 * scoped as the trainer scopes it), or with a first argument {@code vrfm} or {@code rfm} the 2-D synthetic model's
 * step at batch 1000 ({@link StepTime}'s), or {@code mnist-rfm} / {@code mnist-vrfm} the paper's MNIST ResNet step
 * ({@link MnistResNetStepBench}'s, width 64, 5 blocks, batch 64), on a CPU backend seen through a {@link Proxy} that times every
 * {@link Backend} call by method name. Prints the step's wall time, the part spent inside backend calls, and the primitives by
 * time per step (conv2d, conv2dBackwardData, gemm, softmax, ...): the stepping thread's outermost calls only (a call
 * made inside another, such as a host range's body on either worker, counts in the outer one), so the rows sum to
 * at most the step's wall time and the rest is the Java side (autograd, allocation). Two clock reads per call, so the step runs a few
 * per cent slower than in {@code UnetStepBench}; use it to see shares, not to compare with PyTorch.
 * Usage: {@code PrimitiveTimes [unet|vrfm|rfm|mnist-rfm|mnist-vrfm] [STEPS [WARMUP [THREADS [BATCH]]]]} (defaults
 * unet, then 30, 40, 2 and batch 16 for the UNet, 64 for MNIST; 400, 300, 2 and batch 1000 for the 2-D step).
 */
public final class PrimitiveTimes {
    private PrimitiveTimes() {
    }

    public static void main(String[] args) {
        String model = args.length > 0 && !Character.isDigit(args[0].charAt(0)) ? args[0] : "unet";
        int at = model.equals(args.length > 0 ? args[0] : "") ? 1 : 0;
        boolean unet = model.equals("unet"), images = unet || model.startsWith("mnist-");
        int steps = args.length > at ? Integer.parseInt(args[at]) : images ? 30 : 400;
        int warmup = args.length > at + 1 ? Integer.parseInt(args[at + 1]) : images ? 40 : 300;
        int threads = args.length > at + 2 ? Integer.parseInt(args[at + 2]) : 2;
        int batch = args.length > at + 3 ? Integer.parseInt(args[at + 3]) : unet ? 16 : images ? 64 : 1000;
        CpuBackend cpu = new CpuBackend(threads);
        Map<String, LongAdder> nanos = new ConcurrentHashMap<>(), calls = new ConcurrentHashMap<>();
        // Only the stepping thread's outermost calls are timed: a call made from inside another (a host range's body
        // calling hostSinCos on either worker) is part of the outer call's time, so the rows add up to wall time.
        Thread stepping = Thread.currentThread();
        int[] depth = {0};
        Backend be = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                (proxy, method, a) -> {
                    boolean timed = Thread.currentThread() == stepping && depth[0]++ == 0;
                    long t0 = System.nanoTime();
                    try {
                        return method.invoke(cpu, a);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    } finally {
                        if (Thread.currentThread() == stepping) {
                            depth[0]--;
                        }
                        if (timed) {
                            nanos.computeIfAbsent(method.getName(), k -> new LongAdder()).add(System.nanoTime() - t0);
                            calls.computeIfAbsent(method.getName(), k -> new LongAdder()).increment();
                        }
                    }
                });
        Runnable step;
        if (unet) {
            Rng rng = new Rng(0);
            UNet net = new UNet(be, rng, UnetStepBench.CONFIG);
            AdamW opt = AdamW.adam(net.namedParameters(), 2e-4f);
            Tensor x1 = Tensor.randn(be, rng, batch, 3, 32, 32);
            step = () -> UnetStepBench.step(be, net, opt, rng, x1);
        } else if (model.startsWith("mnist-")) {
            ImageRecipe r = MnistResNetStepBench.recipe(Method.parse(model.substring(6)), 64, 5, batch);
            FlowModel fm = ImageModels.build(be, FlowTrainer.initStream(r.seed()), r, 1, 28);
            Tensor x1 = Tensor.randn(be, new Rng(1), batch, 1, 28, 28);
            PairSource pairs = (b, rng, n) -> new PairSource.Pairs(Tensor.randn(b, rng, x1.shape()), x1);
            FlowTrainer trainer = FlowTrainer.builder(fm).pairs(pairs).batch(batch).seed(r.seed()).lambda(r.lambda())
                    .reduction(r.reduction()).adamW(r.lr(), r.weightDecay()).build();
            step = trainer::step;
        } else {
            SyntheticData.Task task = SyntheticData.twoD();
            Trainer trainer = new Trainer(be, Coupling.independent(2, task.source()::sample, task.target()::sample),
                    TrainConfig.paper2d(Method.parse(model), 0).withBatch(batch).withIters(Integer.MAX_VALUE));
            step = trainer::trainStep;
        }
        for (int i = 0; i < warmup; i++) {
            step.run();
        }
        nanos.clear();
        calls.clear();
        long t0 = System.nanoTime();
        for (int i = 0; i < steps; i++) {
            step.run();
        }
        double ms = (System.nanoTime() - t0) / 1e6 / steps;
        double inside = nanos.values().stream().mapToLong(LongAdder::sum).sum() / 1e6 / steps;
        System.out.printf(Locale.ROOT, "# %s step, batch %d, %d threads: %.1f ms per step, %.1f ms "
                + "inside backend calls (%d steps after %d)%n", unet ? "UnetStepBench's UNet"
                : images ? "MnistResNetStepBench's " + model : "the 2-D " + model, batch, threads, ms, inside, steps, warmup);
        System.out.println("| primitive | ms per step | share of the step | calls per step |");
        System.out.println("|---|---:|---:|---:|");
        nanos.entrySet().stream()
                .sorted((x, y) -> Long.compare(y.getValue().sum(), x.getValue().sum()))
                .forEach(e -> {
                    double t = e.getValue().sum() / 1e6 / steps;
                    if (t >= 0.05) {
                        System.out.printf(Locale.ROOT, "| %s | %.2f | %.1f%% | %.1f |%n", e.getKey(), t, 100 * t / ms,
                                calls.get(e.getKey()).sum() / (double) steps);
                    }
                });
        cpu.close();
        System.exit(0);
    }
}
