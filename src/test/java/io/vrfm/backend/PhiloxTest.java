package io.vrfm.backend;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PhiloxTest {
    @Test
    void matchesRandom123KnownAnswers() {
        // kat_vectors from Random123: philox4x32 10 rounds
        assertArrayEquals(new int[]{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}, Philox.block(0, 0, 0, 0, 0, 0));
        assertArrayEquals(new int[]{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
                Philox.block(-1, -1, -1, -1, -1, -1));
        assertArrayEquals(new int[]{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
                Philox.block(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0));
    }

    @Test
    void uniformAndNormalHaveTheRightMoments() {
        int n = 200_000;
        double su = 0, sn = 0, sn2 = 0;
        float min = 1, max = 0;
        for (int i = 0; i < n; i++) {
            float u = Philox.uniform(42, i);
            min = Math.min(min, u);
            max = Math.max(max, u);
            su += u;
            double z = Philox.normal(42, i);
            sn += z;
            sn2 += z * z;
        }
        assertTrue(min > 0f && max < 1f, "open interval");
        assertEquals(0.5, su / n, 0.005);
        assertEquals(0.0, sn / n, 0.01);
        assertEquals(1.0, sn2 / n, 0.01);
    }
}
