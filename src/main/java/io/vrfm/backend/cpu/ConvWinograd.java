package io.vrfm.backend.cpu;

import io.vrfm.backend.ConvShape;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;

import java.util.Arrays;

import static io.vrfm.backend.cpu.SgemmKernels.L;
import static io.vrfm.backend.cpu.SgemmKernels.S;

/**
 * 3×3 stride-1 convolution by Winograd's minimal filtering F(2×2, 3×3) (Lavin and Gray, 2016): each 2×2 block of
 * output pixels ("tile") comes from a 4×4 window of the padded input, and the 36 multiplications per tile and
 * channel pair of a direct convolution become 16, one per point ξ of the 4×4 transform domain:
 * {@code y_tile = Aᵀ [ Σ_c (G g_kc Gᵀ) ⊙ (Bᵀ d_c B) ] A}. Per ξ the sum over input channels is a GEMM,
 * {@code M[ξ][k][tile] = Σ_c U[ξ][k][c] · V[ξ][c][tile]}, run by the SGEMM's in-place micro-kernel ({@link #MR}
 * rows) on the transformed weight U (in place, rows {@code k}) and the transformed input V (written by the input
 * transform straight into {@link #NR}-column panels): 2.25 times fewer multiply-adds than {@link ConvShiftedGemm}.
 *
 * <p>Tiles are vector lanes. The padded image is split into its four phases (even/odd rows × even/odd columns),
 * each a {@code (TY+1) × (TX+1)} plane; tile {@code (ty, tx)} is "virtual tile" {@code j = ty·(TX+1) + tx}, and its
 * window element {@code (a, b)} is phase {@code (a mod 2, b mod 2)} at {@code j + ⌊a/2⌋·(TX+1) + ⌊b/2⌋}: one shift
 * per element, the same for every tile, so the input transform runs on whole vectors of tiles. One virtual tile
 * per tile row ({@code tx = TX}) is computed and dropped. The split into phases, and the output phases' interleaving
 * back into rows, move L/2 column pairs per vector by lane permutation ({@link #splitRow}, {@link #interleave}).
 * <ul>
 *   <li>Forward: as above; the output transform gives the four phases of the output per vector of tiles, which are
 *       then written out interleaved.</li>
 *   <li>Backward data: the forward transform of the zero-padded output gradient ({@code pad' = 2 - pad}) with the
 *       weight flipped in both kernel axes and its channel axes swapped (the full correlation).</li>
 *   <li>Backward filter: the adjoint of the forward pass in U: {@code ∂U[ξ][k][c] = Σ_tiles (A gy_tile Aᵀ)[ξ]
 *       · V[ξ][c][tile]} (a GEMM over tiles, V in place as rows {@code c}, the transformed output gradient in
 *       {@code NR}-column panels of {@code k}), then {@code gw = Gᵀ ∂U G}.</li>
 * </ul>
 * The transforms' constants are 0, ±1 and ±½, so the results differ from the direct convolution by float rounding
 * only (the sums are taken in another order). Work is cut into blocks of tiles whose V and M fit in the L2 cache; the
 * blocks of all images are split across the workers in order. Loaded only when {@code jdk.incubator.vector} is in
 * the boot layer.
 */
final class ConvWinograd {

    /**
     * Rows of the register tile: the SGEMM's ({@link SgemmVector#TILE}), 8 where there are 32 vector registers
     * ({@link SgemmKernels#kernel8x2A}), else 6 ({@link SgemmKernels#kernel6x2A}).
     */
    static final int MR = SgemmVector.TILE == SgemmTile.R8X2 ? 8 : 6;
    /** Columns of the register tile: two vectors of tiles (forward) or of output channels (backward filter). */
    static final int NR = 2 * L;
    /** Points of the transform domain. */
    private static final int XI = 16;
    /** Budget of a block's V and M together, floats (512 KiB). */
    private static final int BLOCK_FLOATS = 1 << 17;
    /** The same for the backward-filter pass (1 MiB): its GEMMs sum over a block's tiles; longer sums, fewer C updates. */
    private static final int FILTER_BLOCK_FLOATS = 1 << 18;
    /** Below this many flops a pass runs on the calling thread. */
    private static final long PARALLEL_FLOPS = 1L << 21;
    /** Largest per-thread buffer kept between calls (floats: 16 MiB). */
    private static final int KEPT = 1 << 22;

    private static final ThreadScratch PHASES = new ThreadScratch(KEPT), INPUT = new ThreadScratch(KEPT);
    private static final ThreadScratch PRODUCT = new ThreadScratch(KEPT), GRADIENT = new ThreadScratch(KEPT);
    private static final ThreadScratch WEIGHT = new ThreadScratch(KEPT);

    private ConvWinograd() {
    }

