package io.vrfm.backend.cuda;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cuBLAS 13 binding ({@link Cublas13}): its Java 22 layer is packed with the backend classes into a
 * multi-release jar, as the shipped jar is, and run in a Java 22+ JVM (default: Temurin 25; override with
 * {@code -Dvrfm.java22.home}) against a stand-in {@code libcublas.so.13} compiled here from
 * {@code src/test/native/cublas13_standin.cpp} (GEMM on the host, device pointers are host pointers), once by
 * path and once by name through {@code LD_LIBRARY_PATH}; see {@code Cublas13StandInCheck} for what is checked.
 * The same jar on this Java 17 JVM must pick the base class, which says "needs Java 22+". Skips with the reason
 * when there is no Java 22+ JDK, no compiled Java 22 layer (Maven profile {@code java22} inactive) or no g++.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Cublas13StandInTest {
    static final Path ROOT = Paths.get("").toAbsolutePath();
    static final Path CLASSES = ROOT.resolve("target/classes"), LAYER = CLASSES.resolve("META-INF/versions/22");
    static final Path TEST22 = ROOT.resolve("target/test-classes-java22");
    static final Path DIR = ROOT.resolve("target/cublas13-standin");

    private Path java22;
    private Path jar;
    private Path library;

    static Path java22Home() {
        return Paths.get(System.getProperty("vrfm.java22.home", "/usr/lib/jvm/temurin-25-jdk-amd64"));
    }

    @Test
    void baseClassSaysItNeedsJava22() {
        // surefire's class path is a directory, never multi-release: this is always the Java 17 class
        PathChoice.Unusable e = assertThrows(PathChoice.Unusable.class, () -> Cublas13.open("libcublas.so.13", 0L, false));
        assertTrue(e.getMessage().startsWith("needs Java 22+ (the Foreign Function & Memory API); this is Java "), e.getMessage());
    }

    @BeforeAll
    void prepare() throws Exception {
        Path home = java22Home();
        java22 = home.resolve("bin/java");
        Assumptions.assumeTrue(Files.isExecutable(java22), "no Java 22+ JDK at " + home + " (set -Dvrfm.java22.home)");
        Assumptions.assumeTrue(Files.exists(LAYER.resolve("io/vrfm/backend/cuda/Cublas13.class"))
                        && Files.isDirectory(TEST22),
                "the Java 22 layer was not compiled (Maven profile java22 is active only where "
                        + "/usr/lib/jvm/temurin-25-jdk-amd64/bin/javac exists)");
        String gpp = EmuDevice.unavailableReason();
        Assumptions.assumeTrue(gpp == null, gpp);
        Files.createDirectories(DIR);
        library = DIR.resolve("libcublas.so.13");
        Path src = ROOT.resolve("src/test/native/cublas13_standin.cpp");
        if (!Files.exists(library) || Files.getLastModifiedTime(library).compareTo(Files.getLastModifiedTime(src)) < 0) {
            Result r = run(List.of("g++", "-O1", "-shared", "-fPIC", "-Wall", "-Wl,-soname,libcublas.so.13",
                    "-o", library.toString(), src.toString()), Map.of());
            assertEquals(0, r.status, "compiling the stand-in failed:\n" + r.output);
        }
        jar = DIR.resolve("vrfm-backend-mr.jar");
        writeMultiReleaseJar(jar);
    }

    /** io/vrfm/backend/** and its Java 22 layer, with Multi-Release: true (what the packaged jar holds). */
    static void writeMultiReleaseJar(Path jar) throws IOException {
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().put(Attributes.Name.MULTI_RELEASE, "true");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, mf)) {
            List<Path> files = new ArrayList<>();
            for (Path base : List.of(CLASSES.resolve("io/vrfm/backend"), LAYER)) {
                try (var s = Files.walk(base)) {
                    s.filter(p -> p.toString().endsWith(".class")).sorted().forEach(files::add);
                }
            }
            for (Path f : files) {
                j.putNextEntry(new JarEntry(CLASSES.relativize(f).toString().replace('\\', '/')));
                j.write(Files.readAllBytes(f));
                j.closeEntry();
            }
        }
    }

    record Result(int status, String output) {
    }

    static Result run(List<String> cmd, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, "timed out: " + cmd + "\n" + out);
        }
        return new Result(p.exitValue(), out);
    }

    private Result check(List<String> args, Map<String, String> env) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java22.toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", jar + java.io.File.pathSeparator + TEST22, "io.vrfm.backend.cuda.Cublas13StandInCheck"));
        cmd.addAll(args);
        return run(cmd, env);
    }

    @Test
    void ffmBindingMarshalsEveryGemmCaseByPath() throws Exception {
        Result r = check(List.of(library.toString()), Map.of());
        assertEquals(0, r.status, r.output);
        assertTrue(r.output.matches("(?s).*OK \\d+ cases.*"), r.output);
        assertTrue(!r.output.contains("WARNING"), "restricted-method warnings: " + r.output);
        System.out.println("[Cublas13StandInTest] by path: " + r.output.strip());
    }

    @Test
    void ffmBindingFindsLibcublas13ThroughTheLoaderSearchPath() throws Exception {
        Result r = check(List.of(), Map.of("LD_LIBRARY_PATH", DIR.toString()));
        assertEquals(0, r.status, r.output);
        assertTrue(r.output.contains("OK "), r.output);
    }

    @Test
    void theSameJarOnJava17PicksTheBaseClass() throws Exception {
        Path java17 = Paths.get(System.getProperty("java.home"), "bin", "java");
        Assumptions.assumeTrue(Runtime.version().feature() < 22, "this test JVM is Java 22+: no older runtime to try");
        Result r = run(List.of(java17.toString(), "-cp", jar + java.io.File.pathSeparator + ROOT.resolve("target/test-classes"),
                "io.vrfm.backend.cuda.Cublas13OpenMain", library.toString()), Map.of());
        assertEquals(0, r.status, r.output);
        assertTrue(r.output.startsWith("unusable: needs Java 22+"), r.output);
    }
}
