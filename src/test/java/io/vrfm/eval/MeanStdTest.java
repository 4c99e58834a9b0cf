package io.vrfm.eval;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MeanStdTest {
    @Test
    void sampleStandardDeviation() {
        MeanStd m = MeanStd.of(new double[]{1, 2, 3});
        assertEquals(2.0, m.mean(), 1e-12);
        assertEquals(1.0, m.std(), 1e-12);
        assertEquals(3, m.n());
        assertEquals("2.000 \u00b1 1.000", m.format());
    }

    @Test
    void negativeMeanUsesUnicodeMinus() {
        MeanStd m = MeanStd.of(new double[]{-1.2, -1.3});
        assertEquals(-1.25, m.mean(), 1e-12);
        assertEquals(Math.sqrt(0.005), m.std(), 1e-12);
        assertEquals("\u22121.250 \u00b1 0.071", m.format());
        assertEquals("-1.250 +- 0.071", m.formatAscii(3));
        assertEquals("\u22121.25 \u00b1 0.07", m.format(2));
    }

    @Test
    void singleAndEmpty() {
        MeanStd one = MeanStd.of(new double[]{4.5});
        assertEquals(4.5, one.mean());
        assertEquals(0.0, one.std());
        MeanStd none = MeanStd.of(new double[0]);
        assertTrue(Double.isNaN(none.mean()) && Double.isNaN(none.std()));
        assertEquals("0.000 \u00b1 0.000", MeanStd.of(new double[]{-0.0001, 0.0001}).format().replace("\u2212", "-"));
    }
}