    /**
     * Whether this path computes the passes of a convolution with this geometry: a 3×3 kernel, stride 1, a padding
     * of at most 2 (backward data pads by {@code 2 - pad}), and at least {@code minChannels} channels on both sides
     * (with few channels the transforms cost more than the multiplications they save).
     */
    static boolean handles(ConvShape s, int minChannels) {
        return s.r() == 3 && s.s() == 3 && s.stride() == 1 && s.pad() <= 2 && s.outH() >= 1 && s.outW() >= 1
                && s.c() >= minChannels && s.k() >= minChannels;
    }

    /** The tiling of one Winograd product: {@code cin} channels of {@code h × w}, padded by {@code pad}. */
    private static final class Tiles {
        final int cin, h, w, pad, cout, oh, ow, ohw;
        /** Tiles per column and per row; the phase planes' width ({@code TX + 1}). */
        final int ty, tx, px;
        /** Virtual tiles {@code TY·PX}, their panels of {@link #NR}; floats per phase plane (with a zero tail). */
        final int tiles, panels, plane;
        /** Output channels rounded up to the register tile's rows; input channels likewise (backward filter). */
        final int coutPad, cinPad;
        /** Panels per block; blocks per image. */
        final int blockPanels, blocks;

        Tiles(int cin, int h, int w, int pad, int cout, int budget) {
            this.cin = cin;
            this.h = h;
            this.w = w;
            this.pad = pad;
            this.cout = cout;
            oh = h + 2 * pad - 2;
            ow = w + 2 * pad - 2;
            ohw = oh * ow;
            ty = (oh + 1) / 2;
            tx = (ow + 1) / 2;
            px = tx + 1;
            tiles = ty * px;
            panels = (tiles + NR - 1) / NR;
            // a vector of tiles from j reads the phases up to j + PX + 1 + L - 1; j < panels·NR. L more: the split's
            // vector stores run up to L - 1 floats past a row's end (splitPhases)
            plane = panels * NR + px + 1 + L;
            coutPad = (cout + MR - 1) / MR * MR;
            cinPad = (cin + MR - 1) / MR * MR;
            int perPanel = XI * (cinPad + coutPad) * NR;
            blockPanels = Math.max(1, Math.min(panels, budget / perPanel));
            blocks = (panels + blockPanels - 1) / blockPanels;
        }

        /** Floats of a block's tile range: {@code blockPanels·NR}. */
        int blockWidth() {
            return blockPanels * NR;
        }

        /** Multiply-adds ×2 of one image's products (padding rows and wasted tiles included). */
        long flops() {
            return 2L * XI * panels * NR * (long) cin * coutPad;
        }
    }

    // ---- forward and backward data --------------------------------------------------------------------------------

    /** {@code y = conv(x, w)}: x {@code [n, c, h, w]}, w {@code [k, c, 3, 3]}, y {@code [n, k, oh, ow]}. */
    static void forward(float[] x, float[] wt, float[] y, ConvShape s, CpuParallel par) {
        Tiles t = new Tiles(s.c(), s.h(), s.w(), s.pad(), s.k(), BLOCK_FLOATS);
        float[] u = transformWeight(wt, s.k(), s.c(), t.coutPad, false, par);
        product(x, s.c() * s.h() * s.w(), t, u, y, s.k() * s.outH() * s.outW(), s.n(), par);
    }

    /** {@code gx = conv_backward_data(gy, w)}: the full correlation of gy with the flipped, transposed weight. */
    static void backwardData(float[] gy, float[] wt, float[] gx, ConvShape s, CpuParallel par) {
        Tiles t = new Tiles(s.k(), s.outH(), s.outW(), 2 - s.pad(), s.c(), BLOCK_FLOATS);
        if (t.oh != s.h() || t.ow != s.w()) {
            throw new IllegalStateException("conv2d backward data: full correlation gives " + t.oh + "x" + t.ow
                    + " for input " + s.h() + "x" + s.w());
        }
        float[] u = transformWeight(wt, s.k(), s.c(), t.coutPad, true, par);
        product(gy, s.k() * s.outH() * s.outW(), t, u, gx, s.c() * s.h() * s.w(), s.n(), par);
    }

    /**
     * {@code U[ξ][o][i] = (G g Gᵀ)[ξ]} with {@code g} the 3×3 kernel from input channel {@code i} to output channel
     * {@code o}: {@code wt[o, i]}, or (flipped, for backward data) {@code wt[i, o]} rotated by 180°. Rows past the
     * output channels, up to {@code outPad}, are zero. The output channels are split across the workers (with
     * {@link ConvShiftedGemm}'s weight packing: 9-15 ms of a small UNet's 210-370 ms training step on the calling
     * thread, the other worker idle; 6.5-11 ms on both, UnetStepBench's step alternating both ways in one JVM).
     */
    private static float[] transformWeight(float[] wt, int k, int c, int outPad, boolean flipped, CpuParallel par) {
        int cout = flipped ? c : k, cin = flipped ? k : c;
        // the calling thread's buffer: it waits in product() while the workers read it, and its next call comes after
        float[] u = WEIGHT.get(XI * outPad * cin);
        for (int xi = 0; xi < XI; xi++) {
            Arrays.fill(u, (xi * outPad + cout) * cin, (xi + 1) * outPad * cin, 0f);
        }
        CpuParallel.forRangeOn(par, cout, Math.max(1, WEIGHT_GRAIN / cin), (lo, hi) -> {
            transformWeightRows(wt, c, cin, outPad, flipped, u, lo, hi);
        });
        return u;
    }

