package io.vrfm.backend.cuda;

import io.vrfm.backend.Buffer;
import io.vrfm.backend.ConvShape;

/**
 * How the CUDA backend computes 2-D convolutions: cuDNN ({@link CudnnConv}) or im2col + the chosen
 * {@link GemmPath} ({@link KernelBackend}'s fallback). Chosen once by {@link CudaBackend#chooseConv} after a probe
 * and named in {@code describe()}. Semantics are the {@link io.vrfm.backend.Backend} conv methods.
 */
interface ConvPath extends AutoCloseable {

    void forward(Buffer x, Buffer w, Buffer y, ConvShape s);

    void backwardData(Buffer gy, Buffer w, Buffer gx, ConvShape s);

    void backwardFilter(Buffer x, Buffer gy, Buffer gw, ConvShape s);

    /** Releases library handles and workspaces; the default holds none. */
    @Override
    default void close() {
    }
}
