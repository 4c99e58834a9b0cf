package io.vrfm.eval;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** FID statistics files: .npz (the FID tool's format, float64) and .safetensors (float32) round trips. */
class FidStatsFileTest {
    private static final io.vrfm.backend.Backend BE = new io.vrfm.backend.cpu.CpuBackend(1);

    private static FrechetDistance.Stats stats() {
        int n = 50, d = 3;
        float[] f = new float[n * d];
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < f.length; i++) f[i] = (float) (r.nextGaussian() + i % d);
        return FrechetDistance.stats(f, n, d);
    }

    @Test
    void npzKeepsFloat64AndTheCount(@TempDir Path tmp) throws Exception {
        FrechetDistance.Stats s = stats();
        Path p = tmp.resolve("ref.npz");
        FidStatsFile.save(p, s, "inception-FID", BE);
        FrechetDistance.Stats back = FidStatsFile.load(p);
        assertEquals(s.n(), back.n());
        for (int i = 0; i < s.dim(); i++) {
            assertEquals(s.mu()[i], back.mu()[i], 0.0);
            for (int j = 0; j < s.dim(); j++) assertEquals(s.sigma()[i][j], back.sigma()[i][j], 0.0);
        }
        assertEquals(0.0, FrechetDistance.fid(s, back), 1e-9);
        // numpy's header: magic, version 1.0, a dict padded to a multiple of 64 bytes
        byte[] zip = Files.readAllBytes(p);
        assertTrue(new String(zip, java.nio.charset.StandardCharsets.ISO_8859_1).contains("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 3), }"));
    }

    @Test
    void safetensorsKeepsFloat32(@TempDir Path tmp) throws Exception {
        FrechetDistance.Stats s = stats();
        Path p = tmp.resolve("ref.safetensors");
        FidStatsFile.save(p, s, "inception-FID", BE);
        FrechetDistance.Stats back = FidStatsFile.load(p);
        assertEquals(s.n(), back.n());
        for (int i = 0; i < s.dim(); i++) assertEquals(s.mu()[i], back.mu()[i], 1e-6 * Math.max(1, Math.abs(s.mu()[i])));
        assertEquals(0.0, FrechetDistance.fid(s, back), 1e-5);
    }

    @Test
    void wrongNamesAreOneLineErrors(@TempDir Path tmp) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FidStatsFile.save(tmp.resolve("ref.txt"), stats(), "x", BE));
        assertTrue(e.getMessage().contains(".npz or .safetensors"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FidStatsFile.load(tmp.resolve("none.npz")));
        assertTrue(e.getMessage().contains("fid-stats"), e.getMessage());
    }
}
