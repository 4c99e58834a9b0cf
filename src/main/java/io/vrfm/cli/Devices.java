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

    /** Whether CUDA is usable here, and if not, one line saying why. */
    public record Probe(boolean available, String reason) {
    }

    public static Probe probeCuda() {
        try {
            Class.forName("jcuda.driver.JCudaDriver");
            jcuda.driver.JCudaDriver.setExceptionsEnabled(true);
            jcuda.driver.JCudaDriver.cuInit(0);
            int[] count = new int[1];
            jcuda.driver.JCudaDriver.cuDeviceGetCount(count);
            if (count[0] == 0) {
                return new Probe(false, "CUDA: the driver loaded but reports no GPU");
            }
            return new Probe(true, "CUDA: " + count[0] + " device(s)");
        } catch (ClassNotFoundException e) {
            return new Probe(false, "CUDA: JCuda classes missing from the class path");
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            return new Probe(false, "CUDA: " + oneLine(e) );
        } catch (RuntimeException e) {
            return new Probe(false, "CUDA: driver error " + oneLine(e));
        }
    }

    static String oneLine(Throwable e) {
        String msg = String.valueOf(e.getMessage());
        if (msg.contains("libcuda.so")) {
            return "libcuda.so.1 not found — no NVIDIA driver on this machine";
        }
        int nl = msg.indexOf('\n');
        return nl >= 0 ? msg.substring(0, nl) : msg;
    }

    /** Opens the backend named by {@code --device}; fails with one clear line when CUDA is asked for but unusable. */
    public static Backend open(String device) {
        switch (device) {
            case "cpu":
                return new CpuBackend();
            case "cuda": {
                Probe p = probeCuda();
                if (!p.available()) {
                    throw new IllegalArgumentException("--device cuda: " + p.reason() + "; use --device cpu or auto");
                }
                return openCuda();
            }
            case "auto": {
                Probe p = probeCuda();
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
