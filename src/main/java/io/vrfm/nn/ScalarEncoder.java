package io.vrfm.nn;

import io.vrfm.backend.Backend;
import io.vrfm.tensor.Rng;
import io.vrfm.tensor.Tensor;

/**
 * The paper's input encoder for the synthetic tasks (App. D.1): a sinusoidal encoding of each coordinate followed
 * by two Linear layers with a GELU between them. {@code [N, d]} (or {@code [N]}) → {@code [N, width]}. Each of the
 * {@code d} coordinates gets its own {@code embDim}-wide sinusoidal features ({@code cos}, {@code sin} of the
 * coordinate times {@code scale·f_i}, {@code f_i = maxPeriod^(−i/half)}), concatenated to {@code d·embDim}.
 *
 * <p>Parameter names: {@code mlp.layers.0.*}, {@code mlp.layers.1.*}.
 */
public final class ScalarEncoder extends Module {
    /** Frequency scale: coordinates and t live in about [−2, 2] and [0, 1]; 30 rad/unit is the top frequency. */
    public static final float DEFAULT_SCALE = 30f;
    public static final float DEFAULT_MAX_PERIOD = 1000f;

    private final int coords, embDim;
    private final Tensor freqs;
    private final float[] hostFreqs;
    private final Mlp mlp;
    /**
     * Rows per host range of the fused features: 256 rows of 32 frequencies are about 0.1 ms of scalar sin/cos and
     * about 20 µs lane-wise (AVX-512), still well above a region's cost, so a batch of 1000 two-coordinate inputs
     * splits across two threads and a tiny batch stays on the caller.
     */
    private static final int SIN_COS_GRAIN = 256;
    /** Rows whose angles are staged at once for {@link Backend#hostSinCos} (16 rows of 16 frequencies: 1 KiB). */
    private static final int ANGLE_ROWS = 16;
    /** Host staging for {@link #fusedFeatures}, grown on demand and reused across steps (no per-step arrays). */
    private float[] stagedInput = new float[0], stagedFeatures = new float[0];

    public ScalarEncoder(Backend be, Rng rng, int coords, int embDim, int width, float scale, float maxPeriod) {
        if (embDim < 2 || embDim % 2 != 0) {
            throw new IllegalArgumentException("ScalarEncoder: embedding size must be even and >= 2, got " + embDim);
        }
        this.coords = coords;
        this.embDim = embDim;
        int half = embDim / 2;
        float[] f = new float[half];
        for (int i = 0; i < half; i++) {
            f[i] = (float) (scale * Math.exp(-Math.log(maxPeriod) * i / half));
        }
        this.freqs = Tensor.of(be, f, 1, 1, half);
        this.hostFreqs = f;
        this.mlp = child("mlp", new Mlp(be, rng, SyntheticVelocityNet.ACTIVATION, false, coords * embDim, width, width));
    }

    public ScalarEncoder(Backend be, Rng rng, int coords, int width) {
        this(be, rng, coords, width, width, DEFAULT_SCALE, DEFAULT_MAX_PERIOD);
    }

    /**
     * The sinusoidal features {@code [N, coords·embDim]} (differentiable in {@code x}). When no gradient can flow to
     * {@code x} (training inputs are data) and the backend keeps tensors on the heap, they are computed in one fused
     * host pass instead of four tensor ops (multiply, cos, sin, concat) — the same float arithmetic, bit-identical
     * ({@link Backend#hostSinCos} rounds exactly as {@code (float) Math.sin} and {@code Math.cos} do).
     */
    public Tensor features(Tensor x) {
        int n = x.dim(0);
        if (x.size() != (long) n * coords) {
            throw new IllegalArgumentException("ScalarEncoder: expects [N, " + coords + "], got " + x.shapeString());
        }
        if (!(x.requiresGrad() && io.vrfm.tensor.GradMode.isEnabled()) && x.backend().heapManaged()) {
            return fusedFeatures(x, n);
        }
        Tensor args = x.reshape(n, coords, 1).mul(freqs);
        return Tensor.concat(2, args.cos(), args.sin()).reshape(n, coords * embDim);
    }

    private synchronized Tensor fusedFeatures(Tensor x, int n) {
        int rows = n * coords;
        if (stagedInput.length < rows) {
            stagedInput = new float[rows];
        }
        if (stagedFeatures.length < rows * embDim) {
            stagedFeatures = new float[rows * embDim];
        }
        float[] xs = stagedInput;
        float[] out = stagedFeatures;
        Backend be = x.backend();
        be.download(x.buffer(), 0, xs, 0, rows);
        int half = embDim / 2;
        float[] f = hostFreqs;
        be.forHostRange(rows, SIN_COS_GRAIN, (from, to) -> {
            // the angles of up to ANGLE_ROWS rows at a time (one small array per range: a range per thread and call)
            float[] angles = new float[Math.min(ANGLE_ROWS, to - from) * half];
            for (int r0 = from; r0 < to; r0 += ANGLE_ROWS) {
                int r1 = Math.min(to, r0 + ANGLE_ROWS);
                for (int r = r0; r < r1; r++) {
                    float v = xs[r];
                    for (int k = 0; k < half; k++) {
                        angles[(r - r0) * half + k] = v * f[k];
                    }
                }
                // row r: cos of its angles, then sin (the concat order of the unfused ops)
                be.hostSinCos(angles, r1 - r0, half, out, r0 * embDim + half, out, r0 * embDim, embDim);
            }
        });
        Tensor t = Tensor.empty(be, n, coords * embDim);
        be.upload(out, 0, t.buffer(), 0, rows * embDim);
        return t;
    }

    public Tensor forward(Tensor x) {
        return mlp.forward(features(x));
    }

    public int outDim() {
        return mlp.outDim();
    }
}
