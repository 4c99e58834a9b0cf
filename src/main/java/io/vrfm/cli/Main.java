package io.vrfm.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.ArrayList;
import java.util.List;

/** The launcher: {@code java --add-modules jdk.incubator.vector -jar target/vrfm4j.jar <command>}. */
@Command(name = "vrfm", mixinStandardHelpOptions = true, version = "vrfm4j 0.1.0",
        description = {"Variational Rectified Flow Matching: train, sample and evaluate on CPU or CUDA.",
                "Add --debug anywhere to see the stack trace of an unexpected error."},
        subcommands = {InfoCommand.class, TrainCommand.class, SampleCommand.class, EvalCommand.class,
                ReproduceCommand.class, DataCommand.class, ImageTrainCommand.class, SampleImageCommand.class, ImageEvalCommand.class,
                ImageReproduceCommand.class, FidStatsCommand.class})
public final class Main implements Runnable {
    static final String DEBUG = "--debug";

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /**
     * Runs a command line. User errors print one line (no stack trace) and return 2; anything unexpected prints one
     * line with a hint to rerun with {@code --debug} (which prints the trace) and returns 1.
     */
    public static int execute(String... args) {
        return execute(new Main(), args);
    }

    static int execute(Object command, String... args) {
        List<String> rest = new ArrayList<>(List.of(args));
        boolean debug = rest.remove(DEBUG);
        CommandLine cl = new CommandLine(command);
        java.io.PrintStream err = System.err;
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> report(ex, debug, cmd.getErr()));
        try {
            return cl.execute(rest.toArray(new String[0]));
        } catch (Throwable t) { // Errors (OutOfMemoryError, ...) pass picocli's handler
            return report(t, debug, new java.io.PrintWriter(err, true));
        }
    }

    /** Prints one line for {@code t} (and its trace with --debug); returns the exit code. */
    static int report(Throwable t, boolean debug, java.io.PrintWriter err) {
        Throwable cause = t;
        while (cause instanceof picocli.CommandLine.ExecutionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (debug) {
            cause.printStackTrace(err);
        }
        String msg = cause.getMessage() == null ? "" : cause.getMessage().replaceAll("\\s*\\R\\s*", " ").strip();
        int rc;
        if (isUserError(cause)) {
            err.println("error: " + msg);
            rc = 2;
        } else if (cause instanceof OutOfMemoryError) {
            err.println("error: out of memory (" + msg + "); use smaller sizes (--batch, --n, --samples) or a larger"
                    + " -Xmx" + (debug ? "" : "; rerun with " + DEBUG + " for the trace"));
            rc = 1;
        } else {
            err.println("error: unexpected " + cause.getClass().getSimpleName() + (msg.isEmpty() ? "" : ": " + msg)
                    + (debug ? "" : "; rerun with " + DEBUG + " for the trace"));
            rc = 1;
        }
        err.flush();
        return rc;
    }

    private static boolean isUserError(Throwable t) {
        return t instanceof IllegalArgumentException || t instanceof java.io.IOException
                || t instanceof IllegalStateException || t instanceof java.io.UncheckedIOException;
    }
}
