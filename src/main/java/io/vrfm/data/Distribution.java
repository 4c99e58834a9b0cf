package io.vrfm.data;

import io.vrfm.tensor.Rng;

/**
 * A distribution over {@code R^dim} that can be sampled on the host and, for synthetic tasks, evaluated
 * ({@link #logDensity}) — the "true log-likelihood" metric needs that.
 */
public interface Distribution {
    String name();

    int dim();

    /** {@code n} samples, row-major {@code [n, dim]}. */
    float[] sample(Rng rng, int n);

    /** Log density at {@code x[offset .. offset+dim)}; NaN when unknown (image data). */
    double logDensity(float[] x, int offset);
}
