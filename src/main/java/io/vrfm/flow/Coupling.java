package io.vrfm.flow;

import io.vrfm.backend.Backend;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

/**
 * Where training pairs {@code (x0, x1)} come from. The paper trains with the independent coupling: {@code x0 ~ p0}
 * and {@code x1 ~ p1} drawn separately ({@link #independent}). Kept as an interface so {@code flow} does not depend
 * on the data layer above it: pass {@code Distribution::sample} method references.
 */
public interface Coupling extends PairSource {
    /** Host sampler of {@code n} rows {@code [n, dim]}, e.g. {@code io.vrfm.data.Distribution::sample}. */
    @FunctionalInterface
    interface Sampler {
        float[] sample(Rng rng, int n);
    }

    /** Dimension of each point. */
    int dim();

    /** {@code {x0, x1}}, each {@code [n, dim]} on {@code be}. */
    Tensor[] sample(Backend be, Rng rng, int n);

    /** The pair of {@link #sample} as a {@link PairSource} batch. */
    @Override
    default Pairs pairs(Backend be, Rng rng, int n) {
        Tensor[] s = sample(be, rng, n);
        return new Pairs(s[0], s[1]);
    }

    /** {@code x0} from {@code source} then {@code x1} from {@code target}, both from the same stream. */
    static Coupling independent(int dim, Sampler source, Sampler target) {
        return new Coupling() {
            @Override
            public int dim() {
                return dim;
            }

            @Override
            public Tensor[] sample(Backend be, Rng rng, int n) {
                return new Tensor[]{Tensor.of(be, source.sample(rng, n), n, dim), Tensor.of(be, target.sample(rng, n), n, dim)};
            }
        };
    }
}
