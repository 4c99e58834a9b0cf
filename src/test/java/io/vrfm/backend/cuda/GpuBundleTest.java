package io.vrfm.backend.cuda;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The GPU bundle ({@code bench/pack-gpu-bundle.sh} -> {@code target/gpu-bundle.tar.gz}) that travels to a GPU
 * machine as a carried file of at most 64 MiB: packed under 60 MiB, holding what {@code bench/gpu-check.sh}
 * runs, with only the JCuda natives the engine loads. Packing takes minutes (jlink), so these checks run when a
 * packed bundle exists and skip with the reason otherwise; the scripts' syntax is checked always.
 */
class GpuBundleTest {
    static final long MAX_PACKED = 60L << 20;
    static final Path ARCHIVE = EmuDevice.ROOT.resolve("target/gpu-bundle.tar.gz");
    static final Path UNPACKED = EmuDevice.ROOT.resolve("target/gpu-bundle");

    static void assumePacked() {
        Assumptions.assumeTrue(Files.exists(ARCHIVE),
                "no packed GPU bundle at " + ARCHIVE + " (bench/pack-gpu-bundle.sh builds it; it takes minutes)");
    }

    static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timeout: " + String.join(" ", cmd));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + out);
        return out;
    }

    @Test
    void packedBundleFitsTheCarryLimit() throws IOException {
        assumePacked();
        long size = Files.size(ARCHIVE);
        assertTrue(size < MAX_PACKED, "packed bundle is " + size + " bytes, over 60 MiB: it would not travel");
    }

    @Test
    void packedBundleHoldsWhatGpuCheckRuns() throws Exception {
        assumePacked();
        List<String> entries = run("tar", "-tzf", ARCHIVE.toString()).lines().toList();
        for (String need : List.of("gpu-bundle/runtime/bin/java", "gpu-bundle/lib/vrfm4j-classes.jar",
                "gpu-bundle/bundle.env", "gpu-bundle/gpu-check.sh",
                "gpu-bundle/test/classes/io/vrfm/backend/cuda/CudaParityTest$Fallback.class",
                "gpu-bundle/test/classes/io/vrfm/backend/cuda/CudaParityTest$Accelerated.class")) {
            assertTrue(entries.contains(need), "bundle lacks " + need);
        }
        assertTrue(entries.stream().anyMatch(e -> e.matches("gpu-bundle/test/junit-platform-console-standalone-.*\\.jar")),
                "bundle lacks the JUnit console");
        // the modules' classes as separate jars (launcher: `info`, `reproduce`; bench: CudaBenchMain, JMH) and the
        // dependencies only they have
        for (String need : List.of("gpu-bundle/lib/vrfm4j-launcher-classes.jar", "gpu-bundle/lib/vrfm4j-bench-classes.jar")) {
            assertTrue(entries.contains(need), "bundle lacks " + need);
        }
        for (String dep : List.of("picocli", "xchart", "jmh-core", "jopt-simple")) {
            assertTrue(entries.stream().anyMatch(e -> e.matches("gpu-bundle/lib/" + dep + "-[0-9.]+\\.jar")),
                    "bundle lacks the " + dep + " jar");
        }
        assertTrue(entries.stream().noneMatch(e -> e.matches("gpu-bundle/lib/vrfm4j(-bench)?\\.jar")),
                "bundle carries a shaded jar (it repeats the engine and every JCuda native)");
        assertTrue(entries.stream().noneMatch(e -> e.startsWith("gpu-bundle/runtime/jmods")), "runtime carries jmods");
    }

    /** Each engine, launcher and benchmark class is in exactly one jar of lib/, and bundle.env names the launcher. */
    @Test
    void bundleLibHoldsEachModuleOnceAndNamesTheLauncher() throws IOException {
        assumePacked();
        Assumptions.assumeTrue(Files.isDirectory(UNPACKED.resolve("lib")), "no unpacked bundle at " + UNPACKED);
        java.util.Map<String, List<String>> where = new java.util.HashMap<>();
        List<String> probes = List.of("io/vrfm/backend/cuda/CudaInfo.class", "io/vrfm/cli/Main.class",
                "io/vrfm/bench/CudaBenchMain.class", "META-INF/BenchmarkList", "picocli/CommandLine.class",
                "org/openjdk/jmh/Main.class");
        try (var s = Files.list(UNPACKED.resolve("lib"))) {
            for (Path jar : s.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                try (ZipFile z = new ZipFile(jar.toFile())) {
                    for (String probe : probes) {
                        if (z.getEntry(probe) != null) {
                            where.computeIfAbsent(probe, k -> new ArrayList<>()).add(jar.getFileName().toString());
                        }
                    }
                }
            }
        }
        for (String probe : probes) {
            assertEquals(1, where.getOrDefault(probe, List.of()).size(), probe + " in lib/: " + where.get(probe));
        }
        List<String> env = Files.readAllLines(UNPACKED.resolve("bundle.env"));
        assertTrue(env.contains("MAIN_CLASS=io.vrfm.cli.Main"), "bundle.env: " + env);
    }

    /** Only libJCudaDriver, libJCublas2 and libJCudnn for linux-x86_64 (the PTX compiler alone is 24 MB). */
    @Test
    void bundleKeepsOnlyTheJCudaNativesTheEngineLoads() throws IOException {
        assumePacked();
        Assumptions.assumeTrue(Files.isDirectory(UNPACKED.resolve("lib")), "no unpacked bundle at " + UNPACKED);
        List<String> natives = new ArrayList<>();
        try (var s = Files.list(UNPACKED.resolve("lib"))) {
            for (Path jar : s.filter(p -> p.getFileName().toString().contains("natives")).sorted().toList()) {
                try (ZipFile z = new ZipFile(jar.toFile())) {
                    z.stream().map(e -> e.getName()).filter(n -> n.matches(".*\\.(so|dll|dylib|jnilib)"))
                            .forEach(n -> natives.add(n.substring(n.lastIndexOf('/') + 1).replaceAll("-[0-9.]+-", "-*-")));
                }
            }
        }
        natives.sort(null);
        assertEquals(List.of("libJCublas2-*-linux-x86_64.so", "libJCudaDriver-*-linux-x86_64.so",
                "libJCudnn-*-linux-x86_64.so"), natives);
    }

    @Test
    void gpuScriptsParse() throws Exception {
        for (String script : List.of("bench/pack-gpu-bundle.sh", "bench/gpu-check.sh", "bench/gpu-run.sh",
                "kernels/build-ptx.sh")) {
            run("bash", "-n", EmuDevice.ROOT.resolve(script).toString());
        }
    }
}
