package io.vrfm.backend.cuda;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The emulation header's scheduler on its own ({@code src/test/cuda/emu_selftest.cpp}, compiled here with g++): block
 * barriers, warp shuffles with early-returning lanes, a tree reduction, a missing barrier that the alternating sweep
 * order exposes, and threads waiting at different barriers reported as a deadlock (abort) instead of hanging the
 * parity suites. Skipped with the reason when g++ is missing.
 */
class CudaEmuSelfTest {
    @Test
    void schedulerKeepsBarrierSemanticsAndReportsDeadlocks(@TempDir Path tmp) throws Exception {
        String reason = EmuDevice.unavailableReason();
        Assumptions.assumeTrue(reason == null, reason);
        Path exe = tmp.resolve("emu_selftest");
        Process cc = new ProcessBuilder(List.of("g++", "-std=c++20", "-O1", "-Wall", "-Wno-unknown-pragmas",
                "-I" + EmuDevice.CUDA_TEST, EmuDevice.CUDA_TEST.resolve("emu_selftest.cpp").toString(), "-o",
                exe.toString())).redirectErrorStream(true).start();
        String log = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, cc.waitFor(), "compiling emu_selftest.cpp failed:\n" + log);

        Process run = new ProcessBuilder(exe.toString()).redirectErrorStream(true).start();
        String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(run.waitFor(60, TimeUnit.SECONDS), "the self-test hung:\n" + out);
        assertEquals(0, run.exitValue(), out);
        for (String check : List.of("barrier", "missing-barrier-shows", "shuffle-and-early-return", "tree-reduction",
                "deadlock-aborts")) {
            assertTrue(out.contains("ok " + check), check + " did not pass:\n" + out);
        }
    }
}