    /** Kernels per chunk of a weight transform (its few dozen float operations each). */
    private static final int WEIGHT_GRAIN = 1024;

    /** {@link #transformWeight}'s output channels {@code [o0, o1)}. */
    private static void transformWeightRows(float[] wt, int c, int cin, int outPad, boolean flipped, float[] u,
                                            int o0, int o1) {
        float[] g = new float[9];
        for (int o = o0; o < o1; o++) {
            for (int i = 0; i < cin; i++) {
                for (int e = 0; e < 9; e++) {
                    g[e] = flipped ? wt[(i * c + o) * 9 + 8 - e] : wt[(o * c + i) * 9 + e];
                }
                int at = o * cin + i, stride = outPad * cin;
                // rows: G g (4×3), then columns: (G g) Gᵀ (4×4); G = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1]
                for (int a = 0; a < 4; a++) {
                    float r0, r1, r2;
                    switch (a) {
                        case 0 -> { r0 = g[0]; r1 = g[1]; r2 = g[2]; }
                        case 1 -> { r0 = 0.5f * (g[0] + g[3] + g[6]); r1 = 0.5f * (g[1] + g[4] + g[7]);
                            r2 = 0.5f * (g[2] + g[5] + g[8]); }
                        case 2 -> { r0 = 0.5f * (g[0] - g[3] + g[6]); r1 = 0.5f * (g[1] - g[4] + g[7]);
                            r2 = 0.5f * (g[2] - g[5] + g[8]); }
                        default -> { r0 = g[6]; r1 = g[7]; r2 = g[8]; }
                    }
                    u[(a * 4) * stride + at] = r0;
                    u[(a * 4 + 1) * stride + at] = 0.5f * (r0 + r1 + r2);
                    u[(a * 4 + 2) * stride + at] = 0.5f * (r0 - r1 + r2);
                    u[(a * 4 + 3) * stride + at] = r2;
                }
            }
        }
    }

    /** {@code out[img] = Winograd product of in[img]} for every image, the blocks split across the workers. */
    private static void product(float[] in, int inSize, Tiles t, float[] u, float[] out, int outSize, int n,
                                CpuParallel par) {
        int units = n * t.blocks;
        CpuParallel.RangeBody body = (lo, hi) -> {
            int phasesOf = -1;
            float[] phases = null;
            for (int unit = lo; unit < hi; unit++) {
                int img = unit / t.blocks, block = unit % t.blocks;
                if (img != phasesOf) {
                    phases = splitPhases(in, img * inSize, t);
                    phasesOf = img;
                }
                productBlock(phases, t, u, block, out, img * outSize);
            }
        };
        if (par == null || par.threads() == 1 || t.flops() * n < PARALLEL_FLOPS) {
            body.run(0, units);
        } else {
            par.forRange(units, 1, body);
        }
    }

    /** One block of tiles of one image: input transform, 16 GEMMs, output transform. */
    private static void productBlock(float[] phases, Tiles t, float[] u, int block, float[] out, int outOff) {
        int bw = t.blockWidth(), j0 = block * bw;
        int width = Math.min(bw, t.panels * NR - j0), nb = width / NR;
        int cin = t.cin, coutPad = t.coutPad;
        int xiStride = skew(t.blockPanels * cin * NR);
        float[] v = INPUT.get(XI * xiStride);
        for (int c = 0; c < cin; c++) {
            transformInput(phases, t, c, j0, width, v, xiStride, cin * NR, NR);
        }
        int mStride = skew(coutPad * bw);
        float[] m = PRODUCT.get(XI * mStride + 4 * bw + L);   // + L: scatterOutput's vector reads
        for (int xi = 0; xi < XI; xi++) {
            int uo = xi * coutPad * cin, vo = xi * xiStride, mo = xi * mStride;
            for (int q = 0; q < nb; q++) {
                for (int k0 = 0; k0 < coutPad; k0 += MR) {
                    tile(cin, u, uo + k0 * cin, cin, v, vo + q * cin * NR, m, mo + k0 * bw + q * NR, bw, true);
                }
            }
        }
        int ys = XI * mStride;
        for (int k = 0; k < t.cout; k++) {
            transformOutput(m, k * bw, mStride, width, m, ys, bw);
            scatterOutput(m, ys, bw, t, j0, width, out, outOff + k * t.ohw);
        }
    }

