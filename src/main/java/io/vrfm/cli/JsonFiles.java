package io.vrfm.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;

/**
 * JSON for result files: valid JSON numbers only. NaN and infinities (a diverged model's scores) are written as
 * {@code null}; Jackson would otherwise write the non-standard tokens {@code NaN} / {@code Infinity}.
 */
final class JsonFiles {
    /** An indenting mapper that writes non-finite doubles and floats as null. */
    static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .registerModule(new SimpleModule("finite-numbers")
                    .addSerializer(Double.class, new Finite<>())
                    .addSerializer(double.class, new Finite<>())
                    .addSerializer(Float.class, new Finite<>())
                    .addSerializer(float.class, new Finite<>()));

    private JsonFiles() {
    }

    /** {@code n.key = v}, or {@code null} when {@code v} is not finite. */
    static void putNumber(ObjectNode n, String key, double v) {
        if (Double.isFinite(v)) {
            n.put(key, v);
        } else {
            n.putNull(key);
        }
    }

    private static final class Finite<T extends Number> extends JsonSerializer<T> {
        @Override
        public void serialize(T value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            double d = value.doubleValue();
            if (!Double.isFinite(d)) {
                gen.writeNull();
            } else if (value instanceof Float f) {
                gen.writeNumber(f);
            } else {
                gen.writeNumber(d);
            }
        }
    }
}
