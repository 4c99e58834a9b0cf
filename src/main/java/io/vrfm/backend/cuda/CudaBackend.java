package io.vrfm.backend.cuda;

import io.vrfm.backend.Buffer;
import io.vrfm.backend.ConvShape;
import jcuda.Pointer;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasMath;
import jcuda.jcublas.cublasOperation;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnConvolutionBwdDataAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionBwdFilterAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionDescriptor;
import jcuda.jcudnn.cudnnConvolutionFwdAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionMode;
import jcuda.jcudnn.cudnnDataType;
import jcuda.jcudnn.cudnnFilterDescriptor;
import jcuda.jcudnn.cudnnHandle;
import jcuda.jcudnn.cudnnMathType;
import jcuda.jcudnn.cudnnTensorDescriptor;
import jcuda.jcudnn.cudnnTensorFormat;
import jcuda.runtime.cudaStream_t;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CUDA backend: the hand-written kernels of {@code kernels/*.cu} (loaded as PTX through JCuda), GEMM through
 * cuBLAS ({@code cublasSgemmStridedBatched}) when {@code libcublas.so.12} loads, convolutions through cuDNN
 * ({@code cudnnFind*Algorithm} once per shape, cached; a grow-only workspace) when {@code libcudnn.so.9} loads,
 * and otherwise the hand-written tiled SGEMM and im2col + SGEMM. {@link #describe()} says which path each op takes.
 *
 * <p>Options come from the constructor or from system properties: {@code vrfm.cuda.device} (ordinal, default 0),
 * {@code vrfm.cuda.cublas} / {@code vrfm.cuda.cudnn} ({@code false} forces the hand-written fallback),
 * {@code vrfm.cuda.tf32} ({@code true} lets cuBLAS/cuDNN use TF32 tensor cores; default off: full FP32).
 *
 * <p><b>This class has never run on a real GPU.</b> The kernels and all host logic it inherits from
 * {@link KernelBackend} are verified under host emulation; the JCuda/cuBLAS/cuDNN calls here are not.
 */
public final class CudaBackend extends KernelBackend {

    /** How to build a backend. */
    public record Options(int device, boolean useCublas, boolean useCudnn, boolean tf32) {
        /** From the system properties (see the class comment). */
        public static Options fromSystemProperties() {
            return new Options(Integer.getInteger("vrfm.cuda.device", 0),
                    !"false".equalsIgnoreCase(System.getProperty("vrfm.cuda.cublas")),
                    !"false".equalsIgnoreCase(System.getProperty("vrfm.cuda.cudnn")),
                    Boolean.getBoolean("vrfm.cuda.tf32"));
        }

        /** Hand-written kernels only (no cuBLAS, no cuDNN): the fallback paths, for parity tests. */
        public static Options fallbackOnly() {
            return new Options(Integer.getInteger("vrfm.cuda.device", 0), false, false, false);
        }
    }

    /** Whether CUDA can be used here; {@code reason} is one line, never a stack trace. */
    public record Probe(boolean available, String reason, String device) {
        @Override
        public String toString() {
            return available ? "CUDA: available, " + device : reason;
        }
    }

    private static volatile Probe probe;

    private final Options options;
    private final CudaDevice cuda;
    private cublasHandle cublas;
    private String gemmPath;
    private cudnnHandle cudnn;
    private String convPath;
    private final Map<ConvShape, ConvPlan> plans = new HashMap<>();
    private DeviceBuffer convWorkspace;

    /** A backend on device {@code vrfm.cuda.device} with options from system properties. */
    public CudaBackend() {
        this(Options.fromSystemProperties());
    }

    public CudaBackend(Options options) {
        this(new CudaDevice(options.device()), options);
    }

    private CudaBackend(CudaDevice device, Options options) {
        super(device, "cuda");
        this.cuda = device;
        this.options = options;
        initCublas();
        initCudnn();
    }

    /**
     * Probes the driver, a device, a context and one PTX module, once per JVM. Never throws; the reason names the
     * missing piece, e.g. {@code "CUDA: libcuda.so.1 not found — no NVIDIA driver"}.
     */
    public static Probe probe() {
        Probe p = probe;
        if (p == null) {
            synchronized (CudaBackend.class) {
                if (probe == null) {
                    probe = doProbe();
                }
                p = probe;
            }
        }
        return p;
    }

    private static Probe doProbe() {
        try {
            CudaDevice d = new CudaDevice(Integer.getInteger("vrfm.cuda.device", 0));
            String desc = d.describe();
            d.close();
            return new Probe(true, "", desc);
        } catch (Throwable t) {
            return new Probe(false, "CUDA: " + reason(t), "");
        }
    }

    private static final Pattern MISSING_LIB = Pattern.compile("(lib[\\w.+-]+?\\.so[.\\d]*): cannot open shared object file");

    /** One line for why a JCuda binding or the driver failed. */
    static String reason(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = String.valueOf(c.getMessage());
            Matcher lib = MISSING_LIB.matcher(m);
            if (lib.find()) {
                String name = lib.group(1);
                String why = name.startsWith("libcuda.") ? " — no NVIDIA driver"
                        : name.startsWith("libcublas") ? " — cuBLAS for CUDA 12 not on the library path"
                        : name.startsWith("libcudnn") ? " — cuDNN 9 not on the library path" : "";
                return name + " not found" + why;
            }
            if (m.contains("CUDA_ERROR_NO_DEVICE")) {
                return "no CUDA device visible (CUDA_ERROR_NO_DEVICE)";
            }
            if (m.contains("CUDA_ERROR_INSUFFICIENT_DRIVER") || m.contains("UNSUPPORTED_PTX_VERSION")) {
                return "the NVIDIA driver is too old (the kernels' PTX ISA 9.0 needs an R580+ driver): " + firstLine(m);
            }
        }
        return t.getClass().getSimpleName() + ": " + firstLine(String.valueOf(t.getMessage()));
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    public Options options() {
        return options;
    }

    /** True when GEMMs go to cuBLAS. */
    public boolean usesCublas() {
        return cublas != null;
    }

    /** True when convolutions go to cuDNN. */
    public boolean usesCudnn() {
        return cudnn != null;
    }

    @Override
    public String describe() {
        return device.describe() + "; gemm: " + gemmPath + "; conv: " + convPath + "; " + allocatorStats();
    }

    // ------------------------------------------------------------------ cuBLAS

    private void initCublas() {
        if (!options.useCublas()) {
            gemmPath = "hand-written tiled SGEMM kernel (cuBLAS disabled)";
            return;
        }
        try {
            JCublas2.setExceptionsEnabled(true);
            cuda.makeCurrent();
            cublasHandle h = new cublasHandle();
            JCublas2.cublasCreate(h);
            JCublas2.cublasSetStream(h, new cudaStream_t(cuda.stream));
            JCublas2.cublasSetMathMode(h, options.tf32() ? cublasMath.CUBLAS_TF32_TENSOR_OP_MATH : cublasMath.CUBLAS_DEFAULT_MATH);
            cublas = h;
            gemmPath = "cuBLAS (libcublas.so.12, " + (options.tf32() ? "TF32 tensor cores" : "FP32") + ")";
        } catch (Throwable t) {
            cublas = null;
            gemmPath = "hand-written tiled SGEMM kernel (cuBLAS unavailable: " + reason(t) + ")";
        }
    }

    @Override
    protected void gemmRaw(boolean transA, boolean transB, int m, int n, int k, float alpha,
                           long a, int lda, long strideA, long b, int ldb, long strideB,
                           float beta, long c, long strideC, int batch) {
        if (cublas == null || k == 0) {
            super.gemmRaw(transA, transB, m, n, k, alpha, a, lda, strideA, b, ldb, strideB, beta, c, strideC, batch);
            return;
        }
        cuda.makeCurrent();
        // Row-major C = op(A)·op(B) is column-major Cᵀ = op(B)ᵀ·op(A)ᵀ: swap the operands, keep the flags.
        JCublas2.cublasSgemmStridedBatched(cublas,
                transB ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N,
                transA ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N,
                n, m, k, Pointer.to(new float[] {alpha}),
                cuda.ptr(b), ldb, strideB, cuda.ptr(a), lda, strideA,
                Pointer.to(new float[] {beta}), cuda.ptr(c), n, strideC, batch);
    }

    // ------------------------------------------------------------------ cuDNN

    private void initCudnn() {
        String fallback = "im2col + " + (cublas != null ? "cuBLAS" : "hand-written SGEMM");
        if (!options.useCudnn()) {
            convPath = fallback + " (cuDNN disabled)";
            return;
        }
        try {
            JCudnn.setExceptionsEnabled(true);
            cuda.makeCurrent();
            cudnnHandle h = new cudnnHandle();
            JCudnn.cudnnCreate(h);
            JCudnn.cudnnSetStream(h, new cudaStream_t(cuda.stream));
            cudnn = h;
            convPath = "cuDNN " + JCudnn.cudnnGetVersion() + " (libcudnn.so.9, algorithms found once per shape"
                    + (options.tf32() ? ", TF32 allowed" : ", FP32") + ")";
        } catch (Throwable t) {
            cudnn = null;
            convPath = fallback + " (cuDNN unavailable: " + reason(t) + ")";
        }
    }

    /** Descriptors and chosen algorithms for one geometry. */
    private final class ConvPlan {
        final cudnnTensorDescriptor x = new cudnnTensorDescriptor(), y = new cudnnTensorDescriptor();
        final cudnnFilterDescriptor w = new cudnnFilterDescriptor();
        final cudnnConvolutionDescriptor conv = new cudnnConvolutionDescriptor();
        int fwd = -1, bwdData = -1, bwdFilter = -1;
        long fwdWs, bwdDataWs, bwdFilterWs;

        ConvPlan(ConvShape s) {
            JCudnn.cudnnCreateTensorDescriptor(x);
            JCudnn.cudnnSetTensor4dDescriptor(x, cudnnTensorFormat.CUDNN_TENSOR_NCHW, cudnnDataType.CUDNN_DATA_FLOAT,
                    s.n(), s.c(), s.h(), s.w());
            JCudnn.cudnnCreateTensorDescriptor(y);
            JCudnn.cudnnSetTensor4dDescriptor(y, cudnnTensorFormat.CUDNN_TENSOR_NCHW, cudnnDataType.CUDNN_DATA_FLOAT,
                    s.n(), s.k(), s.outH(), s.outW());
            JCudnn.cudnnCreateFilterDescriptor(w);
            JCudnn.cudnnSetFilter4dDescriptor(w, cudnnDataType.CUDNN_DATA_FLOAT, cudnnTensorFormat.CUDNN_TENSOR_NCHW,
                    s.k(), s.c(), s.r(), s.s());
            JCudnn.cudnnCreateConvolutionDescriptor(conv);
            JCudnn.cudnnSetConvolution2dDescriptor(conv, s.pad(), s.pad(), s.stride(), s.stride(), 1, 1,
                    cudnnConvolutionMode.CUDNN_CROSS_CORRELATION, cudnnDataType.CUDNN_DATA_FLOAT);
            JCudnn.cudnnSetConvolutionMathType(conv,
                    options.tf32() ? cudnnMathType.CUDNN_DEFAULT_MATH : cudnnMathType.CUDNN_FMA_MATH);
        }
    }

    private static final int STATUS_OK = 0; // CUDNN_STATUS_SUCCESS

    private ConvPlan plan(ConvShape s) {
        return plans.computeIfAbsent(s, ConvPlan::new);
    }

    /** The shared workspace, grown (never shrunk) to at least {@code bytes}; 0 when none is needed. */
    private long cudnnWorkspace(long bytes, Pointer[] out) {
        if (bytes == 0) {
            out[0] = new Pointer();
            return 0;
        }
        if (convWorkspace == null || convWorkspace.length() * 4 < bytes) {
            if (convWorkspace != null) {
                allocator.release(convWorkspace.block);
            }
            convWorkspace = workspace((bytes + 3) / 4);
        }
        out[0] = cuda.ptr(convWorkspace.address());
        return bytes;
    }

    private static final Pointer ONE = Pointer.to(new float[] {1f}), ZERO = Pointer.to(new float[] {0f});

    @Override
    public void conv2d(Buffer x, Buffer w, Buffer y, ConvShape s) {
        if (cudnn == null) {
            super.conv2d(x, w, y, s);
            return;
        }
        cuda.makeCurrent();
        ConvPlan p = plan(s);
        if (p.fwd < 0) {
            int[] count = {0};
            cudnnConvolutionFwdAlgoPerf[] perf = new cudnnConvolutionFwdAlgoPerf[8];
            for (int i = 0; i < perf.length; i++) {
                perf[i] = new cudnnConvolutionFwdAlgoPerf();
            }
            JCudnn.cudnnFindConvolutionForwardAlgorithm(cudnn, p.x, p.w, p.conv, p.y, perf.length, count, perf);
            for (int i = 0; i < count[0] && p.fwd < 0; i++) {
                if (perf[i].status == STATUS_OK) {
                    p.fwd = perf[i].algo;
                    p.fwdWs = perf[i].memory;
                }
            }
            if (p.fwd < 0) {
                throw new IllegalStateException("cuDNN found no forward algorithm for " + s);
            }
        }
        Pointer[] ws = new Pointer[1];
        long wsBytes = cudnnWorkspace(p.fwdWs, ws);
        JCudnn.cudnnConvolutionForward(cudnn, ONE, p.x, cuda.ptr(ptr(x)), p.w, cuda.ptr(ptr(w)), p.conv, p.fwd,
                ws[0], wsBytes, ZERO, p.y, cuda.ptr(ptr(y)));
    }

    @Override
    public void conv2dBackwardData(Buffer gy, Buffer w, Buffer gx, ConvShape s) {
        if (cudnn == null) {
            super.conv2dBackwardData(gy, w, gx, s);
            return;
        }
        cuda.makeCurrent();
        ConvPlan p = plan(s);
        if (p.bwdData < 0) {
            int[] count = {0};
            cudnnConvolutionBwdDataAlgoPerf[] perf = new cudnnConvolutionBwdDataAlgoPerf[8];
            for (int i = 0; i < perf.length; i++) {
                perf[i] = new cudnnConvolutionBwdDataAlgoPerf();
            }
            JCudnn.cudnnFindConvolutionBackwardDataAlgorithm(cudnn, p.w, p.y, p.conv, p.x, perf.length, count, perf);
            for (int i = 0; i < count[0] && p.bwdData < 0; i++) {
                if (perf[i].status == STATUS_OK) {
                    p.bwdData = perf[i].algo;
                    p.bwdDataWs = perf[i].memory;
                }
            }
            if (p.bwdData < 0) {
                throw new IllegalStateException("cuDNN found no backward-data algorithm for " + s);
            }
        }
        Pointer[] ws = new Pointer[1];
        long wsBytes = cudnnWorkspace(p.bwdDataWs, ws);
        JCudnn.cudnnConvolutionBackwardData(cudnn, ONE, p.w, cuda.ptr(ptr(w)), p.y, cuda.ptr(ptr(gy)), p.conv, p.bwdData,
                ws[0], wsBytes, ZERO, p.x, cuda.ptr(ptr(gx)));
    }

    @Override
    public void conv2dBackwardFilter(Buffer x, Buffer gy, Buffer gw, ConvShape s) {
        if (cudnn == null) {
            super.conv2dBackwardFilter(x, gy, gw, s);
            return;
        }
        cuda.makeCurrent();
        ConvPlan p = plan(s);
        if (p.bwdFilter < 0) {
            int[] count = {0};
            cudnnConvolutionBwdFilterAlgoPerf[] perf = new cudnnConvolutionBwdFilterAlgoPerf[8];
            for (int i = 0; i < perf.length; i++) {
                perf[i] = new cudnnConvolutionBwdFilterAlgoPerf();
            }
            JCudnn.cudnnFindConvolutionBackwardFilterAlgorithm(cudnn, p.x, p.y, p.conv, p.w, perf.length, count, perf);
            for (int i = 0; i < count[0] && p.bwdFilter < 0; i++) {
                if (perf[i].status == STATUS_OK) {
                    p.bwdFilter = perf[i].algo;
                    p.bwdFilterWs = perf[i].memory;
                }
            }
            if (p.bwdFilter < 0) {
                throw new IllegalStateException("cuDNN found no backward-filter algorithm for " + s);
            }
        }
        Pointer[] ws = new Pointer[1];
        long wsBytes = cudnnWorkspace(p.bwdFilterWs, ws);
        JCudnn.cudnnConvolutionBackwardFilter(cudnn, ONE, p.x, cuda.ptr(ptr(x)), p.y, cuda.ptr(ptr(gy)), p.conv,
                p.bwdFilter, ws[0], wsBytes, ZERO, p.w, cuda.ptr(ptr(gw)));
    }

    /** Free and total device memory in bytes. */
    public long[] memoryInfo() {
        return cuda.memInfo();
    }

    @Override
    public synchronized void close() {
        try {
            cuda.makeCurrent();
            cuda.synchronize();
            if (convWorkspace != null) {
                allocator.release(convWorkspace.block);
                convWorkspace = null;
            }
            for (ConvPlan p : plans.values()) {
                JCudnn.cudnnDestroyTensorDescriptor(p.x);
                JCudnn.cudnnDestroyTensorDescriptor(p.y);
                JCudnn.cudnnDestroyFilterDescriptor(p.w);
                JCudnn.cudnnDestroyConvolutionDescriptor(p.conv);
            }
            plans.clear();
            if (cudnn != null) {
                JCudnn.cudnnDestroy(cudnn);
                cudnn = null;
            }
            if (cublas != null) {
                JCublas2.cublasDestroy(cublas);
                cublas = null;
            }
        } finally {
            super.close();
        }
    }
}