    /**
     * The zero-padded image at {@code in[inOff:]} split into its four phases: {@code phases[(φ·cin + c)·plane + i]}
     * with {@code φ = 2·(y mod 2) + (x mod 2)} and {@code i = ⌊y/2⌋·PX + ⌊x/2⌋} for padded pixel {@code (y, x)};
     * each plane's tail is zero.
     */
    private static float[] splitPhases(float[] in, int inOff, Tiles t) {
        int cin = t.cin, plane = t.plane, px = t.px, h = t.h, w = t.w, pad = t.pad;
        float[] ph = PHASES.get(4 * cin * plane);
        int rows = t.ty + 1;
        for (int c = 0; c < cin; c++) {
            int src = inOff + c * h * w;
            for (int y = 0; y < 2 * rows; y++) {
                int iy = y - pad;
                int even = ((y & 1) * 2 * cin + c) * plane + (y >> 1) * px, odd = even + cin * plane;
                if (iy < 0 || iy >= h) {
                    Arrays.fill(ph, even, even + px, 0f);
                    Arrays.fill(ph, odd, odd + px, 0f);
                    continue;
                }
                int row = src + iy * w - pad;   // padded column x is in[row + x]
                // columns 2i and 2i + 1 both inside the image for i in [lo, hi)
                int lo = (pad + 1) / 2, hi = Math.max(lo, Math.min(px, (w + pad) / 2));
                for (int i = 0; i < lo; i++) {
                    ph[even + i] = edge(in, row, 2 * i, pad, w);
                    ph[odd + i] = edge(in, row, 2 * i + 1, pad, w);
                }
                for (int i = splitRow(in, row, ph, even, odd, lo, hi); i < hi; i++) {
                    ph[even + i] = in[row + 2 * i];
                    ph[odd + i] = in[row + 2 * i + 1];
                }
                for (int i = hi; i < px; i++) {
                    ph[even + i] = edge(in, row, 2 * i, pad, w);
                    ph[odd + i] = edge(in, row, 2 * i + 1, pad, w);
                }
            }
        }
        for (int f = 0; f < 4 * cin; f++) {
            Arrays.fill(ph, f * plane + rows * px, (f + 1) * plane, 0f);
        }
        return ph;
    }

    /** Lanes {@code 0, 2, …, L-2, 1, 3, …, L-1}: a vector of L/2 column pairs as its evens, then its odds. */
    private static final VectorShuffle<Float> EVENS_FIRST = deinterleave(0);
    /** Lanes {@code 1, 3, …, L-1, 0, 2, …}: the odds first. */
    private static final VectorShuffle<Float> ODDS_FIRST = deinterleave(1);
    /** Lanes {@code 0, 0, 1, 1, …}: each of the first L/2 lanes twice. */
    private static final VectorShuffle<Float> PAIRS = VectorShuffle.fromOp(S, i -> i / 2);
    /** The odd lanes. */
    private static final VectorMask<Float> ODD_LANES = VectorMask.fromLong(S, 0xAAAAAAAAAAAAAAAAL);

    private static VectorShuffle<Float> deinterleave(int first) {
        return VectorShuffle.fromOp(S, i -> i < L / 2 ? 2 * i + first : 2 * (i - L / 2) + 1 - first);
    }

    /**
     * Columns {@code 2i} and {@code 2i + 1} of {@code in[row:]} into {@code ph[even + i]} and {@code ph[odd + i]}
     * for {@code i} from {@code lo} towards {@code hi}, L/2 pairs per vector (one lane permutation each), while a
     * vector's load stays inside {@code in}; returns the first {@code i} it did not copy (the caller copies the
     * rest of {@code [lo, hi)} one pair at a time). Each store writes L floats, the L/2 past its pairs junk: the next
     * store, the caller's columns from {@code hi}, the plane's next row or its zero tail overwrite them, so the rows
     * of a plane must be split in order and a plane needs L - 1 floats after its last row ({@link Tiles#plane}).
     * Bit-identical to the pair-at-a-time copy (ConvWinogradVectorTest).
     */
    static int splitRow(float[] in, int row, float[] ph, int even, int odd, int lo, int hi) {
        int i = lo;
        for (int end = Math.min(hi, Math.floorDiv(in.length - L - row, 2) + 1); i < end; i += L / 2) {
            FloatVector v = FloatVector.fromArray(S, in, row + 2 * i);
            SgemmKernels.V.cast(v.rearrange(EVENS_FIRST)).intoArray(ph, even + i);
            SgemmKernels.V.cast(v.rearrange(ODDS_FIRST)).intoArray(ph, odd + i);
        }
        return Math.min(i, hi);
    }

    /** Padded column {@code x} of the row whose padded column 0 is {@code in[row]}: zero outside the image. */
    private static float edge(float[] in, int row, int x, int pad, int w) {
        return x >= pad && x < w + pad ? in[row + x] : 0f;
    }

