package io.vrfm.cli;

import io.vrfm.backend.cpu.CpuBackend;
import picocli.CommandLine.Command;

/** {@code info}: the runtime, the cores and which backends are usable (with the reason when not). */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Show Java, cores and which backends are usable here.")
public final class InfoCommand implements Runnable {
    @Override
    public void run() {
        Runtime rt = Runtime.getRuntime();
        System.out.println("vrfm4j 0.1.0");
        System.out.println("java:  " + System.getProperty("java.vm.name") + " " + Runtime.version()
                + " (" + System.getProperty("os.arch") + ")" + jdkNote(Runtime.version().feature()));
        System.out.println("cores: " + rt.availableProcessors() + ", max heap " + (rt.maxMemory() >> 20) + " MiB");
        try (CpuBackend cpu = new CpuBackend()) {
            System.out.println("CPU:   usable — " + cpu.describe());
        }
        io.vrfm.backend.cuda.CudaBackend.Probe cuda = io.vrfm.backend.Devices.cudaProbe();
        System.out.println(cuda.available() ? "CUDA:  usable — " + cuda.device()
                : "CUDA:  unusable — " + cuda.reason().replaceFirst("^CUDA: ", ""));
    }

    /**
     * A hint for JDKs older than 21, empty otherwise: JDK 17's C2 compiles SIMD loops so that they box their vectors
     * in a minority of JVM starts (14 of 64 launcher runs counted), which costs the 2-D steps about 20 %; without the
     * C1 profiling tier, none of 30 did (README, Limits).
     */
    static String jdkNote(int feature) {
        return feature < 21 ? " — JDK 21+ compiles the SIMD loops more reliably and runs the 2-D steps faster"
                + " (README, Speed); on this JDK, java -XX:-TieredCompilation avoids the starts that run slow (README,"
                + " Limits)" : "";
    }
}
