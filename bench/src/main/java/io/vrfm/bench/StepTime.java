package io.vrfm.bench;

import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.data.SyntheticData;
import io.vrfm.flow.Coupling;
import io.vrfm.flow.Method;
import io.vrfm.flow.TrainConfig;
import io.vrfm.flow.Trainer;

import java.util.Locale;

/**
 * Wall time per training step of the 2-D synthetic model ({@link VrfmStepBench}'s step) in a plain loop: warm-up
 * steps, then as many steps as fit in the given seconds. For A/B runs of two builds on a machine whose speed drifts:
 * alternate short JVM runs of each build (one line each) rather than trusting one before/after pair.
 * Prints {@code METHOD threads T ms/step M steps S}.
 * Usage: {@code StepTime [METHOD [SECONDS [THREADS [WARMUP]]]]} (defaults vrfm, 10, 2, 300).
 */
public final class StepTime {
    private StepTime() {
    }

    public static void main(String[] args) {
        String method = args.length > 0 ? args[0] : "vrfm";
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 10;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 300;
        CpuBackend be = new CpuBackend(threads);
        SyntheticData.Task task = SyntheticData.twoD();
        Trainer trainer = new Trainer(be, Coupling.independent(2, task.source()::sample, task.target()::sample),
                TrainConfig.paper2d(Method.parse(method), 0).withBatch(1000).withIters(Integer.MAX_VALUE));
        for (int s = 0; s < warmup; s++) {
            trainer.trainStep();
        }
        long t0 = System.nanoTime(), end = t0 + (long) (seconds * 1e9);
        int steps = 0;
        do {
            trainer.trainStep();
            steps++;
        } while (System.nanoTime() < end);
        double ms = (System.nanoTime() - t0) / 1e6 / steps;
        System.out.printf(Locale.ROOT, "%s threads %d ms/step %.2f steps %d%n", method, threads, ms, steps);
        be.close();
    }
}
