package io.vrfm.bench;

import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.data.SyntheticData;
import io.vrfm.flow.Coupling;
import io.vrfm.flow.Method;
import io.vrfm.flow.TrainConfig;
import io.vrfm.flow.Trainer;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Where a JVM start that allocates in the step allocates. JDK 17 compiles the Vector API kernels badly in some starts
 * (the step then allocates 100+ MB instead of 0.2 MB; README "Limits"); starting the JVM with JFR changes which starts
 * do, so this runs the 2-D step ({@link VrfmStepBench}'s) without it, measures the bytes per step after a warm-up,
 * and only when they exceed the threshold starts a JFR recording of allocation samples (with stack traces) in the
 * running JVM, steps on, writes the recording and prints the engine's frames that the sampled allocations were made
 * in, most samples first. Run it in a loop until a start allocates; it prints {@code METHOD MB/step X} either way.
 * Usage: {@code AllocationSites [METHOD [THREADS [THRESHOLD_MB [FILE]]]]} (defaults vrfm, 2, 5, allocation.jfr).
 */
public final class AllocationSites {
    /**
     * Starting a recording deoptimizes compiled code (a JVMTI state change), so the kernels run in C1 code, boxing,
     * until C2 has compiled them again: only samples after {@link #REWARM} more steps count.
     */
    private static final int WARMUP = 300, MEASURED = 50, REWARM = 500, RECORDED = 200, TOP = 12;

    private AllocationSites() {
    }

    public static void main(String[] args) throws IOException {
        String method = args.length > 0 ? args[0] : "vrfm";
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        double thresholdMb = args.length > 2 ? Double.parseDouble(args[2]) : 5;
        Path file = Path.of(args.length > 3 ? args[3] : "allocation.jfr");
        java.time.Instant mark;
        try (CpuBackend be = new CpuBackend(threads)) {
            SyntheticData.Task task = SyntheticData.twoD();
            Trainer trainer = new Trainer(be, Coupling.independent(2, task.source()::sample, task.target()::sample),
                    TrainConfig.paper2d(Method.parse(method), 0).withBatch(1000).withIters(Integer.MAX_VALUE));
            for (int s = 0; s < WARMUP; s++) {
                trainer.trainStep();
            }
            long bytes0 = StepCounts.allocated();
            for (int s = 0; s < MEASURED; s++) {
                trainer.trainStep();
            }
            double mb = (StepCounts.allocated() - bytes0) / (double) MEASURED / 1e6;
            System.out.printf(Locale.ROOT, "%s MB/step %.2f%n", method, mb);
            if (mb <= thresholdMb) {
                return;
            }
            try (Recording r = new Recording()) {
                r.enable("jdk.ObjectAllocationSample").withStackTrace();
                r.start();
                for (int s = 0; s < REWARM; s++) {
                    trainer.trainStep();
                }
                mark = java.time.Instant.now();
                long again = StepCounts.allocated();
                for (int s = 0; s < RECORDED; s++) {
                    trainer.trainStep();
                }
                System.out.printf(Locale.ROOT, "%s MB/step %.2f while recording, after %d steps to recompile%n", method,
                        (StepCounts.allocated() - again) / (double) RECORDED / 1e6, REWARM);
                r.stop();
                r.dump(file);
            }
        }
        Map<String, Integer> samples = new HashMap<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (e.getStackTrace() == null || e.getStartTime().isBefore(mark)) {
                continue;
            }
            for (RecordedFrame f : e.getStackTrace().getFrames()) {   // the innermost engine frame of each sample
                String type = f.getMethod().getType().getName();
                if (type.startsWith("io.vrfm.")) {
                    samples.merge(type + "." + f.getMethod().getName() + " line " + f.getLineNumber(), 1, Integer::sum);
                    break;
                }
            }
        }
        System.out.println("allocation samples by innermost engine frame (" + file + ", "
                + Files.size(file) / 1024 + " KiB):");
        samples.entrySet().stream().sorted((x, y) -> y.getValue() - x.getValue()).limit(TOP)
                .forEach(x -> System.out.printf(Locale.ROOT, "%8d  %s%n", x.getValue(), x.getKey()));
    }
}
