package io.vrfm.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * The run-directory options that train, train-image, reproduce and reproduce-image share (a picocli mixin), with one
 * meaning everywhere: {@code --out DIR} names the run directory; {@code --resume} continues it, and
 * {@code --resume DIR} is the same as {@code --out DIR --resume}; {@code --force} clears its old outputs first.
 * Without either, a directory that holds a started run is refused (see {@link RunDirectory}).
 */
public final class RunOptions {
    @Option(names = "--out", paramLabel = "DIR", description = "Run directory (default: a new folder under runs/).")
    Path out;

    @Option(names = "--resume", paramLabel = "DIR", arity = "0..1", fallbackValue = "",
            description = "Continue the run directory DIR (or --out's) from its checkpoint; settings that define the"
                    + " run must not change (default: off).")
    String resume;

    @Option(names = "--force", description = "Clear the run directory's old outputs and start over (default: off).")
    boolean force;

    /** Whether --resume was given (with or without a value). */
    boolean resuming() {
        return resume != null;
    }

    /** The run directory: --out, else the --resume value, else {@code fallback}; refuses two different ones. */
    Path directory(Path fallback) {
        Path fromResume = resume == null || resume.isEmpty() ? null : Path.of(resume);
        if (out != null && fromResume != null && !out.toAbsolutePath().normalize().equals(fromResume.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("--out " + out + " and --resume " + fromResume
                    + " name different run directories; give one of them");
        }
        if (out != null) {
            return out;
        }
        if (fromResume != null) {
            return fromResume;
        }
        if (resuming()) {
            throw new IllegalArgumentException("--resume needs the run directory: --resume DIR (or --out DIR --resume)");
        }
        return fallback;
    }
}
