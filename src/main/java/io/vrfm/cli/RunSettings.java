package io.vrfm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The --resume guard shared by every command: the settings recorded in a run directory against the ones a resumed
 * command would use. Every setting must be equal, except the ones that may only grow (the iteration count), and the
 * ones a caller declares free (device, checkpoint period); all differences are reported in one line.
 */
final class RunSettings {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RunSettings() {
    }

    /**
     * Throws a one-line {@link IllegalArgumentException} listing every difference between {@code recorded} (read
     * from {@code file}) and {@code wanted}; keys in {@code growable} may be larger in {@code wanted}, keys in
     * {@code free} may differ. Nested objects compare key by key ({@code train.lr}).
     */
    static void requireSame(Path file, Object recorded, Object wanted, Set<String> growable, Set<String> free) {
        List<String> diffs = new ArrayList<>();
        compare("", JSON.valueToTree(recorded), JSON.valueToTree(wanted), growable, free, diffs);
        if (!diffs.isEmpty()) {
            throw new IllegalArgumentException("--resume: " + String.join("; ", diffs) + " (recorded in " + file
                    + "); a resumed run keeps the settings that define it: drop these options, or start a new run"
                    + " with another --out or --force");
        }
    }

    private static void compare(String prefix, JsonNode a, JsonNode b, Set<String> growable, Set<String> free,
                                List<String> diffs) {
        Set<String> keys = new java.util.LinkedHashSet<>();
        a.fieldNames().forEachRemaining(keys::add);
        b.fieldNames().forEachRemaining(keys::add);
        for (String k : keys) {
            String key = prefix + k;
            if (free.contains(key)) continue;
            JsonNode x = a.get(k), y = b.get(k);
            if (x != null && y != null && x.isObject() && y.isObject()) {
                compare(key + ".", x, y, growable, free, diffs);
                continue;
            }
            if (same(x, y)) continue;
            if (growable.contains(key) && x != null && y != null && x.isNumber() && y.isNumber()) {
                if (y.asDouble() >= x.asDouble()) continue;
                diffs.add(key + " " + text(x) + " -> " + text(y) + " (may only grow)");
                continue;
            }
            diffs.add(key + " " + text(x) + " -> " + text(y));
        }
    }

    private static boolean same(JsonNode x, JsonNode y) {
        if (x == null || y == null) return x == y;
        if (x.isNumber() && y.isNumber()) {
            return (float) x.asDouble() == (float) y.asDouble();
        }
        return x.equals(y);
    }

    private static String text(JsonNode n) {
        return n == null ? "(none)" : n.isTextual() ? n.asText() : n.toString();
    }
}
