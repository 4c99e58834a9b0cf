package io.vrfm.flow;

import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.data.GaussianMixture;
import io.vrfm.data.SyntheticData;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

import java.util.Locale;

/**
 * This engine's side of {@code tools/cfm_ring_torch.py}: trains consistency FM on the 2-D task with the paper's
 * settings ({@link TrainConfig#paper2d}, stage 2 from half the iterations) and every {@code every} steps samples 5,000
 * points with Euler at 1, 2, 4 and 20 steps, printing their mean radius and true log-likelihood in the script's
 * format. It shows when the many-step overshoot of the ring starts (README, "Synthetic 2-D at the paper's protocol").
 *
 * <p>{@code java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes
 * io.vrfm.flow.ConsistencyRingDriftMain [iters 1500] [batch 256] [every 250] [seed 0] [stage-2 boundary 0.9]}
 */
public final class ConsistencyRingDriftMain {
    private ConsistencyRingDriftMain() {
    }

    public static void main(String[] args) {
        int iters = args.length > 0 ? Integer.parseInt(args[0]) : 1500;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int every = args.length > 2 ? Integer.parseInt(args[2]) : 250;
        long seed = args.length > 3 ? Long.parseLong(args[3]) : 0;
        float boundary = args.length > 4 ? Float.parseFloat(args[4]) : 0.9f;
        var be = new CpuBackend();
        SyntheticData.Task task = SyntheticData.twoD();
        TrainConfig p = TrainConfig.paper2d(Method.CFM, seed);
        FlowLosses.ConsistencyConfig c = p.consistency();
        TrainConfig cfg = new TrainConfig(Method.CFM, iters, batch, p.lr(), p.weightDecay(), p.lambda(), p.latentDim(),
                p.posteriorInputs(), p.reduction(),
                new FlowLosses.ConsistencyConfig(c.delta(), c.segments(), c.alpha(), boundary), seed);
        Trainer trainer = new Trainer(be, Coupling.independent(2, task.source()::sample, task.target()::sample), cfg);
        int n = 5000;
        float[] x0 = task.source().sample(new Rng(1234), n);
        GaussianMixture target = (GaussianMixture) task.target();
        for (int s = 1; s <= iters; s++) {
            Trainer.StepStats st = trainer.trainStep();
            if (s % every != 0) {
                continue;
            }
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "step %6d loss %.4g", s, st.total()));
            for (int steps : new int[]{1, 2, 4, 20}) {
                float[] x = Samplers.euler(Ode.of(trainer.model().velocity(), null), Tensor.of(be, x0, n, 2), steps,
                        false).x().toArray();
                double r = 0, ll = 0;
                for (int i = 0; i < n; i++) {
                    r += Math.hypot(x[2 * i], x[2 * i + 1]);
                    ll += target.logDensity(x, 2 * i);
                }
                line.append(String.format(Locale.ROOT, " | e%d r=%.3f ll=%.2f", steps, r / n, ll / n));
            }
            System.out.println(line);
        }
    }
}
