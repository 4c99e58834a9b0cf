package io.vrfm.backend;

import io.vrfm.backend.cpu.CpuBackend;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DevicesTest {
    @Test
    void cpuTakesAThreadCount() {
        try (Backend be = Devices.cpu(2)) {
            assertInstanceOf(CpuBackend.class, be);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Devices.cpu(0));
        assertTrue(e.getMessage().contains(">= 1"), e.getMessage());
    }

    @Test
    void withoutCudaAutoFallsBackToTheCpuSayingWhyInOneLineAndCudaFailsWithThatLine() {
        Assumptions.assumeFalse(Devices.cudaProbe().available(), "CUDA is usable here: the fallback is not exercised");
        List<String> lines = new ArrayList<>();
        try (Backend be = Devices.auto(lines::add)) {
            assertInstanceOf(CpuBackend.class, be);
        }
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("device: using the CPU (CUDA: "), lines.get(0));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Devices.cuda(0));
        assertTrue(e.getMessage().startsWith(Devices.cudaProbe().reason()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        IllegalArgumentException cli = assertThrows(IllegalArgumentException.class, () -> Devices.open("cuda", l -> { }));
        assertTrue(cli.getMessage().contains("use --device cpu or auto"), cli.getMessage());
    }

    @Test
    void openTakesTheCommandLineNames() {
        try (Backend be = Devices.open("CPU", l -> { })) {
            assertInstanceOf(CpuBackend.class, be);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Devices.open("tpu", l -> { }));
        assertTrue(e.getMessage().contains("auto, cpu or cuda"), e.getMessage());
    }
}
