package io.vrfm.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * GEMM through CUDA 13's cuBLAS ({@code libcublas.so.13}) with the Foreign Function &amp; Memory API (this is the
 * Java 22 layer of the multi-release jar; the Java 17 class of the same name only says "needs Java 22+").
 * It binds the few calls the engine needs: {@code cublasCreate_v2}, {@code cublasSetStream_v2},
 * {@code cublasSetMathMode}, {@code cublasSgemm_v2}, {@code cublasSgemmStridedBatched}, {@code cublasDestroy_v2}
 * and {@code cublasGetStatusString}. Device pointers and the stream are JCuda's raw addresses, passed through as
 * {@link MemorySegment} addresses; {@code alpha}/{@code beta} are host scalars (the default pointer mode).
 * The caller makes the CUDA context current. Marshalling is tested against a host stand-in library; NEVER RUN
 * AGAINST THE REAL LIBRARY ON A GPU YET.
 */
final class Cublas13 implements GemmPath {
    static final String LIBRARY_PROPERTY = "vrfm.cuda.cublas13.library";
    static final String DEFAULT_LIBRARY = "libcublas.so.13";
    static final int OP_N = 0, OP_T = 1;
    /** {@code cublasMath_t}. */
    private static final int DEFAULT_MATH = 0, TF32_TENSOR_OP_MATH = 3;
    private static final String[] STATUS = new String[17];

    static {
        STATUS[0] = "CUBLAS_STATUS_SUCCESS";
        STATUS[1] = "CUBLAS_STATUS_NOT_INITIALIZED";
        STATUS[3] = "CUBLAS_STATUS_ALLOC_FAILED";
        STATUS[7] = "CUBLAS_STATUS_INVALID_VALUE";
        STATUS[8] = "CUBLAS_STATUS_ARCH_MISMATCH";
        STATUS[11] = "CUBLAS_STATUS_MAPPING_ERROR";
        STATUS[13] = "CUBLAS_STATUS_EXECUTION_FAILED";
        STATUS[14] = "CUBLAS_STATUS_INTERNAL_ERROR";
        STATUS[15] = "CUBLAS_STATUS_NOT_SUPPORTED";
        STATUS[16] = "CUBLAS_STATUS_LICENSE_ERROR";
    }

    private final Arena arena = Arena.ofShared();
    private final MethodHandle destroy, sgemm, sgemmStrided, statusString;
    private final MemorySegment handle;
    private final MemorySegment alphaBeta;
    private boolean open;

    static String library() {
        return System.getProperty(LIBRARY_PROPERTY, DEFAULT_LIBRARY);
    }

    static Cublas13 open(String library, long stream, boolean tf32) throws PathChoice.Unusable {
        return new Cublas13(library, stream, tf32);
    }

