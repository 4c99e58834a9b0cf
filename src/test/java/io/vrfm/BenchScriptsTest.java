package io.vrfm;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The peer benchmarks' shared environment: every {@code bench/run-*.sh} sets up the instruction set
 * ({@code bench/isa.sh}) and the C allocator ({@code bench/peer-malloc.sh}) the same way, and the allocator setting
 * does what it says (a PyTorch peer that page-faults its activations in on every step ran 1.8-2.6x slower on the
 * machine these numbers come from, so a script that forgot it would report ratios the peer does not deserve).
 */
class BenchScriptsTest {

    @Test
    void everyPeerBenchmarkSourcesTheIsaAndTheAllocatorSettings() throws IOException {
        List<Path> scripts;
        try (Stream<Path> s = Files.list(Paths.get("bench"))) {
            scripts = s.filter(p -> p.getFileName().toString().matches("run-.*\\.sh")).sorted().toList();
        }
        assertFalse(scripts.isEmpty(), "no bench/run-*.sh scripts found");
        for (Path p : scripts) {
            List<String> lines = Files.readAllLines(p, StandardCharsets.UTF_8);
            int strict = lines.indexOf("set -euo pipefail");
            int isa = lines.indexOf("source \"$root/bench/isa.sh\"");
            int malloc = lines.indexOf("source \"$root/bench/peer-malloc.sh\"");
            assertTrue(strict >= 0 && isa > strict, p + " sources bench/isa.sh after set -euo pipefail");
            assertTrue(malloc > isa, p + " sources bench/peer-malloc.sh after bench/isa.sh");
        }
    }

    @Test
    void theAllocatorIsTunedByDefaultAsInstalledOnRequestAndABadValueStopsTheScript() throws Exception {
        Result tuned = source(Map.of());
        assertEquals(0, tuned.rc, tuned.err);
        assertEquals("33554432 4294967296", tuned.out.strip());
        assertTrue(tuned.err.contains("mmap threshold 32 MiB"), tuned.err);

        Result installed = source(Map.of("PEER_MALLOC", "default", "MALLOC_MMAP_THRESHOLD_", "1",
                "MALLOC_TRIM_THRESHOLD_", "1"));
        assertEquals(0, installed.rc, installed.err);
        assertEquals("", installed.out.strip(), "PEER_MALLOC=default leaves glibc's own settings");

        Result bad = source(Map.of("PEER_MALLOC", "jemalloc"));
        assertEquals(2, bad.rc);
        assertEquals("", bad.out.strip(), "a bad value stops before the script goes on");
        assertEquals(1, bad.err.strip().lines().count(), bad.err);
        assertTrue(bad.err.contains("PEER_MALLOC=jemalloc") && bad.err.contains("PEER_MALLOC=default"), bad.err);
    }

    @Test
    void aScriptThatAlternatesRoundsRefusesABadRoundCountBeforeMeasuring() throws Exception {
        List<Path> scripts;
        try (Stream<Path> s = Files.list(Paths.get("bench"))) {
            scripts = s.filter(p -> p.getFileName().toString().matches("run-.*\\.sh")).sorted().toList();
        }
        List<Path> withRounds = new ArrayList<>();
        for (Path p : scripts) {
            if (Files.readAllLines(p, StandardCharsets.UTF_8).contains("source \"$root/bench/rounds.sh\"")) {
                withRounds.add(p);
            }
        }
        for (String name : List.of("run-cpu-bench.sh", "run-vrfm-step-bench.sh", "run-mnist-resnet-bench.sh",
                "run-unet-bench.sh")) {
            assertTrue(withRounds.contains(Paths.get("bench", name)), name + " takes ROUNDS");
        }
        for (Path p : withRounds) {
            for (String bad : List.of("0", "two", "-1")) {
                Result r = run(List.of(p.toString()), Map.of("ROUNDS", bad));
                assertEquals(2, r.rc, p + " with ROUNDS=" + bad + ": " + r.err);
                assertEquals("", r.out.strip(), p + " printed a table with ROUNDS=" + bad);
                String last = r.err.strip().lines().reduce((a, b) -> b).orElse("");
                assertTrue(last.startsWith("ROUNDS=" + bad + ":") && last.contains("whole number"), p + ": " + r.err);
            }
        }
    }

    /**
     * A script whose peer is PyTorch checks that its Python can import torch before measuring anything (a fresh
     * machine has none, and the 2-D step script used to run vrfm4j's side for minutes, then fail on a traceback).
     */
    @Test
    void aPyTorchPeerScriptStopsInOneLineWhenItsPythonHasNoTorch() throws Exception {
        List<Path> scripts;
        try (Stream<Path> s = Files.list(Paths.get("bench"))) {
            scripts = s.filter(p -> p.getFileName().toString().matches("run-.*\\.sh")).sorted().toList();
        }
        int peers = 0;
        for (Path p : scripts) {
            List<String> lines = Files.readAllLines(p, StandardCharsets.UTF_8);
            int python = -1;
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).startsWith("python=") && lines.get(i).contains("/usr/bin/python3")) {
                    python = i;
                }
            }
            if (python < 0) {
                continue;   // no PyTorch peer (the SGEMM script's peer is NumPy)
            }
            peers++;
            assertEquals("source \"$root/bench/torch-peer.sh\"", lines.get(python + 1),
                    p + " checks its PyTorch right after choosing the Python");
        }
        assertTrue(peers >= 6, "PyTorch peer scripts found: " + peers);

        Result none = run(List.of("-c",
                "set -euo pipefail; python=/bin/false; source bench/torch-peer.sh; echo measured"), Map.of());
        assertEquals(2, none.rc, none.err);
        assertEquals("", none.out.strip(), "stops before measuring");
        assertEquals(1, none.err.strip().lines().count(), none.err);
        assertTrue(none.err.contains("/bin/false") && none.err.contains("apt-get install python3-torch"), none.err);

        Result has = run(List.of("-c",
                "set -euo pipefail; python=/bin/true; source bench/torch-peer.sh; echo measured"), Map.of());
        assertEquals(0, has.rc, has.err);
        assertEquals("measured", has.out.strip());
    }

    private record Result(int rc, String out, String err) {
    }

    /** Sources bench/peer-malloc.sh in bash with {@code env} added, then prints the two variables it manages. */
    private static Result source(Map<String, String> env) throws Exception {
        return run(List.of("-c", "set -euo pipefail; source bench/peer-malloc.sh;"
                + " echo \"${MALLOC_MMAP_THRESHOLD_:-} ${MALLOC_TRIM_THRESHOLD_:-}\""), env);
    }

    /** Runs bash with {@code args} and {@code env} added (the allocator variables cleared first). */
    private static Result run(List<String> args, Map<String, String> env) throws Exception {
        Path bash = Stream.of("/bin/bash", "/usr/bin/bash").map(Paths::get).filter(Files::isExecutable).findFirst()
                .orElse(null);
        Assumptions.assumeTrue(bash != null, "no bash on this machine");
        List<String> cmd = new ArrayList<>(List.of(bash.toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("PEER_MALLOC");
        pb.environment().remove("MALLOC_MMAP_THRESHOLD_");
        pb.environment().remove("MALLOC_TRIM_THRESHOLD_");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), out, err);
    }
}
