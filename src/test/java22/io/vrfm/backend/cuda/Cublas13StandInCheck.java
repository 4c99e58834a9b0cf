package io.vrfm.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Random;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Runs the FFM cuBLAS 13 binding ({@link Cublas13}, Java 22 layer) against the host stand-in
 * {@code libcublas.so.13} (src/test/native/cublas13_standin.cpp) and checks every result against a double-precision
 * reference: all transpose cases, padded leading dimensions (ldc too, through the column-major entry points),
 * batch strides, alpha/beta (beta 0 over NaN), the stream and math mode reaching the handle, TF32 math, status
 * strings, handle release, and the one-line reasons for a missing library or symbol. Started in a Java 22+ JVM
 * by {@code Cublas13StandInTest}; prints {@code OK <n> cases} and exits 0, or prints the failure and exits 1.
 * Argument: the library to open (omit it to load {@code libcublas.so.13} through the loader's search path).
 */
public final class Cublas13StandInCheck {
    private static final long STREAM = 0x5eed_0000L;
    private static int cases;
    private static MethodHandle stream, mathMode, live, sgemmCalls, stridedCalls;

    public static void main(String[] args) throws Throwable {
        String library = args.length > 0 ? args[0] : Cublas13.DEFAULT_LIBRARY;
        try (Arena hooks = Arena.ofConfined()) {
            SymbolLookup lib = SymbolLookup.libraryLookup(library, hooks);
            Linker l = Linker.nativeLinker();
            stream = l.downcallHandle(lib.find("standin_stream").orElseThrow(), FunctionDescriptor.of(ADDRESS, ADDRESS));
            mathMode = l.downcallHandle(lib.find("standin_math_mode").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS));
            live = l.downcallHandle(lib.find("standin_live_handles").orElseThrow(), FunctionDescriptor.of(JAVA_INT));
            sgemmCalls = l.downcallHandle(lib.find("standin_sgemm_calls").orElseThrow(), FunctionDescriptor.of(JAVA_INT));
            stridedCalls = l.downcallHandle(lib.find("standin_strided_calls").orElseThrow(), FunctionDescriptor.of(JAVA_INT));
            run(library);
        } catch (AssertionError e) {
            System.out.println("FAIL: " + e.getMessage());
            System.exit(1);
        }
        System.out.println("OK " + cases + " cases");
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
        cases++;
    }

    private static void run(String library) throws Throwable {
        Cublas13 fp32 = Cublas13.open(library, STREAM, false);
        check(((MemorySegment) stream.invokeExact(MemorySegment.ofAddress(fp32.handleAddress()))).address() == STREAM,
                "cublasSetStream_v2 did not receive JCuda's stream address");
        check((int) mathMode.invokeExact(MemorySegment.ofAddress(fp32.handleAddress())) == 0, "FP32: math mode not CUBLAS_DEFAULT_MATH");
        Random rnd = new Random(42);
        int[][] sizes = {{1, 1, 1}, {5, 7, 3}, {17, 9, 33}, {4, 1, 6}};
        for (int[] mnk : sizes) {
            for (int t = 0; t < 4; t++) {
                for (int pad : new int[] {0, 3}) {
                    for (int batch : new int[] {1, 3}) {
                        for (float[] ab : new float[][] {{1f, 0f}, {0.5f, -2f}}) {
                            rowMajor(fp32, rnd, (t & 1) != 0, (t & 2) != 0, mnk[0], mnk[1], mnk[2], pad, batch, ab[0], ab[1], false);
                        }
                    }
                }
                columnMajor(fp32, rnd, (t & 1) != 0, (t & 2) != 0, mnk[0], mnk[1], mnk[2]);
            }
        }
        check((int) sgemmCalls.invokeExact() > 0 && (int) stridedCalls.invokeExact() > 0,
                "batch 1 should use cublasSgemm_v2 and batch > 1 cublasSgemmStridedBatched");

        try (Arena a = Arena.ofConfined()) { // lda 2 < m 4: the library's status reaches the message
            MemorySegment buf = a.allocate(JAVA_FLOAT, 64);
            fp32.sgemm(Cublas13.OP_N, Cublas13.OP_N, 4, 2, 3, 1f, buf.address(), 2, buf.address(), 3, 0f, buf.address(), 4);
            check(false, "an invalid lda was accepted");
        } catch (IllegalStateException e) {
            check(e.getMessage().startsWith("cublasSgemm_v2 (m=4, n=2, k=3) failed: CUBLAS_STATUS_INVALID_VALUE (7: stand-in: an unsupported value"),
                    "status message: " + e.getMessage());
        }

        Cublas13 tf32 = Cublas13.open(library, 0L, true);
        check((int) mathMode.invokeExact(MemorySegment.ofAddress(tf32.handleAddress())) == 3, "TF32: math mode not CUBLAS_TF32_TENSOR_OP_MATH");
        check(((MemorySegment) stream.invokeExact(MemorySegment.ofAddress(tf32.handleAddress()))).address() == 0, "default stream");
        rowMajor(tf32, rnd, true, false, 9, 11, 40, 1, 2, 1f, 0f, true);
        check((int) live.invokeExact() == 2, "two live handles");
        fp32.close();
        tf32.close();
        fp32.close(); // idempotent
        check((int) live.invokeExact() == 0, "cublasDestroy_v2 not called for every handle");

        try {
            Cublas13.open("/nonexistent/libcublas.so.13", 0L, false);
            check(false, "a missing library opened");
        } catch (PathChoice.Unusable e) {
            check(e.getMessage().equals("/nonexistent/libcublas.so.13 not found — cuBLAS for CUDA 13 not on the library path"),
                    "missing library: " + e.getMessage());
        }
        try {
            Cublas13.open("libm.so.6", 0L, false);
            check(false, "a library without cuBLAS symbols opened");
        } catch (PathChoice.Unusable e) {
            check(e.getMessage().equals("symbol cublasCreate_v2 missing from libm.so.6 — not a CUDA 13 cuBLAS"),
                    "missing symbol: " + e.getMessage());
        }
    }

    static float tf32(float x) {
        int u = Float.floatToRawIntBits(x);
        if ((u & 0x7f800000) != 0x7f800000) {
            u = (u + 0x1000) & 0xffffe000;
        }
        return Float.intBitsToFloat(u);
    }

    /** Row-major {@link Cublas13#gemm} (the engine's entry) with padded lda/ldb, padded batch strides and guard cells. */
    private static void rowMajor(Cublas13 blas, Random rnd, boolean tA, boolean tB, int m, int n, int k, int pad,
                                 int batch, float alpha, float beta, boolean roundTf32) {
        int aRows = tA ? k : m, aCols = tA ? m : k, bRows = tB ? n : k, bCols = tB ? k : n;
        int lda = aCols + pad, ldb = bCols + pad;
        long sA = (long) aRows * lda + 5, sB = (long) bRows * ldb + 2, sC = (long) m * n + 3;
        String label = "row-major tA=" + tA + " tB=" + tB + " m=" + m + " n=" + n + " k=" + k + " pad=" + pad
                + " batch=" + batch + " alpha=" + alpha + " beta=" + beta + (roundTf32 ? " TF32" : "");
        try (Arena arena = Arena.ofConfined()) {
            float[] a = random(rnd, (int) (sA * batch)), b = random(rnd, (int) (sB * batch));
            float[] c = random(rnd, (int) (sC * batch));
            if (beta == 0f) {
                java.util.Arrays.fill(c, Float.NaN); // beta 0 must not read C
            }
            MemorySegment da = arena.allocateFrom(JAVA_FLOAT, a), db = arena.allocateFrom(JAVA_FLOAT, b);
            MemorySegment dc = arena.allocateFrom(JAVA_FLOAT, c);
            blas.gemm(tA, tB, m, n, k, alpha, da.address(), lda, sA, db.address(), ldb, sB, beta, dc.address(), sC, batch);
            float[] got = dc.toArray(JAVA_FLOAT);
            for (int z = 0; z < batch; z++) {
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double s = 0, mag = 0, s32 = 0;
                        for (int p = 0; p < k; p++) {
                            float av = tA ? a[(int) (z * sA + (long) p * lda + i)] : a[(int) (z * sA + (long) i * lda + p)];
                            float bv = tB ? b[(int) (z * sB + (long) j * ldb + p)] : b[(int) (z * sB + (long) p * ldb + j)];
                            s32 += (double) av * bv;
                            if (roundTf32) {
                                av = tf32(av);
                                bv = tf32(bv);
                            }
                            s += (double) av * bv;
                            mag += Math.abs((double) av * bv);
                        }
                        int e = (int) (z * sC + (long) i * n + j);
                        double want = alpha * s + (beta == 0f ? 0 : beta * c[e]);
                        double tol = 1e-5 * (Math.abs(alpha) * mag + (beta == 0f ? 0 : Math.abs(beta * c[e]))) + 1e-6;
                        check(Math.abs(got[e] - want) <= tol, label + ": C[" + z + "][" + i + "," + j + "] = " + got[e] + ", want " + want);
                        if (roundTf32 && i == 0 && j == 0) {
                            check(Math.abs(s - s32) > 1e-6 * mag, label + ": inputs not sensitive to TF32 rounding");
                        }
                    }
                }
                for (long g = z * sC + (long) m * n; g < (z + 1) * sC; g++) { // the padding between batches
                    check(Float.compare(got[(int) g], c[(int) g]) == 0, label + ": wrote past C's batch at " + g);
                }
            }
        }
    }

    /** The column-major entry points directly, with ldc > m. */
    private static void columnMajor(Cublas13 blas, Random rnd, boolean tA, boolean tB, int m, int n, int k) {
        int lda = (tA ? k : m) + 2, ldb = (tB ? n : k) + 1, ldc = m + 4;
        int aCols = tA ? m : k, bCols = tB ? k : n;
        String label = "column-major tA=" + tA + " tB=" + tB + " m=" + m + " n=" + n + " k=" + k;
        try (Arena arena = Arena.ofConfined()) {
            float[] a = random(rnd, lda * aCols), b = random(rnd, ldb * bCols), c = random(rnd, ldc * n * 2);
            MemorySegment da = arena.allocateFrom(JAVA_FLOAT, a), db = arena.allocateFrom(JAVA_FLOAT, b);
            MemorySegment dc = arena.allocateFrom(JAVA_FLOAT, c);
            int opA = tA ? Cublas13.OP_T : Cublas13.OP_N, opB = tB ? Cublas13.OP_T : Cublas13.OP_N;
            blas.sgemm(opA, opB, m, n, k, 1.5f, da.address(), lda, db.address(), ldb, 0.25f, dc.address(), ldc);
            // the second half of C: batch 2 with stride 0 for A and B gives the same product twice
            blas.sgemmStridedBatched(opA, opB, m, n, k, 1.5f, da.address(), lda, 0, db.address(), ldb, 0, 0.25f,
                    dc.address() + 4L * ldc * n, ldc, 0, 1);
            float[] got = dc.toArray(JAVA_FLOAT);
            for (int half = 0; half < 2; half++) {
                for (int j = 0; j < n; j++) {
                    for (int i = 0; i < ldc; i++) {
                        int e = half * ldc * n + j * ldc + i;
                        if (i >= m) {
                            check(Float.compare(got[e], c[e]) == 0, label + ": wrote into ldc padding at " + e);
                            continue;
                        }
                        double s = 0, mag = 0;
                        for (int p = 0; p < k; p++) {
                            float av = tA ? a[i * lda + p] : a[p * lda + i];
                            float bv = tB ? b[p * ldb + j] : b[j * ldb + p];
                            s += (double) av * bv;
                            mag += Math.abs((double) av * bv);
                        }
                        double want = 1.5 * s + 0.25 * c[e];
                        check(Math.abs(got[e] - want) <= 1e-5 * (1.5 * mag + Math.abs(0.25 * c[e])) + 1e-6,
                                label + ": C[" + i + "," + j + "] (half " + half + ") = " + got[e] + ", want " + want);
                    }
                }
            }
        }
    }

    private static float[] random(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }
}
