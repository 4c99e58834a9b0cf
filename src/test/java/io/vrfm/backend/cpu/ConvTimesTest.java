package io.vrfm.backend.cpu;

import io.vrfm.backend.Buffer;
import io.vrfm.backend.ConvShape;
import org.junit.jupiter.api.Test;

import static io.vrfm.backend.cpu.ConvTimes.Pass.BACKWARD_DATA;
import static io.vrfm.backend.cpu.ConvTimes.Pass.BACKWARD_FILTER;
import static io.vrfm.backend.cpu.ConvTimes.Pass.FORWARD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConvTimesTest {

    @Test
    void eachPassCountsItsCallsFlopsAndTimeAndResetStartsOver() {
        CpuBackend be = new CpuBackend(1);
        // 2 images, 3 → 4 channels, 5×6, 3×3 kernel, stride 2, pad 1: output 3×3
        ConvShape s = new ConvShape(2, 3, 5, 6, 4, 3, 3, 2, 1);
        assertEquals(3, s.outH());
        assertEquals(3, s.outW());
        long perPass = 2L * 2 * 4 * 3 * 3 * 3 * 3 * 3;   // 2·n·k·c·r·s·outH·outW
        assertEquals(perPass, s.flops());
        Buffer x = be.allocate(s.inputSize()), w = be.allocate(s.weightSize()), y = be.allocate(s.outputSize());
        be.conv2d(x, w, y, s);
        be.conv2d(x, w, y, s);
        be.conv2dBackwardData(y, w, x, s);
        be.conv2dBackwardFilter(x, y, w, s);
        ConvTimes t = be.convTimes();
        assertEquals(2, t.calls(FORWARD));
        assertEquals(1, t.calls(BACKWARD_DATA));
        assertEquals(1, t.calls(BACKWARD_FILTER));
        assertEquals(2 * perPass, t.flops(FORWARD));
        assertEquals(perPass, t.flops(BACKWARD_FILTER));
        for (ConvTimes.Pass p : ConvTimes.Pass.values()) {
            assertTrue(t.nanos(p) > 0, p.label());
            assertEquals((double) t.flops(p) / t.nanos(p), t.gflops(p), 1e-12);
        }
        assertEquals((double) (t.flops(BACKWARD_DATA) + t.flops(BACKWARD_FILTER))
                / (t.nanos(BACKWARD_DATA) + t.nanos(BACKWARD_FILTER)), t.gflops(BACKWARD_DATA, BACKWARD_FILTER), 1e-12);
        assertTrue(t.seconds() > 0);
        t.reset();
        for (ConvTimes.Pass p : ConvTimes.Pass.values()) {
            assertEquals(0, t.calls(p));
            assertEquals(0, t.gflops(p));
        }
        assertEquals(0, t.seconds());
    }
}