    private Cublas13(String library, long stream, boolean tf32) throws PathChoice.Unusable {
        SymbolLookup lib;
        try {
            lib = SymbolLookup.libraryLookup(library, arena);
        } catch (IllegalArgumentException e) {
            arena.close();
            throw new PathChoice.Unusable(library + " not found — cuBLAS for CUDA 13 not on the library path");
        }
        try {
            Linker linker = Linker.nativeLinker();
            MethodHandle create = bind(library, linker, lib, "cublasCreate_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS));
            destroy = bind(library, linker, lib, "cublasDestroy_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS));
            MethodHandle setStream = bind(library, linker, lib, "cublasSetStream_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
            MethodHandle setMath = bind(library, linker, lib, "cublasSetMathMode", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
            statusString = bind(library, linker, lib, "cublasGetStatusString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
            sgemm = bind(library, linker, lib, "cublasSgemm_v2", FunctionDescriptor.of(JAVA_INT,
                    ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                    ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
            sgemmStrided = bind(library, linker, lib, "cublasSgemmStridedBatched", FunctionDescriptor.of(JAVA_INT,
                    ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                    ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, JAVA_INT, JAVA_LONG,
                    ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_INT));
            alphaBeta = arena.allocate(JAVA_FLOAT, 2);
            MemorySegment out = arena.allocate(ADDRESS);
            check("cublasCreate_v2", (int) create.invokeExact(out));
            handle = out.get(ADDRESS, 0);
            open = true;
            check("cublasSetStream_v2", (int) setStream.invokeExact(handle, MemorySegment.ofAddress(stream)));
            check("cublasSetMathMode", (int) setMath.invokeExact(handle, tf32 ? TF32_TENSOR_OP_MATH : DEFAULT_MATH));
        } catch (PathChoice.Unusable | RuntimeException | Error e) {
            close();
            throw e;
        } catch (Throwable t) {
            close();
            throw new IllegalStateException(t);
        }
    }

    private static MethodHandle bind(String library, Linker linker, SymbolLookup lib, String name, FunctionDescriptor fd)
            throws PathChoice.Unusable {
        MemorySegment sym = lib.find(name).orElseThrow(() -> new PathChoice.Unusable(
                "symbol " + name + " missing from " + library + " — not a CUDA 13 cuBLAS"));
        return linker.downcallHandle(sym, fd);
    }

    private void check(String call, int status) throws PathChoice.Unusable {
        if (status != 0) {
            throw new PathChoice.Unusable(call + " failed: " + statusName(status));
        }
    }

    /** The status's enum name, number and the library's own text. */
    String statusName(int status) {
        String name = status >= 0 && status < STATUS.length && STATUS[status] != null ? STATUS[status] : "CUBLAS_STATUS_" + status;
        String text = "";
        try {
            MemorySegment s = (MemorySegment) statusString.invokeExact(status);
            if (!s.equals(MemorySegment.NULL)) {
                text = s.reinterpret(256).getString(0);
            }
        } catch (Throwable ignored) {
            // the name and number are enough
        }
        return name + " (" + status + (text.isEmpty() || text.equals(name) ? "" : ": " + text) + ")";
    }

    long handleAddress() {
        return handle.address();
    }

    synchronized void sgemm(int opA, int opB, int m, int n, int k, float alpha, long a, int lda, long b, int ldb,
                            float beta, long c, int ldc) {
        alphaBeta.setAtIndex(JAVA_FLOAT, 0, alpha);
        alphaBeta.setAtIndex(JAVA_FLOAT, 1, beta);
        int status;
        try {
            status = (int) sgemm.invokeExact(handle, opA, opB, m, n, k, alphaBeta,
                    MemorySegment.ofAddress(a), lda, MemorySegment.ofAddress(b), ldb,
                    alphaBeta.asSlice(4), MemorySegment.ofAddress(c), ldc);
        } catch (Throwable t) {
            throw new IllegalStateException("cublasSgemm_v2: " + t, t);
        }
        fail("cublasSgemm_v2", status, m, n, k);
    }

    synchronized void sgemmStridedBatched(int opA, int opB, int m, int n, int k, float alpha, long a, int lda, long strideA,
                                          long b, int ldb, long strideB, float beta, long c, int ldc, long strideC, int batch) {
        alphaBeta.setAtIndex(JAVA_FLOAT, 0, alpha);
        alphaBeta.setAtIndex(JAVA_FLOAT, 1, beta);
        int status;
        try {
            status = (int) sgemmStrided.invokeExact(handle, opA, opB, m, n, k, alphaBeta,
                    MemorySegment.ofAddress(a), lda, strideA, MemorySegment.ofAddress(b), ldb, strideB,
                    alphaBeta.asSlice(4), MemorySegment.ofAddress(c), ldc, strideC, batch);
        } catch (Throwable t) {
            throw new IllegalStateException("cublasSgemmStridedBatched: " + t, t);
        }
        fail("cublasSgemmStridedBatched", status, m, n, k);
    }

    private void fail(String call, int status, int m, int n, int k) {
        if (status != 0) {
            throw new IllegalStateException(call + " (m=" + m + ", n=" + n + ", k=" + k + ") failed: " + statusName(status));
        }
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     long a, int lda, long strideA, long b, int ldb, long strideB,
                     float beta, long c, long strideC, int batch) {
        // Row-major C = op(A)·op(B) is column-major Cᵀ = op(B)ᵀ·op(A)ᵀ: swap the operands, keep the flags.
        int opB = transB ? OP_T : OP_N, opA = transA ? OP_T : OP_N;
        if (batch == 1) {
            sgemm(opB, opA, n, m, k, alpha, b, ldb, a, lda, beta, c, n);
        } else {
            sgemmStridedBatched(opB, opA, n, m, k, alpha, b, ldb, strideB, a, lda, strideA, beta, c, n, strideC, batch);
        }
    }

    @Override
    public synchronized void close() {
        if (open) {
            open = false;
            try {
                int status = (int) destroy.invokeExact(handle);
            } catch (Throwable ignored) {
                // closing: nothing left to do
            }
        }
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
