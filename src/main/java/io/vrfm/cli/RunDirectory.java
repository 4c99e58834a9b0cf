package io.vrfm.cli;

import io.vrfm.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A run directory ({@code train}, {@code train-image}, {@code reproduce}, {@code reproduce-image}): configuration
 * ({@code config.json} / {@code recipe.json}), {@code checkpoints/}, {@code metrics.json}, logs, samples and plots.
 * The rules, the same for every command:
 * <ul>
 *   <li>a directory holding a started run (any checkpoint or result) is refused unless the caller resumes it
 *       ({@code --resume}) or forces it ({@code --force});</li>
 *   <li>{@code --force} deletes the outputs a run writes (checkpoints, metrics, samples, plots, logs,
 *       configuration) and keeps anything else, saying so;</li>
 *   <li>a run stopped before its first checkpoint (only configuration, logs, empty folders or temporary files) is
 *       not "started": it is restarted without {@code --force};</li>
 *   <li>temporary files a killed write left behind ({@code .NAME…tmp}) are removed on every start.</li>
 * </ul>
 * Nothing is created here: callers validate their settings first, so a refused run leaves no folders behind.
 */
public final class RunDirectory {
    /** Files and folders a run writes; --force deletes these and nothing else. */
    private static final Set<String> OUTPUTS = Set.of("config.json", "recipe.json", "metrics.json", "log.csv",
            "table.txt", "checkpoints", "samples", "plots", "classifier.safetensors", "rfm", "vrfm", "cfm",
            "manifold.png", "rows-share-z.png");
    /** Outputs that do not make a run "started" (written before the first step). */
    private static final Set<String> PRELUDE = Set.of("config.json", "recipe.json", "log.csv", "checkpoints", "samples",
            "plots");

    private RunDirectory() {
    }

    /** {@code runs/<experiment>-<yyyyMMdd-HHmmss>} under the working directory. */
    public static Path defaultFor(String experiment) {
        return Path.of("runs", experiment + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    }

    /** Whether {@code dir} is resumable: it holds a started run. */
    static boolean started(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String name = p.getFileName().toString();
                if (isTemp(name)) continue;
                if (!PRELUDE.contains(name)) return true;
                if (Files.isDirectory(p) && hasNonTempFile(p)) return true;
            }
        }
        return false;
    }

    /**
     * Checks {@code dir} per the flags and prepares it: refuses a started run without --resume/--force, clears
     * outputs with --force (and leftovers of an unstarted run), removes orphaned temporary files. Returns
     * {@code dir}; creates nothing. One-line {@link IllegalArgumentException}s.
     */
    public static Path prepare(Path dir, boolean resume, boolean force) throws IOException {
        if (resume && force) {
            throw new IllegalArgumentException("--resume and --force exclude each other");
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("run directory " + dir + " exists and is not a directory");
        }
        if (resume) {
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException("--resume: run directory " + dir + " does not exist");
            }
            removeOrphans(dir);
            return dir;
        }
        boolean started = started(dir);
        if (started && !force) {
            throw new IllegalArgumentException("run directory " + dir + " holds a run; pass --resume to continue it"
                    + " or --force to clear it and start over");
        }
        if (Files.isDirectory(dir)) {
            List<String> kept = clearOutputs(dir);
            if (!kept.isEmpty()) {
                System.err.println("note: " + dir + " also holds " + String.join(", ", kept) + "; left untouched");
            }
        }
        return dir;
    }

    /** Deletes the run outputs in {@code dir}; returns the names of other entries (kept). */
    private static List<String> clearOutputs(Path dir) throws IOException {
        List<String> kept = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String name = p.getFileName().toString();
                boolean output = OUTPUTS.contains(name) || isTemp(name) || name.startsWith("samples-")
                        || name.startsWith("manifold-");
                if (output) {
                    deleteRecursively(p);
                } else {
                    kept.add(name);
                }
            }
        }
        return kept;
    }

    private static void removeOrphans(Path dir) throws IOException {
        int n = AtomicFiles.removeOrphans(dir);
        for (String sub : new String[]{"checkpoints", "samples", "plots", "rfm/checkpoints", "vrfm/checkpoints"}) {
            n += AtomicFiles.removeOrphans(dir.resolve(sub));
        }
        if (n > 0) {
            System.err.println("note: removed " + n + " temporary file(s) left by an interrupted write in " + dir);
        }
    }

    private static boolean isTemp(String name) {
        return name.startsWith(".") && name.endsWith(".tmp");
    }

    private static boolean hasNonTempFile(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.anyMatch(p -> Files.isRegularFile(p) && !isTemp(p.getFileName().toString()));
        }
    }

    private static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> s = Files.walk(p)) {
                for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(q);
                }
            }
        } else {
            Files.delete(p);
        }
    }
}
