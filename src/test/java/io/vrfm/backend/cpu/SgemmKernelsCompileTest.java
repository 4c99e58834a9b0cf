package io.vrfm.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every SGEMM micro-kernel compiles in C1 at the profiling tier, for a call and for on-stack replacement. A kernel
 * C1 cannot compile never collects the profile that sends it to C2, so it runs as C1 code with every vector boxed:
 * the 8×2 in-place kernel did (C1: "out of virtual registers in linear scan"), and a 1000×128×128 product on an
 * AVX-512 machine took 21 ms instead of 0.2. A child JVM runs {@link SgemmKernelsCompileMain} with C2 off, a low
 * back-edge threshold and {@code -Xbatch}, and the test reads its {@code -XX:+PrintCompilation} lines.
 */
class SgemmKernelsCompileTest {

    @Test
    void everyKernelCompilesInC1ForCallsAndOnStackReplacement() throws Exception {
        assumeTrue(Sgemm.vectorized(), "JVM started without jdk.incubator.vector: no vector kernel to compile");
        String java = ProcessHandle.current().info().command().orElse(null);
        assumeTrue(java != null, "cannot locate this JVM's launcher: no child JVM to start");
        Process proc = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-Xbatch",
                "-XX:TieredStopAtLevel=3", "-XX:Tier3BackEdgeThreshold=2000", "-XX:Tier3InvocationThreshold=2",
                "-XX:Tier3MinInvocationThreshold=1", "-XX:Tier3CompileThreshold=2", "-XX:+PrintCompilation",
                "-cp", System.getProperty("java.class.path"), SgemmKernelsCompileMain.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(proc.getInputStream().readAllBytes());
        assertTrue(proc.waitFor(120, TimeUnit.SECONDS), "child JVM did not finish");
        assertEquals(0, proc.exitValue(), out);
        assertTrue(out.contains("done"), out);
        List<String> kernelLines = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.contains("SgemmKernels::kernel")) {
                kernelLines.add(line.strip());
            }
        }
        for (String line : kernelLines) {
            assertTrue(!line.contains("COMPILE SKIPPED") && !line.contains("not compilable"),
                    "C1 could not compile a kernel (it would never reach C2): " + line);
        }
        for (Method m : SgemmKernels.class.getDeclaredMethods()) {
            if (!Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("kernel")) {
                continue;
            }
            String name = "SgemmKernels::" + m.getName() + " ";
            assertTrue(kernelLines.stream().anyMatch(l -> l.contains(name) && l.contains("%")),
                    m.getName() + " was not compiled for on-stack replacement; the test exercised nothing:\n"
                            + String.join("\n", kernelLines));
            assertTrue(kernelLines.stream().anyMatch(l -> l.contains(name) && !l.contains("%")),
                    m.getName() + " was not compiled for calls:\n" + String.join("\n", kernelLines));
        }
    }
}
