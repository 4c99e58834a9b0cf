package io.vrfm.backend.cuda;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code kernels/gemm_tf32.cu} for the architectures that run it: the committed compute_75 PTX is only the stub
 * (TF32 WMMA needs sm_80), so the tensor-core body is compiled here to compute_80 PTX, which must hold the TF32
 * WMMA instructions and the TF32 rounding, and which {@code ptxas -arch=sm_90} must assemble. Skips with the
 * reason without nvcc / ptxas.
 */
class Tf32KernelPtxTest {

    @Test
    void tensorCoreBodyCompilesForSm80AndAssemblesForSm90() throws Exception {
        String missing = KernelPtxTest.toolMissing("nvcc");
        Assumptions.assumeTrue(missing == null, missing + ": cannot compile gemm_tf32.cu");
        Path dir = Files.createTempDirectory("vrfm-tf32");
        Path ptx = dir.resolve("gemm_tf32_sm80.ptx");
        try {
            Optional<String> err = KernelPtxTest.run(List.of("nvcc", "-ptx", "-arch=compute_80", "-O3", "-std=c++17",
                    "-I", EmuDevice.KERNELS.toString(), "-o", ptx.toString(), EmuDevice.KERNELS.resolve("gemm_tf32.cu").toString()));
            assertEquals(Optional.empty(), err, "nvcc -arch=compute_80 failed");
            String text = Files.readString(ptx);
            assertTrue(text.contains("wmma.mma.sync.aligned.row.row.m16n16k8.f32.tf32.tf32.f32"), "no TF32 WMMA in the sm_80 PTX");
            assertTrue(text.contains("cvt.rna.tf32.f32"), "inputs are not rounded to TF32 (cvt.rna.tf32.f32)");
            String stub = Files.readString(KernelPtxTest.RES.resolve("gemm_tf32.ptx"));
            assertFalse(stub.contains("wmma"), "the compute_75 PTX must be the stub (TF32 WMMA needs sm_80)");
            String noPtxas = KernelPtxTest.toolMissing("ptxas");
            Assumptions.assumeTrue(noPtxas == null, noPtxas + ": cannot assemble the sm_80 PTX");
            assertEquals(Optional.empty(), KernelPtxTest.run(List.of("ptxas", "-arch=sm_90", "-o", "/dev/null", ptx.toString())),
                    "ptxas -arch=sm_90 rejected the TF32 kernel");
        } finally {
            Files.deleteIfExists(ptx);
            Files.deleteIfExists(dir);
        }
    }
}
