package io.vrfm.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.stream.Stream;

/**
 * A run directory: {@code config.json}, {@code checkpoints/}, {@code metrics.json}, plots. A non-empty existing
 * directory is refused unless the caller resumes it ({@code --resume}: keep finished pieces, continue) or forces
 * it ({@code --force}: write over what is there).
 */
public final class RunDirectory {
    private RunDirectory() {
    }

    /** {@code runs/<experiment>-<yyyyMMdd-HHmmss>} under the working directory. */
    public static Path defaultFor(String experiment) {
        return Path.of("runs", experiment + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    }

    /** Creates or checks {@code dir} per the flags; throws {@link IllegalArgumentException} with one clear line. */
    public static Path prepare(Path dir, boolean resume, boolean force) throws IOException {
        if (resume && force) {
            throw new IllegalArgumentException("--resume and --force exclude each other");
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("run directory " + dir + " exists and is not a directory");
        }
        if (Files.isDirectory(dir) && !isEmpty(dir) && !resume && !force) {
            throw new IllegalArgumentException("run directory " + dir + " is not empty; pass --resume to continue it"
                    + " or --force to overwrite it");
        }
        if (resume && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--resume: run directory " + dir + " does not exist");
        }
        Files.createDirectories(dir.resolve("checkpoints"));
        return dir;
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }
}
