package io.vrfm.backend.cuda;

import io.vrfm.backend.ConvShape;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The single cuDNN algorithm search: once per geometry and pass, first result with a success status. */
class ConvAlgorithmsTest {

    @Test
    void searchesOncePerShapeAndPassThenAnswersFromTheCache() {
        List<String> calls = new ArrayList<>();
        ConvAlgorithms algos = new ConvAlgorithms((s, p) -> {
            calls.add(s.c() + ":" + p);
            return List.of(new ConvAlgorithms.Perf(3, 7, 64), // not supported for this shape
                    new ConvAlgorithms.Perf(ConvAlgorithms.STATUS_OK, p.ordinal() + 1, 1024L * s.c()),
                    new ConvAlgorithms.Perf(ConvAlgorithms.STATUS_OK, 9, 0));
        });
        ConvShape a = new ConvShape(2, 3, 8, 8, 4, 3, 3, 1, 1), b = new ConvShape(2, 5, 8, 8, 4, 3, 3, 1, 1);
        for (int rep = 0; rep < 3; rep++) {
            for (ConvAlgorithms.Pass p : ConvAlgorithms.Pass.values()) {
                assertEquals(new ConvAlgorithms.Algo(p.ordinal() + 1, 3 * 1024L), algos.get(a, p));
                assertEquals(new ConvAlgorithms.Algo(p.ordinal() + 1, 5 * 1024L), algos.get(b, p));
            }
        }
        assertEquals(6, calls.size(), "one search per (shape, pass): " + calls);
        assertEquals(6, algos.searches());
    }

    @Test
    void noSuccessfulAlgorithmIsOneLineNamingPassAndShape() {
        ConvShape s = new ConvShape(1, 1, 4, 4, 1, 3, 3, 1, 0);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ConvAlgorithms.firstUsable(
                List.of(new ConvAlgorithms.Perf(9, 0, 0)), s, ConvAlgorithms.Pass.BACKWARD_FILTER));
        assertTrue(e.getMessage().startsWith("cuDNN found no backward-filter algorithm for ConvShape[n=1"), e.getMessage());
        assertTrue(e.getMessage().endsWith("(1 candidates, none with status success)"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> ConvAlgorithms.firstUsable(List.of(), s, ConvAlgorithms.Pass.FORWARD));
    }
}
