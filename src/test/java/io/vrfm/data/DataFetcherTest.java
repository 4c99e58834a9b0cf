package io.vrfm.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exercises the fetch plumbing without the network: the paths that end before any download. */
class DataFetcherTest {
    @TempDir
    Path data;

    @Test
    void scriptIsBundledAndParses() throws Exception {
        Path script = DataFetcher.extractScript();
        try {
            Process p = new ProcessBuilder("bash", "-n", script.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
        } finally {
            Files.deleteIfExists(script);
        }
    }

    @Test
    void alreadyPresentIsLeftAlone() {
        Path m = data.resolve("mnist");
        for (int d = 0; d < 10; d++) {
            TestFiles.write(m.resolve(d + ".json"), "{\"data\": []}");
        }
        List<String> log = new ArrayList<>();
        assertEquals(m, DataFetcher.fetch("mnist", data, log::add));
        assertTrue(String.join("\n", log).contains("already present"), String.join("\n", log));
    }

    @Test
    void incompleteFolderIsNotOverwritten() {
        Path f = data.resolve("fashion-mnist");
        TestFiles.write(f.resolve("train-images-idx3-ubyte.gz"), new byte[]{1});
        List<String> log = new ArrayList<>();
        DatasetException e = assertThrows(DatasetException.class, () -> DataFetcher.fetch("fashion-mnist", data, log::add));
        assertTrue(e.getMessage().contains("exit code 1"), e.getMessage());
        assertTrue(String.join("\n", log).contains("move it aside"), String.join("\n", log));
        assertTrue(Files.exists(f.resolve("train-images-idx3-ubyte.gz")));
    }

    @Test
    void cifarIsNotFetchable() {
        DatasetException e = assertThrows(DatasetException.class, () -> DataFetcher.fetch("cifar10", data, s -> { }));
        assertTrue(e.getMessage().contains(Cifar10Reader.DOWNLOAD_URL), e.getMessage());
        assertThrows(DatasetException.class, () -> DataFetcher.fetch("svhn", data, s -> { }));
    }
}