    /**
     * {@code V = Bᵀ d B} of channel {@code c} for the tiles {@code [j0, j0 + width)}, a vector of tiles at a time,
     * stored at {@code v[ξ·xiStride + (r / NR)·panelStride + c·channelStride + r mod NR]} for block tile {@code r};
     * {@code Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]}.
     */
    private static void transformInput(float[] ph, Tiles t, int c, int j0, int width, float[] v, int xiStride,
                                       int panelStride, int channelStride) {
        int px = t.px, cin = t.cin, plane = t.plane;
        int p00 = c * plane, p01 = (cin + c) * plane, p10 = (2 * cin + c) * plane, p11 = (3 * cin + c) * plane;
        // window row a: phase row a mod 2 shifted by ⌊a/2⌋·PX, its columns b from the even/odd phase shifted by ⌊b/2⌋
        int e0 = p00, o0 = p01, e1 = p10, o1 = p11, e2 = p00 + px, o2 = p01 + px, e3 = p10 + px, o3 = p11 + px;
        for (int r = 0; r < width; r += L) {
            int j = j0 + r;
            int o = (r / NR) * panelStride + c * channelStride + r % NR;
            // row i of Bᵀ d (d0 - d2, d1 + d2, d2 - d1, d1 - d3), then times B: one call per row (all sixteen
            // window vectors in one loop body left C2's inlining budget short: vector ops ran boxed)
            inputRow(ph, e0 + j, o0 + j, e2 + j, o2 + j, false, v, o, xiStride);
            inputRow(ph, e1 + j, o1 + j, e2 + j, o2 + j, true, v, o + 4 * xiStride, xiStride);
            inputRow(ph, e2 + j, o2 + j, e1 + j, o1 + j, false, v, o + 8 * xiStride, xiStride);
            inputRow(ph, e1 + j, o1 + j, e3 + j, o3 + j, false, v, o + 12 * xiStride, xiStride);
        }
    }

    /**
     * One row of {@code Bᵀ d B}: the window rows {@code x ± y} (x's columns 0..3 at {@code ph[xe], ph[xo], ph[xe+1],
     * ph[xo+1]}, y's likewise), times B: {@code [e0 - e2, e1 + e2, e2 - e1, e1 - e3]}, four points ξ apart.
     */
    private static void inputRow(float[] ph, int xe, int xo, int ye, int yo, boolean add, float[] v, int o,
                                 int xiStride) {
        FloatVector x0 = FloatVector.fromArray(S, ph, xe), x1 = FloatVector.fromArray(S, ph, xo);
        FloatVector x2 = FloatVector.fromArray(S, ph, xe + 1), x3 = FloatVector.fromArray(S, ph, xo + 1);
        FloatVector y0 = FloatVector.fromArray(S, ph, ye), y1 = FloatVector.fromArray(S, ph, yo);
        FloatVector y2 = FloatVector.fromArray(S, ph, ye + 1), y3 = FloatVector.fromArray(S, ph, yo + 1);
        FloatVector q0 = add ? x0.add(y0) : x0.sub(y0), q1 = add ? x1.add(y1) : x1.sub(y1);
        FloatVector q2 = add ? x2.add(y2) : x2.sub(y2), q3 = add ? x3.add(y3) : x3.sub(y3);
        SgemmKernels.V.cast(q0.sub(q2)).intoArray(v, o);
        SgemmKernels.V.cast(q1.add(q2)).intoArray(v, o + xiStride);
        SgemmKernels.V.cast(q2.sub(q1)).intoArray(v, o + 2 * xiStride);
        SgemmKernels.V.cast(q1.sub(q3)).intoArray(v, o + 3 * xiStride);
    }

    /**
     * {@code Y = Aᵀ M A} for one output channel: {@code m[mo + ξ·xiStride + r]} → the four output phases at
     * {@code y[yo + (2u + v)·bw + r]}, {@code Aᵀ = [1 1 1 0; 0 1 -1 -1]}.
     */
    private static void transformOutput(float[] m, int mo, int xiStride, int width, float[] y, int yo, int bw) {
        for (int r = 0; r < width; r += L) {
            int o = mo + r;
            // s_u,j = Σ_i Aᵀ[u][i] M[i][j] for each column j of the 4×4 M
            FloatVector m0 = FloatVector.fromArray(S, m, o), m4 = FloatVector.fromArray(S, m, o + 4 * xiStride);
            FloatVector m8 = FloatVector.fromArray(S, m, o + 8 * xiStride);
            FloatVector m12 = FloatVector.fromArray(S, m, o + 12 * xiStride);
            FloatVector s00 = m0.add(m4).add(m8), s10 = m4.sub(m8).sub(m12);
            FloatVector m1 = FloatVector.fromArray(S, m, o + xiStride);
            FloatVector m5 = FloatVector.fromArray(S, m, o + 5 * xiStride);
            FloatVector m9 = FloatVector.fromArray(S, m, o + 9 * xiStride);
            FloatVector m13 = FloatVector.fromArray(S, m, o + 13 * xiStride);
            FloatVector s01 = m1.add(m5).add(m9), s11 = m5.sub(m9).sub(m13);
            FloatVector m2 = FloatVector.fromArray(S, m, o + 2 * xiStride);
            FloatVector m6 = FloatVector.fromArray(S, m, o + 6 * xiStride);
            FloatVector m10 = FloatVector.fromArray(S, m, o + 10 * xiStride);
            FloatVector m14 = FloatVector.fromArray(S, m, o + 14 * xiStride);
            FloatVector s02 = m2.add(m6).add(m10), s12 = m6.sub(m10).sub(m14);
            FloatVector m3 = FloatVector.fromArray(S, m, o + 3 * xiStride);
            FloatVector m7 = FloatVector.fromArray(S, m, o + 7 * xiStride);
            FloatVector m11 = FloatVector.fromArray(S, m, o + 11 * xiStride);
            FloatVector m15 = FloatVector.fromArray(S, m, o + 15 * xiStride);
            FloatVector s03 = m3.add(m7).add(m11), s13 = m7.sub(m11).sub(m15);
            int q = yo + r;
            SgemmKernels.V.cast(s00.add(s01).add(s02)).intoArray(y, q);
            SgemmKernels.V.cast(s01.sub(s02).sub(s03)).intoArray(y, q + bw);
            SgemmKernels.V.cast(s10.add(s11).add(s12)).intoArray(y, q + 2 * bw);
            SgemmKernels.V.cast(s11.sub(s12).sub(s13)).intoArray(y, q + 3 * bw);
        }
    }

