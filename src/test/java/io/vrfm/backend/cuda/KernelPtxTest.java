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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The committed kernel binaries ({@code src/main/resources/io/vrfm/kernels/}) against their sources: one PTX per
 * {@code .cu}, every kernel present, not stale against {@code nvcc} (when nvcc is installed), and accepted by
 * {@code ptxas -arch=sm_90} (when ptxas is installed); one fatbin per {@code .cu} whose recorded source hash
 * ({@code fatbin.manifest}) matches the sources and flags of today, checked without nvcc. Regenerate with
 * {@code kernels/build-ptx.sh}.
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
            Optional<String> err = run(List.of("bash", EmuDevice.KERNELS.resolve("build-ptx.sh").toString(), "--ptx-only", tmp.toString()));
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

    /** A variable assigned in kernels/build-ptx.sh ({@code NAME="..."}). */
    static String scriptVariable(String name) throws IOException {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^" + name + "=\"([^\"]*)\"")
                .matcher(Files.readString(EmuDevice.KERNELS.resolve("build-ptx.sh")));
        assertTrue(m.find(), "kernels/build-ptx.sh defines no " + name);
        return m.group(1);
    }

    /**
     * The source hash of build-ptx.sh: sha256 of the fatbin flags and a newline, the {@code .cu}, then every
     * {@code kernels/*.cuh} in name order, carriage returns dropped.
     */
    static String sourceHash(String flags, byte[] cu, List<byte[]> headers) {
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            md.update((flags + "\n").getBytes(StandardCharsets.UTF_8));
            md.update(withoutCr(cu));
            for (byte[] h : headers) {
                md.update(withoutCr(h));
            }
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] withoutCr(byte[] b) {
        java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream(b.length);
        for (byte x : b) {
            if (x != '\r') {
                o.write(x);
            }
        }
        return o.toByteArray();
    }

    static List<byte[]> headers() throws IOException {
        try (var s = Files.list(EmuDevice.KERNELS)) {
            List<byte[]> out = new ArrayList<>();
            for (Path h : s.filter(p -> p.toString().endsWith(".cuh"))
                    .sorted(java.util.Comparator.comparing(p -> p.getFileName().toString())).toList()) {
                out.add(Files.readAllBytes(h));
            }
            return out;
        }
    }

    static String sha256(byte[] b) throws java.security.NoSuchAlgorithmException {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void committedFatbinsMatchTheirSources() throws Exception {
        String flags = scriptVariable("FATBIN_FLAGS");
        assertTrue(flags.contains("code=sm_80") && flags.contains("code=sm_90") && flags.contains("code=compute_75"),
                "fatbin flags must give sm_80 and sm_90 cubins plus compute_75 PTX: " + flags);
        Path manifest = RES.resolve("fatbin.manifest");
        assertTrue(Files.exists(manifest), "missing " + manifest + " (run kernels/build-ptx.sh)");
        List<String> lines = Files.readAllLines(manifest);
        assertTrue(lines.contains("# flags: " + flags),
                "fatbins were built with other flags than kernels/build-ptx.sh has now: regenerate with kernels/build-ptx.sh --force");
        java.util.Map<String, String> record = new java.util.HashMap<>();
        for (String l : lines) {
            if (!l.startsWith("#") && !l.isBlank()) {
                record.put(l.substring(0, l.indexOf(' ')), l);
            }
        }
        List<byte[]> headers = headers();
        List<String> stale = new ArrayList<>();
        for (Path cu : EmuDevice.cuFiles()) {
            String name = cu.getFileName().toString().replace(".cu", "");
            Path bin = RES.resolve(name + ".fatbin");
            assertTrue(Files.exists(bin), "missing " + bin + " (run kernels/build-ptx.sh)");
            byte[] b = Files.readAllBytes(bin);
            // a fatbin starts with the magic 0xBA55ED50 (little-endian)
            assertTrue(b.length > 16 && (b[0] & 0xff) == 0x50 && (b[1] & 0xff) == 0xED && (b[2] & 0xff) == 0x55
                    && (b[3] & 0xff) == 0xBA, bin + " is not a fatbin");
            String expected = name + " source-sha256=" + sourceHash(flags, Files.readAllBytes(cu), headers)
                    + " fatbin-sha256=" + sha256(b);
            if (!expected.equals(record.get(name))) {
                stale.add(name + (record.containsKey(name) ? "" : " (not in the manifest)"));
            }
        }
        assertEquals(List.of(), stale, "fatbins stale against kernels/*.cu or not the recorded build (regenerate with kernels/build-ptx.sh)");
        try (var s = Files.list(RES)) {
            for (Path bin : s.filter(p -> p.toString().endsWith(".fatbin")).toList()) {
                String name = bin.getFileName().toString().replace(".fatbin", ".cu");
                assertTrue(Files.exists(EmuDevice.KERNELS.resolve(name)), bin + " has no source kernels/" + name);
            }
        }
    }

    @Test
    void fatbinSourceHashSeesEveryChange() throws IOException {
        Path cu = EmuDevice.cuFiles().get(0);
        byte[] src = Files.readAllBytes(cu);
        List<byte[]> headers = headers();
        String flags = scriptVariable("FATBIN_FLAGS");
        String h = sourceHash(flags, src, headers);
        byte[] edited = src.clone();
        edited[edited.length / 2] ^= 1;
        assertFalse(h.equals(sourceHash(flags, edited, headers)), "a one-bit edit of the .cu");
        assertFalse(h.equals(sourceHash(flags + " -lineinfo", src, headers)), "other flags");
        List<byte[]> otherHeader = new ArrayList<>(headers);
        otherHeader.set(0, (new String(headers.get(0), StandardCharsets.UTF_8) + "\n// x\n").getBytes(StandardCharsets.UTF_8));
        assertFalse(h.equals(sourceHash(flags, src, otherHeader)), "an edit of common.cuh");
        byte[] crlf = new String(src, StandardCharsets.UTF_8).replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
        assertEquals(h, sourceHash(flags, crlf, headers), "CRLF line ends hash as LF");
    }

    /** The families in the order of kernels/README.md's table ({@code | `name.cu` | ...}). */
    static List<String> readmeFamilies() throws IOException {
        List<String> out = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^\\| `(\\w+)\\.cu` \\|")
                .matcher(Files.readString(EmuDevice.KERNELS.resolve("README.md")));
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void cudaDeviceLoadsEveryFamilyInTheReadmeOrder() throws IOException {
        List<String> sources = new ArrayList<>();
        for (Path cu : EmuDevice.cuFiles()) {
            sources.add(cu.getFileName().toString().replace(".cu", ""));
        }
        List<String> readme = readmeFamilies();
        assertEquals(new java.util.TreeSet<>(sources), new java.util.TreeSet<>(readme),
                "kernels/README.md's family table vs kernels/*.cu");
        assertEquals(readme, CudaDevice.FAMILIES, "CudaDevice.FAMILIES (the modules loaded on a GPU) vs kernels/README.md");
    }

    /** KernelBackend's "// ---- family.cu" sections follow the README's family order. */
    @Test
    void kernelBackendSectionsFollowTheFamilyOrder() throws IOException {
        List<String> sections = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^    // -{10,} (\\w+)\\.cu\\b")
                .matcher(Files.readString(EmuDevice.ROOT.resolve("src/main/java/io/vrfm/backend/cuda/KernelBackend.java")));
        while (m.find()) {
            sections.add(m.group(1));
        }
        List<String> readme = new ArrayList<>(readmeFamilies());
        readme.retainAll(sections);
        assertEquals(readme, sections, "KernelBackend's sections out of the kernels/README.md order");
        assertTrue(sections.size() >= 10, "KernelBackend has too few family sections: " + sections);
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
