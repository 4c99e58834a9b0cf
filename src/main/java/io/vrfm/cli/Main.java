package io.vrfm.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The launcher: {@code java --add-modules jdk.incubator.vector -jar target/vrfm4j.jar <command>}. */
@Command(name = "vrfm", mixinStandardHelpOptions = true, version = "vrfm4j 0.1.0",
        description = "Variational Rectified Flow Matching: train, sample and evaluate on CPU or CUDA.",
        subcommands = {InfoCommand.class, TrainCommand.class, SampleCommand.class, EvalCommand.class,
                ReproduceCommand.class, DataCommand.class, ImageTrainCommand.class, ImageEvalCommand.class,
                ImageReproduceCommand.class, FidStatsCommand.class})
public final class Main implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs a command line; user errors print one line (no stack trace) and return exit code 2. */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof IllegalArgumentException || ex instanceof java.io.IOException
                    || ex instanceof IllegalStateException) {
                cmd.getErr().println("error: " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        return cl.execute(args);
    }
}
