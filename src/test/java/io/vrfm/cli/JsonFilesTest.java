package io.vrfm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Result files hold valid JSON numbers only: NaN and infinities become null (issue #9). */
class JsonFilesTest {
    @Test
    void nonFiniteNumbersAreWrittenAsNull() throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("nan", Double.NaN);
        m.put("inf", Float.POSITIVE_INFINITY);
        m.put("x", 1.5);
        m.put("f", 0.25f);
        String s = JsonFiles.MAPPER.writeValueAsString(m);
        var back = new ObjectMapper().readTree(s); // a strict parser: NaN would throw here
        assertTrue(back.get("nan").isNull() && back.get("inf").isNull(), s);
        assertEquals(1.5, back.get("x").asDouble());
        assertEquals(0.25, back.get("f").asDouble());
        ObjectNode n = new ObjectMapper().createObjectNode();
        JsonFiles.putNumber(n, "w1", Double.NaN);
        JsonFiles.putNumber(n, "ll", -1.0);
        assertEquals("{\"w1\":null,\"ll\":-1.0}", n.toString());
    }
}
