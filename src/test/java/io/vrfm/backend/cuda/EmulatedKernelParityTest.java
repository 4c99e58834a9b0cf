package io.vrfm.backend.cuda;

import io.vrfm.backend.Backend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.AfterEach;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CUDA kernels of {@code kernels/*.cu}, compiled with g++ under {@code src/test/cuda/cuda_emu.h} and driven by
 * the real host code ({@link KernelBackend}: the same launch shapes, arguments and workspaces the GPU gets),
 * against the CPU reference. No GPU needed; skipped with a reason when g++ is missing. After a full run it
 * checks that every kernel declared in {@code kernels/*.cu} was launched at least once.
 */
class EmulatedKernelParityTest extends BackendParity {
    private int passed;

    @BeforeAll
    void needCompiler() {
        String reason = EmuDevice.unavailableReason();
        Assumptions.assumeTrue(reason == null, reason);
    }

    @Override
    protected Backend create() throws Exception {
        return new KernelBackend(EmuDevice.start(), "cuda-emu");
    }

    @AfterEach
    void count(TestInfo info) {
        passed++;
    }

    @AfterAll
    void everyKernelLaunched() throws Exception {
        long tests = java.util.Arrays.stream(BackendParity.class.getDeclaredMethods())
                .filter(m -> m.isAnnotationPresent(org.junit.jupiter.api.Test.class)).count();
        if (passed < tests) {
            return; // a filtered run: coverage is only meaningful for the whole class
        }
        List<String> missing = new ArrayList<>(EmuDevice.declaredKernels());
        missing.removeAll(EmuDevice.LAUNCHED);
        assertTrue(missing.isEmpty(), "kernels never launched by the parity tests: " + missing);
    }
}
