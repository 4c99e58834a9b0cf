package io.vrfm.flow;

import io.vrfm.backend.Backend;
import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.nn.VelocityField;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Samplers as values: one z per trajectory through every step and stage, NFE, same numbers as the integrators. */
class SamplerTest {
    private final Backend be = new CpuBackend(1);

    /** {@code v = −x + z}: records every {@code z} it is called with. */
    private static final class RecordingField implements VelocityField {
        final List<float[]> seen = new ArrayList<>();

        @Override
        public Tensor velocity(Tensor x, Tensor t, Tensor z) {
            seen.add(z.toArray());
            return x.neg().add(z);
        }

        @Override
        public int latentDim() {
            return 2;
        }
    }

    private Tensor x0() {
        return Tensor.randn(be, new Rng(3), 5, 2);
    }

    @Test
    void everySamplerSeesOneFixedZPerTrajectoryInEveryEvaluation() {
        for (Sampler s : new Sampler[]{Sampler.euler(3), Sampler.heun(3), Sampler.dopri5(1e-3, 1e-3),
                Sampler.eulerMaruyama(4, 0.5f)}) {
            RecordingField f = new RecordingField();
            SampleResult r = s.sample(f, x0(), new Rng(9));
            assertEquals(r.nfe(), f.seen.size(), s.name() + ": NFE counts every evaluation");
            assertTrue(f.seen.size() > 1, s.name());
            float[] z = f.seen.get(0);
            for (float[] zi : f.seen) {
                assertArrayEquals(z, zi, s.name() + ": z changed between evaluations");
            }
            assertFalse(Arrays.equals(Arrays.copyOfRange(z, 0, 2), Arrays.copyOfRange(z, 2, 4)),
                    s.name() + ": trajectories share one z");
        }
    }

    @Test
    void nfeIsWhatEachSamplerPromises() {
        RecordingField f = new RecordingField();
        Tensor z = Tensor.randn(be, new Rng(1), 5, 2);
        assertEquals(7, Sampler.euler(7).sample(f, x0(), z).nfe());
        assertEquals(14, Sampler.heun(7).sample(f, x0(), z).nfe());
        assertEquals(7, Sampler.eulerMaruyama(7, 1f).sample(f, x0(), z, new Rng(2)).nfe());
    }

    @Test
    void valuesGiveTheSameNumbersAsTheIntegrators() {
        RecordingField f = new RecordingField();
        Tensor z = Tensor.randn(be, new Rng(1), 5, 2);
        Ode ode = Ode.of(f, z);
        assertArrayEquals(Samplers.euler(ode, x0(), 8, false).x().toArray(),
                Sampler.euler(8).sample(f, x0(), z).x().toArray());
        assertArrayEquals(Samplers.heun(ode, x0(), 8, false).x().toArray(),
                Sampler.heun(8).sample(f, x0(), z).x().toArray());
        assertArrayEquals(Samplers.dopri5(ode, x0(), 1e-5, 1e-5, false).x().toArray(),
                Sampler.dopri5(1e-5, 1e-5).sample(f, x0(), z).x().toArray());
        assertArrayEquals(Samplers.eulerMaruyama(ode, x0(), 8, 0.5f, new Rng(4), false).x().toArray(),
                Sampler.eulerMaruyama(8, 0.5f).sample(f, x0(), z, new Rng(4)).x().toArray());
    }

    @Test
    void badSettingsAreOneLineErrors() {
        assertThrows(IllegalArgumentException.class, () -> Sampler.euler(0));
        assertThrows(IllegalArgumentException.class, () -> Sampler.dopri5(0, 1e-5));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                Sampler.eulerMaruyama(4, 1f).sample(new RecordingField(), x0(), Tensor.zeros(be, 5, 2)));
        assertTrue(e.getMessage().contains("noise"), e.getMessage());
    }
}