    /** The block's output phases ({@code y[yo + (2u + v)·bw + r]}) interleaved into the channel's plane {@code out[o:]}. */
    private static void scatterOutput(float[] y, int yo, int bw, Tiles t, int j0, int width, float[] out, int o) {
        int px = t.px, ow = t.ow, oh = t.oh, pairs = ow / 2;
        int end = Math.min(j0 + width, t.tiles);
        for (int ty = j0 / px; ty * px < end; ty++) {
            int lo = Math.max(0, j0 - ty * px), hi = Math.min(t.tx, end - ty * px);
            int oy = 2 * ty, row = o + oy * ow, src = yo + ty * px - j0;
            boolean second = oy + 1 < oh;
            int full = Math.min(hi, pairs);
            for (int i = interleave(y, src, src + bw, out, row, lo, full); i < full; i++) {
                out[row + 2 * i] = y[src + i];
                out[row + 2 * i + 1] = y[src + bw + i];
            }
            if (hi > pairs && lo <= pairs) {    // odd width: the last tile's left column only
                out[row + 2 * pairs] = y[src + pairs];
            }
            if (!second) {
                continue;
            }
            row += ow;
            for (int i = interleave(y, src + 2 * bw, src + 3 * bw, out, row, lo, full); i < full; i++) {
                out[row + 2 * i] = y[src + 2 * bw + i];
                out[row + 2 * i + 1] = y[src + 3 * bw + i];
            }
            if (hi > pairs && lo <= pairs) {
                out[row + 2 * pairs] = y[src + 2 * bw + pairs];
            }
        }
    }

    /**
     * {@code out[row + 2i] = y[e + i]}, {@code out[row + 2i + 1] = y[o + i]} for {@code i} from {@code lo}, L/2 pairs
     * per vector (two lane permutations and a blend), while a whole vector's pairs lie before {@code full}: it writes
     * nothing else (other workers write the columns around); returns the first {@code i} it did not write. Reads up
     * to L/2 floats past {@code y[o + full - 1]}.
     */
    static int interleave(float[] y, int e, int o, float[] out, int row, int lo, int full) {
        int i = lo;
        for (; i + L / 2 <= full; i += L / 2) {
            FloatVector ev = FloatVector.fromArray(S, y, e + i).rearrange(PAIRS);
            FloatVector ov = FloatVector.fromArray(S, y, o + i).rearrange(PAIRS);
            SgemmKernels.V.cast(ev.blend(ov, ODD_LANES)).intoArray(out, row + 2 * i);
        }
        return i;
    }

    /**
     * {@code C[0:MR, 0:NR] (= | +=) Σ_p A[r][p] · B[p]}: A's row {@code r} of step {@code p} at {@code ao + p + r·ars},
     * B an {@code NR}-column panel.
     */
    private static void tile(int kc, float[] a, int ao, int ars, float[] b, int bo, float[] c, int co, int ldc,
                             boolean overwrite) {
        if (MR == 8) {
            SgemmKernels.kernel8x2A(kc, a, ao, ars, b, bo, NR, c, co, ldc, overwrite);
        } else {
            SgemmKernels.kernel6x2A(kc, a, ao, ars, b, bo, NR, c, co, ldc, overwrite);
        }
    }

    // ---- backward filter ------------------------------------------------------------------------------------------

