package io.vrfm.cli;

import io.vrfm.backend.Backend;
import io.vrfm.backend.cpu.CpuBackend;

/**
 * The one place that chooses a backend: {@code --device auto|cpu|cuda}. {@code auto} takes CUDA when it is
 * usable and otherwise the CPU, saying why in one line.
 */
public final class Devices {
    private Devices() {
    }

    /** Whether CUDA is usable here, and if not, one line saying why (probed once per JVM by the CUDA backend). */
    public static io.vrfm.backend.cuda.CudaBackend.Probe probeCuda() {
        return io.vrfm.backend.cuda.CudaBackend.probe();
    }

    /** Opens the backend named by {@code --device}; fails with one clear line when CUDA is asked for but unusable. */
    public static Backend open(String device) {
        switch (device) {
            case "cpu":
                return new CpuBackend();
            case "cuda": {
                io.vrfm.backend.cuda.CudaBackend.Probe p = probeCuda();
                if (!p.available()) {
                    throw new IllegalArgumentException("--device cuda: " + p.reason() + "; use --device cpu or auto");
                }
                return openCuda();
            }
            case "auto": {
                io.vrfm.backend.cuda.CudaBackend.Probe p = probeCuda();
                if (p.available()) {
                    return openCuda();
                }
                System.err.println("device: using the CPU (" + p.reason() + ")");
                return new CpuBackend();
            }
            default:
                throw new IllegalArgumentException("--device must be auto, cpu or cuda, got '" + device + "'");
        }
    }

    private static Backend openCuda() {
        // options (device ordinal, forced fallbacks, TF32) from -Dvrfm.cuda.* system properties; see CudaBackend
        io.vrfm.backend.cuda.CudaBackend b = new io.vrfm.backend.cuda.CudaBackend();
        System.err.println("device: " + b.describe());
        return b;
    }
}
