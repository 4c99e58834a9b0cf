package io.vrfm.backend.cpu;

import java.util.Locale;

/**
 * The register tile of the Vector-API SGEMM micro-kernel, {@code rows × vectors} (rows of op(A) broadcast, vectors
 * of columns of op(B) loaded), with the cache blocking that suits it. Chosen once at start-up from the vector
 * species and the number of vector registers: the accumulators, the B vectors and the broadcast must all stay in
 * registers or the kernel spills on every step.
 * <ul>
 *   <li>{@link #R8X2}: 16 accumulators + 2 + 1 = 19 registers, for 32-register machines (x86 with AVX-512, ARM).</li>
 *   <li>{@link #R6X2}: 12 + 2 + 1 = 15, for x86 with AVX2 (16 ymm registers), as in BLIS's Haswell kernel.</li>
 *   <li>{@link #R4X3}: 12 + 3 + 1 = 16, the other AVX2 shape, kept for comparison.</li>
 * </ul>
 * The system property {@code -Dvrfm.sgemm.tile=6x2} (or {@code 8x2}, {@code 4x3}) overrides the choice.
 */
enum SgemmTile {
    /** 8 rows × 2 vectors; blocking tuned on a 2-core AVX-512 Zen 4 (32 KiB L1d, 1 MiB L2). */
    R8X2(8, 2, 512, 128),
    /**
     * 6 rows × 2 vectors; blocking from the cache sizes of a Zen 3 EPYC (32 KiB L1d, 512 KiB L2), as in BLIS's
     * Haswell kernel: a 256 × 16 B panel is 16 KiB (half of L1), a 120 × 256 A block 120 KiB (in L2).
     */
    R6X2(6, 2, 256, 120),
    /** 4 rows × 3 vectors (slower than 6×2 on the AVX2 EPYC; kept to compare shapes). */
    R4X3(4, 3, 256, 128);

    /** Rows of the tile (MR). */
    final int rows;
    /** Vectors of columns of the tile (NR = vectors × species length). */
    final int vectors;
    /** Depth of a k-slice (KC): one packed B panel, {@code KC × NR}, should sit in L1. */
    final int kc;
    /** Rows of op(A) packed at once (MC, a multiple of {@link #rows}): {@code MC × KC} should sit in L2. */
    final int mc;

    SgemmTile(int rows, int vectors, int kc, int mc) {
        this.rows = rows;
        this.vectors = vectors;
        this.kc = kc;
        this.mc = mc;
    }

    /** The tile's name, {@code "ROWSxVECTORS"}, as the system property takes it. */
    String label() {
        return rows + "x" + vectors;
    }

    /**
     * Vector registers the JIT can use, guessed from the species: 512-bit vectors mean AVX-512 (32 registers);
     * narrower vectors on x86 mean AVX2 or older (16), and 32 elsewhere (AArch64 NEON/SVE). The guess errs only on
     * an AVX-512 machine started with a smaller {@code -XX:MaxVectorSize}, which then gets the 16-register tile.
     */
    static int registers(int vectorBits, String arch) {
        boolean x86 = arch.equals("amd64") || arch.equals("x86_64") || arch.equals("x86");
        return vectorBits >= 512 || !x86 ? 32 : 16;
    }

    /** The tile for this many vector registers. */
    static SgemmTile forRegisters(int registers) {
        return registers >= 32 ? R8X2 : R6X2;
    }

    /** The tile named {@code "8x2"}, {@code "6x2"} or {@code "4x3"}, or null for any other name. */
    static SgemmTile parse(String name) {
        String s = name.trim().toLowerCase(Locale.ROOT);
        for (SgemmTile t : values()) {
            if (t.label().equals(s)) {
                return t;
            }
        }
        return null;
    }

    /**
     * The tile to use: {@code -Dvrfm.sgemm.tile} when set (an unknown name is reported on one line and ignored),
     * otherwise {@link #forRegisters} of {@link #registers}.
     */
    static SgemmTile select(int vectorBits) {
        String prop = System.getProperty("vrfm.sgemm.tile");
        if (prop != null && !prop.isBlank()) {
            SgemmTile t = parse(prop);
            if (t != null) {
                return t;
            }
            System.err.println("vrfm.sgemm.tile=" + prop + " is not a tile; use 8x2, 6x2 or 4x3 (ignored, choosing"
                    + " from the CPU)");
        }
        return forRegisters(registers(vectorBits, System.getProperty("os.arch", "")));
    }
}