    /** {@code gw = conv_backward_filter(x, gy)}, summed over the batch. */
    static void backwardFilter(float[] x, float[] gy, float[] gw, ConvShape s, CpuParallel par) {
        Tiles t = new Tiles(s.c(), s.h(), s.w(), s.pad(), s.k(), FILTER_BLOCK_FLOATS);
        int n = s.n(), inSize = s.c() * s.h() * s.w(), outSize = s.k() * t.ohw;
        int kPanels = (s.k() + NR - 1) / NR, accSize = XI * t.cinPad * kPanels * NR;
        int units = n * t.blocks;
        int parts = par == null || par.threads() == 1 || t.flops() * n < PARALLEL_FLOPS
                ? 1 : Math.min(par.threads(), units);
        float[][] partial = new float[parts][];
        CpuParallel.RangeBody body = (lo, hi) -> {
            for (int part = lo; part < hi; part++) {
                float[] acc = new float[accSize];
                int u0 = (int) ((long) units * part / parts), u1 = (int) ((long) units * (part + 1) / parts);
                int phasesOf = -1;
                float[] phases = null, gt = null;
                for (int unit = u0; unit < u1; unit++) {
                    int img = unit / t.blocks, block = unit % t.blocks;
                    if (img != phasesOf) {
                        phases = splitPhases(x, img * inSize, t);
                        gt = transposeGradient(gy, img * outSize, t, kPanels);
                        phasesOf = img;
                    }
                    filterBlock(phases, gt, t, kPanels, block, acc);
                }
                partial[part] = acc;
            }
        };
        if (parts == 1) {
            body.run(0, 1);
        } else {
            par.forRange(parts, 1, body);
        }
        int xiStride = t.cinPad * kPanels * NR, kpad = kPanels * NR;
        CpuParallel.forRangeOn(parts == 1 ? null : par, s.k(), Math.max(1, WEIGHT_GRAIN / s.c()),
                (lo, hi) -> untransformWeight(partial, xiStride, kpad, lo, hi, s.c(), gw));
    }

    /**
     * The image's output gradient by phase, channels last: {@code gt[(φ·panels·NR + j)·kpad + k]} for output pixel
     * {@code (2·ty + u, 2·tx + v)} of virtual tile {@code j}, {@code φ = 2u + v}; zero on wasted tiles, pixels past
     * the edge and padded channels.
     */
    private static float[] transposeGradient(float[] gy, int gyOff, Tiles t, int kPanels) {
        int kpad = kPanels * NR, span = t.panels * NR, cout = t.cout, ohw = t.ohw, ow = t.ow, px = t.px;
        float[] gt = GRADIENT.get(4 * span * kpad);
        // one run of channels per (phase, tile), read down the channels of one pixel (its cache lines serve the next
        // pixels too); every float written once, padding included
        for (int phase = 0; phase < 4; phase++) {
            int u = phase >> 1, v = phase & 1;
            for (int ty = 0; ty < t.ty; ty++) {
                int oy = 2 * ty + u;
                for (int tx = 0; tx < px; tx++) {
                    int ox = 2 * tx + v, dst = (phase * span + ty * px + tx) * kpad;
                    if (oy < t.oh && ox < ow && tx < t.tx) {
                        for (int k = 0, src = gyOff + oy * ow + ox; k < cout; k++, src += ohw) {
                            gt[dst + k] = gy[src];
                        }
                        Arrays.fill(gt, dst + cout, dst + kpad, 0f);
                    } else {
                        Arrays.fill(gt, dst, dst + kpad, 0f);
                    }
                }
            }
            Arrays.fill(gt, (phase * span + t.tiles) * kpad, (phase + 1) * span * kpad, 0f);
        }
        return gt;
    }

    /** One block of one image: {@code acc[ξ][c][k] += Σ_tiles V[ξ][c][tile] · (A gy_tile Aᵀ)[ξ][k][tile]}. */
    private static void filterBlock(float[] phases, float[] gt, Tiles t, int kPanels, int block, float[] acc) {
        int bw = t.blockWidth(), j0 = block * bw;
        int width = Math.min(bw, t.panels * NR - j0);
        int cin = t.cin, cinPad = t.cinPad, kpad = kPanels * NR;
        // V as rows of channels: v[ξ·cinPad·bw + c·bw + r]; the padding rows zero
        int xiStride = skew(cinPad * bw);
        float[] v = INPUT.get(XI * xiStride);
        for (int c = 0; c < cin; c++) {
            transformInput(phases, t, c, j0, width, v, xiStride, NR, bw);
        }
        for (int xi = 0; xi < XI; xi++) {
            Arrays.fill(v, xi * xiStride + cin * bw, xi * xiStride + cinPad * bw, 0f);
        }
        // (A g Aᵀ) in NR-column panels of output channels: b[ξ·gStride + (q·bw + r)·NR + k mod NR]
        int gStride = skew(kPanels * bw * NR);
        float[] b = PRODUCT.get(XI * gStride);
        int span = t.panels * NR;
        for (int r = 0; r < width; r++) {
            transformGradient(gt, (j0 + r) * kpad, span * kpad, kpad, b, r * NR, bw * NR, gStride);
        }
        for (int xi = 0; xi < XI; xi++) {
            for (int q = 0; q < kPanels; q++) {
                int bo = xi * gStride + q * bw * NR;
                for (int c0 = 0; c0 < cinPad; c0 += MR) {
                    tile(width, v, xi * xiStride + c0 * bw, bw, b, bo, acc, (xi * cinPad + c0) * kpad + q * NR, kpad,
                            false);
                }
            }
        }
    }

