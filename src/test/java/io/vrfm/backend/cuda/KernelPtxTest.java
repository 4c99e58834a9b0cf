package io.vrfm.backend.cuda;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The committed PTX ({@code src/main/resources/io/vrfm/kernels/*.ptx}) against its sources: one PTX per
 * {@code .cu}, every kernel present, not stale against {@code nvcc} (when nvcc is installed), and accepted by
 * {@code ptxas -arch=sm_90} (when ptxas is installed). Regenerate with {@code kernels/build-ptx.sh}.
 */
class KernelPtxTest {
    static final Path RES = EmuDevice.ROOT.resolve("src/main/resources/io/vrfm/kernels");

    static Optional<String> run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.of("timeout: " + cmd);
            }
            return p.exitValue() == 0 ? Optional.empty() : Optional.of("exit " + p.exitValue() + ": " + out);
        } catch (IOException | InterruptedException e) {
            return Optional.of("cannot run " + cmd.get(0) + ": " + e.getMessage());
        }
    }

    static String toolMissing(String tool) {
        Optional<String> r = run(List.of(tool, "--version"));
        return r.map(e -> tool + " not available (" + e.lines().findFirst().orElse("") + ")").orElse(null);
    }

    static String toolVersionLine(String ptx) {
        return ptx.lines().filter(l -> l.startsWith("// Cuda compilation tools")).findFirst().orElse("?");
    }

    /** The PTX without its comment lines (the compiler banner). */
    /**
     * The PTX without comments and with nvcc's per-compilation hash in internal symbol names
     * ({@code _INTERNAL_639b477c_...}) masked: that hash changes with the folder the source is compiled in, so a
     * fresh clone elsewhere would otherwise always look stale.
     */
    static String body(String ptx) {
        return ptx.lines().filter(l -> !l.startsWith("//"))
                .map(l -> l.replaceAll("_INTERNAL_[0-9a-f]{8}_", "_INTERNAL_"))
                .collect(Collectors.joining("\n"));
    }

    @Test
    void onePtxPerSourceWithEveryKernel() throws IOException {
        for (Path cu : EmuDevice.cuFiles()) {
            String name = cu.getFileName().toString().replace(".cu", "");
            Path ptx = RES.resolve(name + ".ptx");
            assertTrue(Files.exists(ptx), "missing " + ptx + " (run kernels/build-ptx.sh)");
            String text = Files.readString(ptx);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("extern \"C\" __global__ void (\\w+)\\s*\\(")
                    .matcher(Files.readString(cu));
            while (m.find()) {
                assertTrue(text.contains(".entry " + m.group(1) + "("), name + ".ptx lacks kernel " + m.group(1));
            }
        }
        try (var s = Files.list(RES)) {
            for (Path ptx : s.filter(p -> p.toString().endsWith(".ptx")).toList()) {
                String name = ptx.getFileName().toString().replace(".ptx", ".cu");
                assertTrue(Files.exists(EmuDevice.KERNELS.resolve(name)), ptx + " has no source kernels/" + name);
            }
        }
    }

    @Test
    void committedPtxIsNotStale() throws IOException {
        String missing = toolMissing("nvcc");
        Assumptions.assumeTrue(missing == null, missing + ": cannot check PTX staleness");
        Path tmp = Files.createTempDirectory("vrfm-ptx");
        try {
            Optional<String> err = run(List.of("bash", EmuDevice.KERNELS.resolve("build-ptx.sh").toString(), tmp.toString()));
            if (err.isPresent()) {
                fail("kernels/build-ptx.sh failed: " + err.get());
            }
            List<String> stale = new ArrayList<>();
            String otherCompiler = null;
            for (Path cu : EmuDevice.cuFiles()) {
                String name = cu.getFileName().toString().replace(".cu", ".ptx");
                String fresh = Files.readString(tmp.resolve(name)), committed = Files.readString(RES.resolve(name));
                if (!toolVersionLine(fresh).equals(toolVersionLine(committed))) {
                    otherCompiler = toolVersionLine(committed) + " vs local " + toolVersionLine(fresh);
                    continue;
                }
                if (!body(fresh).equals(body(committed))) {
                    stale.add(name);
                }
            }
            assertTrue(stale.isEmpty(), "stale PTX (regenerate with kernels/build-ptx.sh): " + stale);
            Assumptions.assumeTrue(otherCompiler == null,
                    "committed PTX was made by another nvcc (" + otherCompiler + "): not comparable");
        } finally {
            try (var s = Files.walk(tmp)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void ptxasAssemblesForSm90() throws IOException {
        String missing = toolMissing("ptxas");
        Assumptions.assumeTrue(missing == null, missing + ": cannot assemble PTX");
        List<String> failures = new ArrayList<>();
        int n = 0;
        try (var s = Files.list(RES)) {
            for (Path ptx : s.filter(p -> p.toString().endsWith(".ptx")).sorted().toList()) {
                n++;
                run(List.of("ptxas", "-arch=sm_90", "-o", "/dev/null", ptx.toString()))
                        .ifPresent(e -> failures.add(ptx.getFileName() + ": " + e));
            }
        }
        assertTrue(n > 0, "no PTX found under " + RES);
        assertEquals(List.of(), failures, "ptxas rejected PTX");
    }
}
