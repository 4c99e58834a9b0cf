package io.vrfm.backend;

import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.backend.cuda.CudaBackend;

import java.util.Locale;
import java.util.function.Consumer;

/**
 * The library's entry point for choosing where tensors live: {@link #auto()}, {@link #cpu(int)}, {@link #cuda(int)}.
 * Whether CUDA is usable is probed once per JVM ({@link #cudaProbe()}); when it is not, the probe's one-line reason
 * (for example {@code "CUDA: libcuda.so.1 not found — no NVIDIA driver"}) is what {@link #auto(Consumer)} reports and
 * what {@link #cuda(int)} throws. Close the returned backend when done with it (it is {@link AutoCloseable}).
 *
 * <pre>{@code
 * try (Backend be = Devices.auto(System.err::println)) {
 *     Tensor x = Tensor.randn(be, new Rng(0), 4, 2);
 * }
 * }</pre>
 */
public final class Devices {
    private Devices() {
    }

    /** Whether CUDA is usable here, and when not, the one-line reason (probed once per JVM, never throws). */
    public static CudaBackend.Probe cudaProbe() {
        return CudaBackend.probe();
    }

    /** CUDA device 0 when usable, otherwise the CPU with every core; says nothing about the choice. */
    public static Backend auto() {
        return auto(line -> { });
    }

    /**
     * CUDA device 0 when usable, otherwise the CPU with every core. {@code report} receives one line naming the
     * device chosen, or {@code "device: using the CPU (<reason>)"} when CUDA is unusable.
     */
    public static Backend auto(Consumer<String> report) {
        CudaBackend.Probe p = cudaProbe();
        if (p.available()) {
            return openCuda(0, report);
        }
        report.accept("device: using the CPU (" + p.reason() + ")");
        return cpu();
    }

    /** The CPU backend with one worker per available core. */
    public static Backend cpu() {
        return new CpuBackend();
    }

    /** The CPU backend with {@code threads} workers (1 = single-threaded, deterministic on any machine). */
    public static Backend cpu(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("cpu: threads must be >= 1, got " + threads);
        }
        return new CpuBackend(threads);
    }

    /**
     * CUDA device {@code ordinal} (cuBLAS/cuDNN/TF32 choices from the {@code vrfm.cuda.*} system properties).
     *
     * @throws IllegalStateException with the probe's one-line reason when CUDA is unusable here
     */
    public static Backend cuda(int ordinal) {
        return cuda(ordinal, line -> { });
    }

    private static Backend cuda(int ordinal, Consumer<String> report) {
        if (ordinal < 0) {
            throw new IllegalArgumentException("cuda: device ordinal must be >= 0, got " + ordinal);
        }
        CudaBackend.Probe p = cudaProbe();
        if (!p.available()) {
            throw new IllegalStateException(p.reason() + "; use the CPU (Devices.cpu) or Devices.auto");
        }
        return openCuda(ordinal, report);
    }

    /**
     * Opens a backend by name: {@code auto}, {@code cpu} or {@code cuda} (device 0, or {@code cuda:N}), as the
     * command line's {@code --device} takes it; {@code report} receives the one-line choice for {@code auto}/CUDA.
     *
     * @throws IllegalArgumentException for an unknown name, or {@code cuda} when CUDA is unusable (one line)
     */
    public static Backend open(String name, Consumer<String> report) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.equals("cpu")) {
            return cpu();
        }
        if (n.equals("auto")) {
            return auto(report);
        }
        if (n.equals("cuda") || n.matches("cuda:\\d+")) {
            int ordinal = n.equals("cuda") ? Integer.getInteger("vrfm.cuda.device", 0) : Integer.parseInt(n.substring(5));
            try {
                return cuda(ordinal, report);
            } catch (IllegalStateException e) {
                throw new IllegalArgumentException("--device " + name + ": " + cudaProbe().reason()
                        + "; use --device cpu or auto");
            }
        }
        throw new IllegalArgumentException("--device must be auto, cpu or cuda, got '" + name + "'");
    }

    private static Backend openCuda(int ordinal, Consumer<String> report) {
        CudaBackend.Options base = CudaBackend.Options.fromSystemProperties();
        CudaBackend b = new CudaBackend(new CudaBackend.Options(ordinal, base.useCublas(), base.useCudnn(), base.tf32()));
        report.accept("device: " + b.describe());
        return b;
    }
}
