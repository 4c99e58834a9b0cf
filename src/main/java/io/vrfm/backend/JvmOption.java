package io.vrfm.backend;

/**
 * HotSpot VM options as this JVM runs with them: what the CPU backend checks before choosing its SIMD kernels
 * ({@code UseFMA}) and what the launcher's advice on slow JDK 17 starts depends on ({@code TieredCompilation}).
 */
public final class JvmOption {
    private JvmOption() {
    }

    /** The value of a HotSpot VM option, or null where it cannot be read (another JVM, no jdk.management). */
    public static String value(String name) {
        try {
            return java.lang.management.ManagementFactory
                    .getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class).getVMOption(name).getValue();
        } catch (Throwable t) { // IllegalArgumentException (no such option), LinkageError (module absent)
            return null;
        }
    }
}
