package io.vrfm.backend.cpu;

import jdk.incubator.vector.FloatVector;

import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * SGEMM on the incubating Vector API, GotoBLAS-style. For each {@code NC}-column block and {@code KC}-deep slice
 * (one parallel region per block, holding all its slices when their packed B fits 4 MiB, else one per slice),
 * {@code op(B)} is packed into {@code KC×NR} panels (zero-padded) and every worker
 * packs its own {@code MC×KC} block of {@code alpha·op(A)} into {@code MR}-row slivers, then runs the
 * {@code MR×NR} register-tiled micro-kernel over them. The B panels are packed cooperatively inside the region:
 * the first worker to need a panel claims and packs it, a worker that finds it claimed waits for it, and the workers
 * start their sweep at different panels so each packs its share. {@code beta} 0 or 1 is folded into the
 * first k-slice's stores, so C is written once per k-slice and never cleared beforehand.
 *
 * <p>The tile {@code MR × NR} and the blocking {@code KC}, {@code MC} come from the {@link SgemmTile} chosen at
 * start-up ({@link #TILE}); the micro-kernels are in {@link SgemmKernels}. This class is loaded only when
 * {@code jdk.incubator.vector} is in the boot layer.
 */
final class SgemmVector {

    private static final int L = SgemmKernels.L;
    /** The register tile for this JVM's vector species and register count (or {@code -Dvrfm.sgemm.tile}). */
    static final SgemmTile TILE = SgemmTile.select(SgemmKernels.S.vectorBitSize());
    /** Column blocks of about NC = 2048 (a whole number of panels; packed B block 2–4 MiB, in L3). */
    private static final int NC = 2048;

    /** At or below this many flops the scalar kernel is used: packing for SIMD does not pay. */
    private static final long SMALL_FLOPS = 2L * 24 * 24 * 24;
    /** Below this many flops the product runs on the calling thread. */
    private static final long PARALLEL_FLOPS = 1L << 21;
    /** What one element of an epilogue activation weighs against {@link #PARALLEL_FLOPS}, in GEMM flops. */
    private static final long ACT_FLOPS = 64;
    /** Packed B floats (4 MiB) up to which all k-slices of a product share one parallel region. */
    private static final long PACK_ALL_SLICES = 1L << 20;

    /**
     * Whether the micro-kernel reads a row-major {@code op(B)} in place instead of packing it, where it can
     * ({@link #readsBInPlace}): {@code -Dvrfm.sgemm.directB=on} always, {@code off} never, {@code auto} (default) when
     * the product runs on more than one worker and {@code m <= }{@link #DIRECT_B_MAX_M}, or when a packed panel would
     * serve at most {@link #DIRECT_B_MAX_SLIVERS} slivers. With rows split, the workers pack B's panels
     * cooperatively, each then reading half of them from the other core's cache, while each panel serves only a few
     * slivers; reading B itself (shared, read-only) was faster on a 2-core AVX-512 EPYC
     * (2 workers, JMH, two alternating pairs each): weight gradients (K = 1000) 1.4–1.6× with AVX-512 and 1.03–1.27×
     * at -XX:UseAVX=2; 256³ 1.08–1.18× (AVX2), 512³ 1.17× (AVX-512) and level (AVX2); but 1024³ 0.77–0.81× (AVX-512).
     * With columns split ({@link #splitsRows}) each worker would pack its panels for its few rows alone: the 64×256
     * weight gradient (K = 1000, 6×2 tile, 2 workers) ran at 127–134 GFLOP/s packing them, 146–152 reading B.
     * With one worker it measured no faster at the V-RFM step's shapes (within ±4%, single-thread CPU time, AVX2)
     * and slower at 256³ (−18%) and at row length 256 (−14%: power-of-two strides), except where a panel serves
     * few slivers: the 64×256 weight gradient with the 8×2 tile (8 slivers; AVX-512, one thread, CPU time, best of
     * 15, two runs) 186 / 198 GFLOP/s reading B against 155 / 169 packing it; with the 6×2 tile (11 slivers)
     * 86 / 76 against 82 / 86, so no gain there.
     */
    static final String DIRECT_B =
            System.getProperty("vrfm.sgemm.directB", "auto").trim().toLowerCase(java.util.Locale.ROOT);
    /** Most rows for which {@code auto} reads B in place (with more, each packed panel serves enough slivers). */
    static final int DIRECT_B_MAX_M = 512;
    /** Most slivers for which {@code auto} reads B in place on one worker (a packed panel would serve too few). */
    static final int DIRECT_B_MAX_SLIVERS = 8;
    /**
     * Whether the micro-kernel reads full {@code MR}-row slivers of {@code op(A)} in place instead of packing them
     * (only when {@code alpha} is 1: packing multiplies by alpha; a partial last sliver is still packed). Packing A
     * costs about {@code m·k} scalar moves against {@code m·n·k/L} vector FMAs, so it weighs most when {@code n} is
     * small: {@code -Dvrfm.sgemm.directA=auto} (default) reads A in place for {@code n <= }{@link #DIRECT_A_MAX_N},
     * {@code on} always, {@code off} never. Measured single-thread on a loaded 2-core AVX2 EPYC (thread CPU time,
     * best of 27): 1.17–1.39× at n = 64 (the V-RFM step's 1000×64×128 backward passes, 1000×256×64 forward),
     * within noise at n = 128, slower at n = 256 (0.87–0.89×). Since the in-place kernels index A from one
     * induction variable ({@link SgemmKernels}), n = 128 gains too (1000×128×128, 6×2 tile, best of 7, two runs:
     * forward 1.03–1.13×, backward data 1.18–1.23×, backward weight 1.12×), n = 256 still does not (0.91–1.07×).
     * A transposed A (a weight gradient, {@code dyᵀ·x}) is read in place at any {@code n}: its sliver's {@code MR}
     * floats of one step are adjacent, while packing it is a scalar gather; the 64×256 weight gradient (K = 1000,
     * one thread, CPU time, best of 15, two runs) 82 / 86 against 74 / 76 GFLOP/s at -XX:UseAVX=2, 155 / 169
     * against 145 / 141 with AVX-512.
     */
    static final String DIRECT_A =
            System.getProperty("vrfm.sgemm.directA", "auto").trim().toLowerCase(java.util.Locale.ROOT);
    /** Widest product for which {@code auto} reads A in place. */
    static final int DIRECT_A_MAX_N = 128;

    /** Per-thread buffers, grown on demand (small products never allocate a full block). */
    private static final ThreadLocal<float[]> B_PACK = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> A_PACK = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> T_BUF = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> EDGE = ThreadLocal.withInitial(() -> new float[0]);

    private SgemmVector() {
    }

    static boolean usable() {
        return L >= 4;
    }

    static int vectorBits() {
        return SgemmKernels.S.vectorBitSize();
    }

    static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc, CpuParallel par) {
        sgemm(TILE, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, par);
    }

    /** {@link Sgemm#sgemm} with the given register tile (tests run every tile on any machine). */
    static void sgemm(SgemmTile tile, boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc, CpuParallel par) {
        sgemm(tile, readsAInPlace(transA, n), null, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta,
                null, 0, c, cOff, ldc, null, null, par);
    }

    /**
     * {@link Sgemm#sgemm} with the given register tile, full slivers of {@code op(A)} read in place when
     * {@code directA} (and alpha is 1), {@code op(B)} read in place wherever it can be when {@code directB} (tests
     * check those paths whatever {@code -Dvrfm.sgemm.directA/directB} say).
     */
    static void sgemm(SgemmTile tile, boolean directA, boolean directB, boolean transA, boolean transB, int m, int n,
                      int k, float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc, CpuParallel par) {
        sgemm(tile, directA, directB, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, null, 0, c,
                cOff, ldc, null, null, par);
    }

    /**
     * {@link Sgemm#sgemmBias}: {@code C = alpha·op(A)·op(B) + bias} (bias broadcast over rows; null: none), the bias
     * added to each tile right after its first k-slice is stored and {@code act} applied into {@code actOut} right
     * after its last, while the tile is in L1.
     */
    static void sgemmBias(SgemmTile tile, boolean transA, boolean transB, int m, int n, int k, float alpha,
                          float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                          float[] bias, int biasOff, float[] c, int cOff, int ldc,
                          io.vrfm.backend.UnaryOp act, float[] actOut, CpuParallel par) {
        sgemm(tile, readsAInPlace(transA, n), null, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, 0f,
                bias, biasOff, c, cOff, ldc, act, actOut, par);
    }

    /**
     * The driver. With {@code bias} (then {@code beta} is 0) the result is {@code alpha·op(A)·op(B) + bias}, each
     * element summed in the same order as copying the bias into C and accumulating with {@code beta} 1 would.
     * {@code directB} null: as {@link #DIRECT_B} says ({@link #readsBInPlace(int, boolean)}).
     */
    private static void sgemm(SgemmTile tile, boolean directA, Boolean directB, boolean transA, boolean transB,
                              int m, int n, int k, float alpha,
                              float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                              float beta, float[] bias, int biasOff, float[] c, int cOff, int ldc,
                              io.vrfm.backend.UnaryOp act, float[] actOut, CpuParallel par) {
        if (m == 0 || n == 0) {
            return;
        }
        long flops = 2L * m * n * k;
        if (flops <= SMALL_FLOPS || k == 0 || alpha == 0f) {
            if (bias != null) {
                for (int i = 0; i < m; i++) {
                    System.arraycopy(bias, biasOff, c, cOff + i * ldc, n);
                }
                beta = 1f;
            }
            SgemmScalar.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, par);
            Sgemm.activateRows(act, c, actOut, cOff, m, n, ldc);
            return;
        }
        if (m > n && (n < L || transposesHalfWidth(tile, transA, n))) {
            // Few columns (a 2-D output layer, say): the NR-wide panels would be mostly padding. Compute the
            // transpose T = op(B)ᵀ·op(A)ᵀ (n×m, many columns) instead and add it back transposed.
            float[] t = buffer(T_BUF, n * m);
            sgemm(tile, directA, directB, !transB, !transA, n, m, k, alpha, b, bOff, ldb, a, aOff, lda, 0f, null, 0,
                    t, 0, m, null, null, par);
            for (int i = 0; i < m; i++) {
                int row = cOff + i * ldc;
                for (int j = 0; j < n; j++) {
                    float v = t[j * m + i];
                    c[row + j] = bias != null ? bias[biasOff + j] + v : beta == 0f ? v : beta * c[row + j] + v;
                }
            }
            Sgemm.activateRows(act, c, actOut, cOff, m, n, ldc);
            return;
        }
        if (beta != 0f && beta != 1f) {
            Sgemm.scaleC(m, n, beta, c, cOff, ldc);   // rare; beta == 0 and 1 are folded into the stores
            beta = 1f;
        }
        // An activation in the epilogue counts as ACT_FLOPS per element: a GELU costs about what 64 flops of GEMM do,
        // so a shallow product with one (1000×128 from K = 8, a latent's input layer) is worth splitting too.
        long work = flops + (act != null ? ACT_FLOPS * m * n : 0);
        int threads = (par == null || work < PARALLEL_FLOPS) ? 1 : par.threads();
        int mr = tile.rows, nr = tile.vectors * L, kcBlock = tile.kc, ncBlock = Math.max(1, NC / nr) * nr;
        int ncMax = Math.min(ncBlock, n), kcMax = Math.min(kcBlock, k);
        int panelsMax = (ncMax + nr - 1) / nr;
        int slices = (k + kcBlock - 1) / kcBlock;
        // Every k-slice in one parallel region when all their B panels fit the pack buffer side by side (a deep
        // product such as a weight gradient, K = batch): one fork/join per product instead of one per slice. Each
        // worker keeps its rows (or panels) across the slices, so every element is summed in the same order.
        int slivers = (m + mr - 1) / mr;
        boolean direct = (directB != null ? directB : readsBInPlace(m, threads, slivers))
                && readsBInPlace(tile, transB, n);
        int group = threads > 1 && (direct || (long) k * panelsMax * nr <= PACK_ALL_SLICES) ? slices : 1;
        float[] bp = direct ? null : buffer(B_PACK, Math.min(k, group * kcBlock) * panelsMax * nr);
        for (int jc = 0; jc < n; jc += ncBlock) {
            int nc = Math.min(ncBlock, n - jc);
            int panels = (nc + nr - 1) / nr;
            for (int s0 = 0; s0 < slices; s0 += group) {
                Region[] rs = new Region[Math.min(slices, s0 + group) - s0];
                int base = 0;
                for (int q = 0; q < rs.length; q++) {
                    int pc = (s0 + q) * kcBlock;
                    int kc = Math.min(kcBlock, k - pc);
                    boolean last = s0 + q == slices - 1;
                    rs[q] = new Region(tile, transA, transB, m, alpha, a, aOff, lda, b, bOff, ldb,
                            pc == 0 && beta == 0f, pc == 0 ? bias : null, biasOff, last ? act : null, actOut,
                            c, cOff, ldc, jc, nc, pc, kc, direct ? null : bp, base, directA && alpha == 1f);
                    base += kc * panels * nr;
                }
                if (threads == 1) {
                    for (Region r : rs) {
                        r.run(0, slivers, 0, panels, 0);
                    }
                } else if (splitsRows(threads, slivers, panels, directA && alpha == 1f)) {
                    // split rows: slot t takes its share of slivers and sweeps every panel, starting at its own
                    int slots = Math.min(threads, slivers);
                    par.forRange(slots, 1, (t0, t1) -> {
                        for (int t = t0; t < t1; t++) {
                            for (Region r : rs) {
                                r.run((int) ((long) slivers * t / slots), (int) ((long) slivers * (t + 1) / slots),
                                        0, panels, (int) ((long) panels * t / slots));
                            }
                        }
                    });
                } else {
                    // few rows, many columns: split panels; each worker packs the (few) rows of A itself
                    par.forRange(panels, 1, (q0, q1) -> {
                        for (Region r : rs) {
                            r.run(0, slivers, q0, q1, 0);
                        }
                    });
                }
            }
        }
    }

    /**
     * Whether a product {@code n} columns wide, at most half the tile's width, is computed as its transpose (see
     * {@link #sgemm}) beyond the narrow case {@code n < L}: where A is transposed (T's B operand is then A as stored)
     * and {@code n} fills whole slivers of T. Attention's 16-wide heads on the 8×32 tile (the weight gradient of
     * {@code V}, {@code dK}): a 256×16 product from K = 256 ran at 64-89 -> 148-154 GFLOP/s (one thread,
     * {@code SgemmCpuTime 9 bwd-weight:256x16x256}). Not where A is not transposed (T's B is then packed from a
     * transposed layout: 84-86 -> 50) nor where {@code n} leaves T's last sliver part empty (the AVX2 6×2 tile at
     * {@code n = 8}: 41-44 -> 27-29).
     */
    static boolean transposesHalfWidth(SgemmTile tile, boolean transA, int n) {
        return transA && n % tile.rows == 0 && 2 * n <= tile.vectors * L;
    }

    /**
     * Whether {@code threads} (more than one) workers split a block's rows ({@code slivers} of them) rather than its
     * {@code panels}: when each gets at least two slivers, or there are no more panels than slivers; but where
     * {@code aInPlace} (no worker packs A, so splitting panels costs no packing twice) splitting the panels wins
     * when it gives the busiest worker at least a 17th fewer micro-tiles ({@link #busiestTiles}): 11 slivers and 16
     * panels on 2 workers (the 64×256 weight gradient, K = 1000, 6×2 tile) are 6·16 = 96 tiles split by rows,
     * 11·8 = 88 by panels, and measured 125–131 against 146–152 GFLOP/s (with B read in place; -XX:UseAVX=2, JMH,
     * 2 workers). A smaller saving does not pay for each worker streaming all of A's rows: 167 slivers and 4 panels
     * (1000 rows, 64 columns) are 84·4 = 336 against 167·2 = 334.
     */
    static boolean splitsRows(int threads, int slivers, int panels, boolean aInPlace) {
        if (threads <= 1 || (slivers < 2 * threads && slivers < panels)) {
            return false;
        }
        return !aInPlace
                || 16 * busiestTiles(threads, slivers, panels) <= 17 * busiestTiles(threads, panels, slivers);
    }

    /** Micro-tiles of the busiest of {@code threads} workers sharing out {@code split} evenly, each × {@code other}. */
    private static long busiestTiles(int threads, int split, int other) {
        int slots = Math.min(threads, split);
        long most = 0;
        for (int t = 0; t < slots; t++) {
            most = Math.max(most, (long) split * (t + 1) / slots - (long) split * t / slots);
        }
        return most * other;
    }

    /** Whether a product of {@code n} columns reads full slivers of op(A) in place ({@link #DIRECT_A}). */
    static boolean readsAInPlace(boolean transA, int n) {
        return switch (DIRECT_A) {
            case "on" -> true;
            case "off" -> false;
            default -> transA || n <= DIRECT_A_MAX_N;
        };
    }

    /**
     * Whether {@link #DIRECT_B} asks for {@code op(B)} in place for a product of {@code m} rows ({@code slivers}
     * slivers) on {@code threads} workers; where it can be read in place is
     * {@link #readsBInPlace(SgemmTile, boolean, int)}'s call.
     */
    static boolean readsBInPlace(int m, int threads, int slivers) {
        return switch (DIRECT_B) {
            case "on" -> true;
            case "off" -> false;
            default -> threads > 1 && m <= DIRECT_B_MAX_M || slivers <= DIRECT_B_MAX_SLIVERS;
        };
    }

    /**
     * True when the kernel can read {@code op(B)} straight from B: B not transposed (its rows are {@code op(B)}'s
     * rows) and every panel full ({@code n} a multiple of {@code NR}, one column block), so no zero padding is
     * needed. Each element is summed in the same k order as with packed panels, so results are bit-identical.
     */
    static boolean readsBInPlace(SgemmTile tile, boolean transB, int n) {
        int nr = tile.vectors * L;
        return !transB && n % nr == 0 && n <= NC;
    }

    private static float[] buffer(ThreadLocal<float[]> cache, int size) {
        float[] buf = cache.get();
        if (buf.length < size) {
            buf = new float[size];
            cache.set(buf);
        }
        return buf;
    }

    /**
     * One (jc, pc) block: {@code C[:, jc:jc+nc] (=|+=) alpha·op(A)[:, pc:pc+kc]·op(B)[pc:pc+kc, jc:jc+nc]}, storing
     * when {@code overwrite} (first k-slice with {@code beta == 0}), accumulating otherwise.
     */
    private static final class Region {
        private static final int UNPACKED = 0, CLAIMED = 1, READY = 2, FAILED = 3;

        final SgemmTile tile;
        final int mr, nr;
        final boolean transA, transB;
        final int m;
        final float alpha;
        final float[] a;
        final int aOff, lda;
        final float[] b;
        final int bOff, ldb;
        final boolean overwrite;
        /** Added to every row after the (first-slice) store, or null. */
        final float[] bias;
        final int biasOff;
        /** Applied to every tile after its store into {@link #actOut} (the last k-slice's region), or null. */
        final io.vrfm.backend.UnaryOp act;
        final float[] actOut;
        final float[] c;
        final int cOff, ldc;
        final int jc, nc, pc, kc, panels;
        /** The packed B panels, or null when the kernel reads {@code op(B)} in place from {@link #b}. */
        final float[] bp;
        /** Where this slice's panels start in {@link #bp}. */
        final int bpBase;
        final AtomicIntegerArray state;
        /** Full slivers of {@code op(A)} are read in place (alpha is 1); only a partial last sliver is packed. */
        final boolean aInPlace;

        Region(SgemmTile tile, boolean transA, boolean transB, int m, float alpha, float[] a, int aOff, int lda,
               float[] b, int bOff, int ldb, boolean overwrite, float[] bias, int biasOff,
               io.vrfm.backend.UnaryOp act, float[] actOut, float[] c, int cOff, int ldc, int jc, int nc, int pc,
               int kc, float[] bp, int bpBase, boolean aInPlace) {
            this.aInPlace = aInPlace;
            this.tile = tile;
            this.mr = tile.rows;
            this.nr = tile.vectors * L;
            this.transA = transA;
            this.transB = transB;
            this.m = m;
            this.alpha = alpha;
            this.a = a;
            this.aOff = aOff;
            this.lda = lda;
            this.b = b;
            this.bOff = bOff;
            this.ldb = ldb;
            this.overwrite = overwrite;
            this.bias = bias;
            this.biasOff = biasOff;
            this.act = act;
            this.actOut = actOut;
            this.c = c;
            this.cOff = cOff;
            this.ldc = ldc;
            this.jc = jc;
            this.nc = nc;
            this.pc = pc;
            this.kc = kc;
            this.panels = (nc + nr - 1) / nr;
            this.bp = bp;
            this.bpBase = bpBase;
            this.state = new AtomicIntegerArray(panels);
        }

        /**
         * Makes panel {@code q} of B ready: packs it if nobody has, else waits for the worker packing it. A worker
         * that claims a panel packs it before anything else, so the wait always ends.
         */
        void ensurePanel(int q) {
            if (bp == null) {
                return;
            }
            int st = state.get(q);
            if (st == READY) {
                return;
            }
            if (st == UNPACKED && state.compareAndSet(q, UNPACKED, CLAIMED)) {
                boolean ok = false;
                try {
                    packPanel(q);
                    ok = true;
                } finally {
                    state.set(q, ok ? READY : FAILED);
                }
                return;
            }
            for (int spins = 0; (st = state.get(q)) != READY; spins++) {
                if (st == FAILED) {
                    throw new IllegalStateException("sgemm: packing a B panel failed on another worker");
                }
                if (spins < 256) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield(); // the packer may be descheduled (more threads than cores): let it run
                }
            }
        }

        /**
         * Packs {@code op(B)[pc:pc+kc, jc+q·NR : +NR]} into {@code bp[bpBase + q·kc·nr + p·nr + j]}, zero-padded.
         */
        private void packPanel(int q) {
            int j0 = q * nr;
            int w = Math.min(nr, nc - j0);
            int dst = bpBase + q * kc * nr;
            if (!transB) {
                int src = bOff + pc * ldb + jc + j0;
                if (w == nr) {
                    for (int p = 0; p < kc; p++) {
                        System.arraycopy(b, src + p * ldb, bp, dst + p * nr, nr);
                    }
                } else {
                    for (int p = 0; p < kc; p++) {
                        int d = dst + p * nr;
                        System.arraycopy(b, src + p * ldb, bp, d, w);
                        java.util.Arrays.fill(bp, d + w, d + nr, 0f);
                    }
                }
            } else {
                for (int j = 0; j < w; j++) {
                    int src = bOff + (jc + j0 + j) * ldb + pc;
                    for (int p = 0; p < kc; p++) {
                        bp[dst + p * nr + j] = b[src + p];
                    }
                }
                if (w < nr) {
                    for (int p = 0; p < kc; p++) {
                        java.util.Arrays.fill(bp, dst + p * nr + w, dst + p * nr + nr, 0f);
                    }
                }
            }
        }

        /**
         * Packs {@code alpha·op(A)[i0:i0+rows, pc:pc+kc]} into MR-row slivers {@code ap[s·kc·MR + p·MR + r]},
         * zero-padding the last sliver.
         */
        private void packA(int i0, int rows, float[] ap) {
            int slivers = (rows + mr - 1) / mr;
            for (int s = 0; s < slivers; s++) {
                int r0 = s * mr;
                int h = Math.min(mr, rows - r0);
                int dst = s * kc * mr;
                if (!transA) {
                    for (int r = 0; r < h; r++) {
                        int src = aOff + (i0 + r0 + r) * lda + pc;
                        for (int p = 0; p < kc; p++) {
                            ap[dst + p * mr + r] = alpha * a[src + p];
                        }
                    }
                } else {
                    for (int p = 0; p < kc; p++) {
                        int src = aOff + (pc + p) * lda + i0 + r0;
                        int d = dst + p * mr;
                        for (int r = 0; r < h; r++) {
                            ap[d + r] = alpha * a[src + r];
                        }
                    }
                }
                if (h < mr) {
                    for (int p = 0; p < kc; p++) {
                        for (int r = h; r < mr; r++) {
                            ap[dst + p * mr + r] = 0f;
                        }
                    }
                }
            }
        }

        /** Slivers {@code [s0, s1)} × panels {@code [q0, q1)}, the panel sweep starting at {@code qStart}. */
        void run(int s0, int s1, int q0, int q1, int qStart) {
            float[] ap = buffer(A_PACK, kc * tile.mc);
            float[] edge = buffer(EDGE, mr * nr);
            int count = q1 - q0;
            int first = Math.max(0, Math.min(count - 1, qStart - q0));
            int slPerBlock = tile.mc / mr;
            for (int sb = s0; sb < s1; sb += slPerBlock) {
                int se = Math.min(s1, sb + slPerBlock);
                int i0 = sb * mr;
                int rowsEnd = Math.min(m, se * mr);
                if (!aInPlace) {
                    packA(i0, rowsEnd - i0, ap);
                } else if (rowsEnd - (se - 1) * mr < mr) {
                    packA((se - 1) * mr, rowsEnd - (se - 1) * mr, ap);   // the partial last sliver, at ap[0]
                }
                for (int qi = 0; qi < count; qi++) {
                    int q = q0 + (first + qi) % count;
                    ensurePanel(q);
                    int j0 = q * nr;
                    int w = Math.min(nr, nc - j0);
                    int bo = bp == null ? bOff + pc * ldb + jc + j0 : bpBase + q * kc * nr;
                    for (int s = sb; s < se; s++) {
                        int i = s * mr;
                        int h = Math.min(mr, m - i);
                        int ao = (s - sb) * kc * mr;
                        int co = cOff + i * ldc + jc + j0;
                        if (aInPlace && h == mr) {
                            int ai = transA ? aOff + pc * lda + i : aOff + i * lda + pc;
                            if (w == nr) {
                                kernelA(ai, bo, c, co, ldc, overwrite);
                                if (bias != null) {
                                    addBias(co, h, w, biasOff + jc + j0);
                                }
                            } else {
                                kernelA(ai, bo, edge, 0, nr, true);
                                storeEdge(edge, co, h, w, jc + j0);
                            }
                        } else if (h == mr && w == nr) {
                            kernel(ap, aInPlace ? 0 : ao, bo, c, co, ldc, overwrite);
                            if (bias != null) {
                                addBias(co, h, w, biasOff + jc + j0);
                            }
                        } else {
                            kernel(ap, aInPlace ? 0 : ao, bo, edge, 0, nr, true);
                            storeEdge(edge, co, h, w, jc + j0);
                        }
                    }
                }
                if (act != null) {
                    activate(i0, rowsEnd, jc + q0 * nr, jc + Math.min(q1 * nr, nc));
                }
            }
        }

        /**
         * {@code actOut = act(C)} over rows {@code [i0, i1)} and columns {@code [j0, j1)} of C, once this region has
         * finished them: one pass over the block when its rows are contiguous (all of C's columns), else one per
         * row. Element-wise, so the bits are those of activating tile by tile; long spans keep the SIMD loop busy
         * (per 16-float tile row it ran at about half speed).
         */
        private void activate(int i0, int i1, int j0, int j1) {
            if (j0 == 0 && j1 == ldc) {
                UnaryMath.forward(act, c, actOut, cOff + i0 * ldc, cOff + i1 * ldc, 0f, 0f);
                return;
            }
            for (int i = i0; i < i1; i++) {
                int row = cOff + i * ldc;
                UnaryMath.forward(act, c, actOut, row + j0, row + j1, 0f, 0f);
            }
        }

        /** Stores (or adds) the first {@code h×w} of an edge tile computed into {@code edge}, plus the bias. */
        private void storeEdge(float[] edge, int co, int h, int w, int j0) {
            for (int r = 0; r < h; r++) {
                int cr = co + r * ldc;
                for (int j = 0; j < w; j++) {
                    float v = edge[r * nr + j];
                    c[cr + j] = bias != null ? v + bias[biasOff + j0 + j] : overwrite ? v : c[cr + j] + v;
                }
            }
        }

        /** One micro-tile reading a full sliver of {@code op(A)} in place from {@code a[ai]}. */
        private void kernelA(int ai, int bo, float[] cc, int co, int ldcc, boolean store) {
            float[] bs = bp != null ? bp : b;
            int ldbp = bp != null ? nr : ldb;
            if (transA) {
                switch (tile) {
                    case R8X2 -> SgemmKernels.kernel8x2AT(kc, a, ai, lda, bs, bo, ldbp, cc, co, ldcc, store);
                    case R6X2 -> SgemmKernels.kernel6x2AT(kc, a, ai, lda, bs, bo, ldbp, cc, co, ldcc, store);
                    case R4X3 -> SgemmKernels.kernel4x3AT(kc, a, ai, lda, bs, bo, ldbp, cc, co, ldcc, store);
                    default -> throw new AssertionError(tile);
                }
            } else {
                switch (tile) {
                    case R8X2 -> SgemmKernels.kernel8x2A(kc, a, ai, lda, bs, bo, ldbp, cc, co, ldcc, store);
                    case R6X2 -> SgemmKernels.kernel6x2A(kc, a, ai, lda, bs, bo, ldbp, cc, co, ldcc, store);
                    case R4X3 -> SgemmKernels.kernel4x3A(kc, a, ai, lda, bs, bo, ldbp, cc, co, ldcc, store);
                    default -> throw new AssertionError(tile);
                }
            }
        }

        /**
         * {@code C[tile] += bias[bo : bo + w]} on every row of the tile just stored (still in L1), a bias vector
         * loaded once per column group (the same additions as a scalar loop; the scalar one was 6% of a V-RFM step).
         */
        private void addBias(int co, int h, int w, int bo) {
            int j = 0;
            for (; j + L <= w; j += L) {
                FloatVector bv = FloatVector.fromArray(SgemmKernels.S, bias, bo + j);
                for (int r = 0, cr = co + j; r < h; r++, cr += ldc) {
                    SgemmKernels.V.cast(FloatVector.fromArray(SgemmKernels.S, c, cr).add(bv)).intoArray(c, cr);
                }
            }
            for (; j < w; j++) {
                for (int r = 0; r < h; r++) {
                    c[co + r * ldc + j] += bias[bo + j];
                }
            }
        }

        /** One micro-tile through the kernel of this region's tile. */
        private void kernel(float[] ap, int ao, int bo, float[] cc, int co, int ldcc, boolean store) {
            float[] bs = bp != null ? bp : b;
            int ldbp = bp != null ? nr : ldb;
            switch (tile) {
                case R8X2 -> SgemmKernels.kernel8x2(kc, ap, ao, bs, bo, ldbp, cc, co, ldcc, store);
                case R6X2 -> SgemmKernels.kernel6x2(kc, ap, ao, bs, bo, ldbp, cc, co, ldcc, store);
                case R4X3 -> SgemmKernels.kernel4x3(kc, ap, ao, bs, bo, ldbp, cc, co, ldcc, store);
                default -> throw new AssertionError(tile);
            }
        }
    }
}
