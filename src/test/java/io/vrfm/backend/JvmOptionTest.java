package io.vrfm.backend;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JvmOptionTest {

    @Test
    void readsABooleanOptionAndGivesNullForAnUnknownOne() {
        String tiered = JvmOption.value("TieredCompilation");
        assertTrue("true".equals(tiered) || "false".equals(tiered), "TieredCompilation = " + tiered);
        assertNull(JvmOption.value("NoSuchOptionInAnyHotSpot"));
    }
}
