package io.vrfm.eval;

import io.vrfm.backend.Backend;
import io.vrfm.tensor.Tensor;

/** Any network that maps images {@code [N, C, H, W]} in [-1, 1] to feature vectors {@code [N, dim]} for FID. */
public interface FeatureNetwork {
    Tensor features(Tensor images);

    int dim();

    /** Where real images are put before {@link #features}. */
    Backend backend();

    /** A short name for reports ("classifier-FID (SmallCnn, 128-d)"). */
    String describe();

    /** The name of the FID these features give, written next to every score ("classifier-FID", "inception-FID"). */
    default String metric() {
        return ClassifierFid.NAME;
    }
}