    /**
     * {@code A g Aᵀ} of one tile, a vector of output channels at a time: {@code g_uv = gt[go + φ·phaseStride + k]},
     * stored at {@code b[bo + ξ·xiStride + (k / NR)·panelStride + k mod NR]}; {@code A = [1 0; 1 1; 1 -1; 0 -1]}.
     */
    private static void transformGradient(float[] gt, int go, int phaseStride, int kpad, float[] b, int bo,
                                          int panelStride, int xiStride) {
        for (int k = 0; k < kpad; k += L) {
            int i = go + k;
            FloatVector g00 = FloatVector.fromArray(S, gt, i);
            FloatVector g01 = FloatVector.fromArray(S, gt, i + phaseStride);
            FloatVector g10 = FloatVector.fromArray(S, gt, i + 2 * phaseStride);
            FloatVector g11 = FloatVector.fromArray(S, gt, i + 3 * phaseStride);
            int o = bo + (k / NR) * panelStride + k % NR;
            // rows of A g: [g0; g0 + g1; g0 - g1; -g1] (g_u the rows of the 2×2 tile), each then times Aᵀ
            storeGradientRow(g00, g01, b, o, xiStride);
            storeGradientRow(g00.add(g10), g01.add(g11), b, o + 4 * xiStride, xiStride);
            storeGradientRow(g00.sub(g10), g01.sub(g11), b, o + 8 * xiStride, xiStride);
            storeGradientRow(g10.neg(), g11.neg(), b, o + 12 * xiStride, xiStride);
        }
    }

    /** Row {@code (e0, e1)} of {@code A g} times Aᵀ: {@code [e0, e0 + e1, e0 - e1, -e1]}, four points ξ apart. */
    private static void storeGradientRow(FloatVector e0, FloatVector e1, float[] b, int o, int xiStride) {
        SgemmKernels.V.cast(e0).intoArray(b, o);
        SgemmKernels.V.cast(e0.add(e1)).intoArray(b, o + xiStride);
        SgemmKernels.V.cast(e0.sub(e1)).intoArray(b, o + 2 * xiStride);
        SgemmKernels.V.cast(e1.neg()).intoArray(b, o + 3 * xiStride);
    }

    /**
     * {@code gw[k, c] = Gᵀ ∂U[·][c][k] G} (3×3 from 4×4), the gradient of {@link #transformWeight}, for output
     * channels {@code [o0, o1)}; {@code ∂U} is the sum of the workers' partial sums, added in worker order.
     */
    private static void untransformWeight(float[][] partial, int xiStride, int kpad, int o0, int o1, int c,
                                          float[] gw) {
        float[] d = new float[16];
        for (int o = o0; o < o1; o++) {
            for (int i = 0; i < c; i++) {
                for (int xi = 0; xi < XI; xi++) {
                    int at = xi * xiStride + i * kpad + o;
                    float sum = partial[0][at];
                    for (int p = 1; p < partial.length; p++) {
                        sum += partial[p][at];
                    }
                    d[xi] = sum;
                }
                int dst = (o * c + i) * 9;
                // Gᵀ = [1 ½ ½ 0; 0 ½ -½ 0; 0 ½ ½ 1]: rows first (3×4), then columns (3×3)
                for (int a = 0; a < 3; a++) {
                    float e0, e1, e2, e3;
                    switch (a) {
                        case 0 -> { e0 = d[0] + 0.5f * (d[4] + d[8]); e1 = d[1] + 0.5f * (d[5] + d[9]);
                            e2 = d[2] + 0.5f * (d[6] + d[10]); e3 = d[3] + 0.5f * (d[7] + d[11]); }
                        case 1 -> { e0 = 0.5f * (d[4] - d[8]); e1 = 0.5f * (d[5] - d[9]);
                            e2 = 0.5f * (d[6] - d[10]); e3 = 0.5f * (d[7] - d[11]); }
                        default -> { e0 = 0.5f * (d[4] + d[8]) + d[12]; e1 = 0.5f * (d[5] + d[9]) + d[13];
                            e2 = 0.5f * (d[6] + d[10]) + d[14]; e3 = 0.5f * (d[7] + d[11]) + d[15]; }
                    }
                    gw[dst + a * 3] = e0 + 0.5f * (e1 + e2);
                    gw[dst + a * 3 + 1] = 0.5f * (e1 - e2);
                    gw[dst + a * 3 + 2] = 0.5f * (e1 + e2) + e3;
                }
            }
        }
    }

    /**
     * A stride between the 16 points' matrices: {@code floats} rounded up to a cache line, plus one line where that
     * is a multiple of 1 KiB. The transforms touch all 16 at the same offset; 8 KiB apart (64 channels × 32 tiles)
     * they all fell into one L1 set.
     */
    private static int skew(int floats) {
        int s = (floats + 15) / 16 * 16;
        return s % 256 == 0 ? s + 16 : s;
    }

}
