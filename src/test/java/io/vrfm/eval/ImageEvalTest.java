package io.vrfm.eval;

import io.vrfm.backend.Backend;
import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.data.ImageSet;
import io.vrfm.nn.MnistResNet;
import io.vrfm.nn.MnistResNetConfig;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageEvalTest {
    private final Backend be = new CpuBackend(2);

    @Test
    void normalQuantileInvertsTheCdf() {
        assertEquals(0.0, NormalQuantile.inverseCdf(0.5), 1e-9);
        assertEquals(1.959963985, NormalQuantile.inverseCdf(0.975), 1e-7);
        assertEquals(-2.326347874, NormalQuantile.inverseCdf(0.01), 1e-7);
        float[] g = NormalQuantile.grid2d(4);
        assertEquals(32, g.length);
        assertEquals(-g[0], g[6], 1e-6);            // symmetric first row
        assertEquals(g[1], g[3], 1e-6);             // row shares the second coordinate
    }

    /** Random 8×8 blobs with two classes, as an ImageSet. */
    private static ImageSet blobs(int n, long seed) {
        Rng r = new Rng(seed);
        float[] px = new float[n * 64];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            for (int p = 0; p < 64; p++) {
                boolean left = (p % 8) < 4;
                px[i * 64 + p] = (float) ((left == (labels[i] == 0) ? 0.6 : -0.6) + 0.2 * r.nextGaussian());
            }
        }
        return new ImageSet("blobs", n, 1, 8, 8, px, labels, 2);
    }

    @Test
    void classifierFidIsSmallForTheSameDistributionAndLargeForNoise(@TempDir Path dir) throws Exception {
        ImageSet train = blobs(256, 1), test = blobs(200, 2);
        ClassifierFid.CnnFeatures cnn = ClassifierFid.classifier(be, train, test, dir.resolve("cls.safetensors"), 60,
                32, 3, s -> { });
        assertTrue(cnn.testAccuracy() > 0.9, "accuracy " + cnn.testAccuracy());
        assertTrue(Files.isRegularFile(dir.resolve("cls.safetensors")));
        ClassifierFid fid = ClassifierFid.of(cnn, test, 200);
        double same = fid.score(blobs(200, 3), 200);
        double noise = fid.score(Tensor.randn(be, new Rng(4), 200, 1, 8, 8));
        assertTrue(same < noise / 5, "same " + same + " noise " + noise);
        // the cache is reused
        ClassifierFid.CnnFeatures again = ClassifierFid.classifier(be, train, test, dir.resolve("cls.safetensors"), 60,
                32, 3, s -> { });
        assertEquals(cnn.testAccuracy(), again.testAccuracy(), 1e-12);
        assertTrue(cnn.describe().startsWith(ClassifierFid.NAME));
    }

    @Test
    void sweepAndFiguresRunOnATinyModel(@TempDir Path dir) throws Exception {
        ImageSet train = blobs(128, 1);
        ClassifierFid.CnnFeatures cnn = ClassifierFid.classifier(be, train, train, null, 5, 16, 3, s -> { });
        ClassifierFid fid = ClassifierFid.of(cnn, train, 128);
        MnistResNet net = new MnistResNet(be, new Rng(1), new MnistResNetConfig(1, 4, 1, 4, 2, 1000f));
        List<ImageSampling.Row> rows = ImageSampling.sweep("vrfm", be, net, fid, 20, new int[]{1, 8, 8},
                List.of(ImageSampling.SamplerSpec.euler(2), ImageSampling.SamplerSpec.dopri5(1e-3)), 5, s -> { });
        assertEquals(2, rows.size());
        assertEquals(2.0, rows.get(0).nfe());
        assertTrue(rows.get(1).nfe() >= 6);
        assertTrue(ImageSampling.table(rows).contains("dopri5"));
        float[][] m = Controllability.manifold(be, net, Tensor.randn(be, new Rng(2), 2, 1, 8, 8), 3,
                ImageSampling.SamplerSpec.euler(2));
        assertEquals(2, m.length);
        assertEquals(9 * 64, m[0].length);
        float[] rz = Controllability.rowsShareZ(be, net, 2, 3, new int[]{1, 8, 8}, ImageSampling.SamplerSpec.euler(2), new Rng(3));
        assertEquals(6 * 64, rz.length);
    }

    /** Issue #9 item 5: a cached classifier is reused only for the settings that made it, and says which it is. */
    @Test
    void classifierCacheIsKeyedByEverythingThatDefinesIt(@TempDir Path dir) throws Exception {
        ImageSet train = blobs(64, 1), test = blobs(40, 2);
        Path five = ClassifierFid.cacheFile(dir, train, 5, 16, 3);
        assertTrue(!five.equals(ClassifierFid.cacheFile(dir, train, 6, 16, 3)), "steps not in the key");
        assertTrue(!five.equals(ClassifierFid.cacheFile(dir, train, 5, 8, 3)), "batch not in the key");
        assertTrue(!five.equals(ClassifierFid.cacheFile(dir, train, 5, 16, 4)), "seed not in the key");
        assertTrue(!five.equals(ClassifierFid.cacheFile(dir, blobs(65, 1), 5, 16, 3)), "training set not in the key");
        ClassifierFid.CnnFeatures a = ClassifierFid.classifier(be, train, test, five, 5, 16, 3, s -> { });
        assertEquals(Double.toString(a.testAccuracy()),
                io.vrfm.io.SafeTensors.read(five).metadata().get("test_accuracy"));
        // the same file asked for with other settings (renamed by hand, say) is not silently reused
        List<String> log = new java.util.ArrayList<>();
        ClassifierFid.classifier(be, train, test, five, 7, 16, 3, log::add);
        assertTrue(log.stream().anyMatch(l -> l.contains("retraining")), String.join("\n", log));
        assertEquals("7", io.vrfm.io.SafeTensors.read(five).metadata().get("steps"));
        log.clear();
        ClassifierFid.CnnFeatures again = ClassifierFid.classifier(be, train, test, five, 7, 16, 3, log::add);
        assertTrue(log.stream().anyMatch(l -> l.contains("loaded") && l.contains(five.toString())), String.join("\n", log));
        assertTrue(again.describe().contains("7 steps"), again.describe());
    }
}
