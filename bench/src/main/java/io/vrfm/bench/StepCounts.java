package io.vrfm.bench;

import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.data.SyntheticData;
import io.vrfm.flow.Coupling;
import io.vrfm.flow.Method;
import io.vrfm.flow.TrainConfig;
import io.vrfm.flow.Trainer;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Load-independent costs of one training step of the 2-D synthetic model ({@link VrfmStepBench}'s step): heap bytes
 * allocated (by the stepping thread and the CPU backend's workers), parallel regions (fork/joins) and GEMM flops,
 * averaged over {@code STEPS} steps after {@code WARMUP}. Prints one line per method:
 * {@code METHOD bytes/step B regions/step R gemm-flops/step F ...} (and the buffers reused and newly allocated, and
 * the share of the regions' chunks the helper threads ran: 0.5 at two threads when the helper keeps up). bench/run-vrfm-step-bench.sh uses the flops for the
 * roofline fraction.
 * Usage: {@code StepCounts [THREADS [BATCH [WARMUP [STEPS]]]]} (defaults 2, 1000, 20, 20).
 */
public final class StepCounts {
    private StepCounts() {
    }

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int steps = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        for (String method : new String[]{"vrfm", "rfm"}) {
            CpuBackend be = new CpuBackend(threads);
            SyntheticData.Task task = SyntheticData.twoD();
            Trainer trainer = new Trainer(be, Coupling.independent(2, task.source()::sample, task.target()::sample),
                    TrainConfig.paper2d(Method.parse(method), 0).withBatch(batch).withIters(Integer.MAX_VALUE));
            for (int s = 0; s < warmup; s++) {
                trainer.trainStep();
            }
            long bytes0 = allocated(), regions0 = be.parallelRegions(), flops0 = be.gemmFlops();
            long[] chunks0 = be.parallelChunks();
            long fresh0 = be.freshBuffers(), reused0 = be.reusedBuffers();
            for (int s = 0; s < steps; s++) {
                trainer.trainStep();
            }
            long bytes = allocated() - bytes0, regions = be.parallelRegions() - regions0;
            long flops = be.gemmFlops() - flops0;
            long[] chunks = be.parallelChunks();
            long all = chunks[0] - chunks0[0], byHelpers = chunks[1] - chunks0[1];
            System.out.printf(Locale.ROOT, "%s bytes/step %d regions/step %.1f gemm-flops/step %d"
                            + " reused-buffers/step %.1f new-buffers/step %.1f helper-chunk-share %.3f%n", method,
                    bytes / steps, (double) regions / steps, flops / steps,
                    (double) (be.reusedBuffers() - reused0) / steps, (double) (be.freshBuffers() - fresh0) / steps,
                    all == 0 ? 0.0 : (double) byHelpers / all);
            be.close();
        }
    }

    /** Bytes allocated so far by this thread and every fork/join worker thread alive now. */
    static long allocated() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t == Thread.currentThread() || t.getName().startsWith("ForkJoinPool")) {
                sum += mx.getThreadAllocatedBytes(t.getId());
            }
        }
        return sum;
    }
}
