package io.vrfm.backend.cuda;

import io.vrfm.backend.Buffer;
import io.vrfm.backend.ConvShape;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.JCudaDriver;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CUDA backend: the hand-written kernels of {@code kernels/*.cu} (loaded through JCuda) plus two strategies
 * chosen once when it starts, each after a probe on the device, and named with the reasons for the rejected
 * candidates in {@link #describe()}:
 * <ul>
 *   <li>{@link GemmPath}: cuBLAS 12 through JCublas ({@code libcublas.so.12}), else cuBLAS 13 through the Foreign
 *       Function &amp; Memory API ({@code libcublas.so.13}, Java 22+), else the hand-written TF32 tensor-core kernel
 *       (when TF32 is allowed, on sm_80+), else the hand-written FP32 tiled kernel;</li>
 *   <li>{@link ConvPath}: cuDNN 9 ({@code libcudnn.so.9}; algorithms found once per shape, probed with a 1×1
 *       convolution forward and both backwards), else im2col + the chosen GEMM path.</li>
 * </ul>
 *
 * <p>Options come from the constructor or from system properties: {@code vrfm.cuda.device} (ordinal, default 0),
 * {@code vrfm.cuda.cublas} / {@code vrfm.cuda.cudnn} ({@code false} forces the hand-written fallback),
 * {@code vrfm.cuda.tf32} ({@code true} lets cuBLAS/cuDNN and the hand-written GEMM use TF32 tensor cores; default
 * off: full FP32), {@code vrfm.cuda.cublas13.library} (where cuBLAS 13 is, default {@code libcublas.so.13}).
 *
 * <p><b>This class has never run on a real GPU.</b> The kernels, the path selection and probes, and all host logic
 * it inherits from {@link KernelBackend} are verified under host emulation or with fake candidates; the
 * JCuda/cuBLAS/cuDNN calls are not, and the cuBLAS 13 binding only against a host stand-in library.
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
    /** Set once in the constructor (null only while the candidates are probed). */
    private PathChoice<GemmPath> gemm;
    private PathChoice<ConvPath> conv;

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
        try {
            cuda.makeCurrent();
            gemm = chooseGemm(options, new DeviceGemmSources());
            conv = chooseConv(options, new DeviceConvSources(), gemm.name);
        } catch (RuntimeException | Error e) {
            if (gemm != null) {
                gemm.path.close();
            }
            super.close();
            throw e;
        }
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

    /** True when GEMMs go to cuBLAS (12 or 13). */
    public boolean usesCublas() {
        return gemm.path instanceof CublasGemm || gemm.path instanceof Cublas13;
    }

    /** True when convolutions go to cuDNN. */
    public boolean usesCudnn() {
        return conv.path instanceof CudnnConv;
    }

    /** The GEMM path in use and why the ones before it were not taken; one line. */
    public String gemmPath() {
        return gemm.describe();
    }

    /** The convolution path in use and why cuDNN was not taken, if it was not; one line. */
    public String convPath() {
        return conv.path instanceof CudnnConv cd ? conv.describe() + ", cuDNN " + cd.version() : conv.describe();
    }

    @Override
    public String describe() {
        return device.describe() + "; gemm: " + gemmPath() + "; conv: " + convPath() + "; " + allocatorStats();
    }

    // ------------------------------------------------------------------ the two strategies, chosen once

    static final String CUBLAS12 = "cuBLAS 12 via JCublas", CUBLAS13 = "cuBLAS 13 via FFM",
            TF32_KERNEL = "hand-written TF32 tensor-core GEMM (WMMA)", FP32_KERNEL = "hand-written tiled FP32 SGEMM",
            CUDNN = "cuDNN", IM2COL = "im2col + ";

    /** What the GEMM candidates need from a device; a fake in the tests. */
    interface GemmSources {
        /** Compute capability as major·10 + minor (90 for sm_90). */
        int computeCapability();

        GemmPath cublas12(boolean tf32) throws Exception;

        GemmPath cublas13(boolean tf32) throws Exception;

        GemmPath tensorCoreTf32() throws Exception;

        GemmPath tiledFp32();

        /** Throws when {@code path} computes a small GEMM wrongly ({@link PathProbes#gemm}). */
        void probe(GemmPath path) throws Exception;
    }

    /** What the convolution candidates need from a device; a fake in the tests. */
    interface ConvSources {
        ConvPath cudnn() throws Exception;

        ConvPath im2col();

        /** Throws when {@code path} fails the 1×1 convolution ({@link PathProbes#conv}). */
        void probe(ConvPath path) throws Exception;
    }

    /**
     * The GEMM path: cuBLAS 12, cuBLAS 13, the TF32 tensor-core kernel (TF32 allowed, sm_80+), the FP32 tiled
     * kernel; the first that opens and passes the probe.
     */
    static PathChoice<GemmPath> chooseGemm(Options o, GemmSources s) {
        String math = o.tf32() ? " (TF32 tensor cores)" : " (FP32)";
        List<PathChoice.Candidate<GemmPath>> c = new ArrayList<>();
        if (o.useCublas()) {
            c.add(PathChoice.candidate(CUBLAS12 + math, () -> probed(s, s.cublas12(o.tf32()))));
            c.add(PathChoice.candidate(CUBLAS13 + math, () -> probed(s, s.cublas13(o.tf32()))));
        } else {
            c.add(PathChoice.ruledOut("cuBLAS", "disabled (vrfm.cuda.cublas=false)"));
        }
        int cc = s.computeCapability();
        if (!o.tf32()) {
            c.add(PathChoice.ruledOut(TF32_KERNEL, "TF32 not allowed (vrfm.cuda.tf32=false)"));
        } else if (cc < 80) {
            c.add(PathChoice.ruledOut(TF32_KERNEL, "needs sm_80 or newer, the device is sm_" + cc));
        } else {
            c.add(PathChoice.candidate(TF32_KERNEL, () -> probed(s, s.tensorCoreTf32())));
        }
        c.add(PathChoice.candidate(FP32_KERNEL, s::tiledFp32));
        return PathChoice.choose("gemm", c);
    }

    private static GemmPath probed(GemmSources s, GemmPath p) throws Exception {
        try {
            s.probe(p);
            return p;
        } catch (Exception | Error e) {
            p.close();
            throw e;
        }
    }

    /** The convolution path: cuDNN when it opens and passes the 1×1 probe, else im2col + {@code gemmName}. */
    static PathChoice<ConvPath> chooseConv(Options o, ConvSources s, String gemmName) {
        List<PathChoice.Candidate<ConvPath>> c = new ArrayList<>();
        String name = CUDNN + (o.tf32() ? " (TF32 allowed" : " (FP32") + ", algorithms found once per shape)";
        if (o.useCudnn()) {
            c.add(PathChoice.candidate(name, () -> {
                ConvPath p = s.cudnn();
                try {
                    s.probe(p);
                    return p;
                } catch (Exception | Error e) {
                    p.close();
                    throw e;
                }
            }));
        } else {
            c.add(PathChoice.ruledOut(CUDNN, "disabled (vrfm.cuda.cudnn=false)"));
        }
        c.add(PathChoice.candidate(IM2COL + gemmName, s::im2col));
        return PathChoice.choose("conv", c);
    }

    private final class DeviceGemmSources implements GemmSources {
        @Override
        public int computeCapability() {
            int[] major = {0}, minor = {0};
            JCudaDriver.cuDeviceGetAttribute(major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, cuda.device);
            JCudaDriver.cuDeviceGetAttribute(minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, cuda.device);
            return major[0] * 10 + minor[0];
        }

        @Override
        public GemmPath cublas12(boolean tf32) {
            return new CublasGemm(cuda, tf32);
        }

        @Override
        public GemmPath cublas13(boolean tf32) throws PathChoice.Unusable {
            return Cublas13.open(Cublas13.library(), NativeAddress.of(cuda.stream), tf32);
        }

        @Override
        public GemmPath tensorCoreTf32() {
            return new Tf32Gemm(cuda);
        }

        @Override
        public GemmPath tiledFp32() {
            return CudaBackend.this::gemmKernel;
        }

        @Override
        public void probe(GemmPath path) throws PathChoice.Unusable {
            PathProbes.gemm(cuda, path);
        }
    }

    private final class DeviceConvSources implements ConvSources {
        @Override
        public ConvPath cudnn() {
            return new CudnnConv(cuda, options.tf32(), CudaBackend.this::ptr);
        }

        @Override
        public ConvPath im2col() {
            return new Im2col();
        }

        @Override
        public void probe(ConvPath path) throws Exception {
            PathProbes.conv(CudaBackend.this, path);
        }
    }

    /** im2col + the chosen GEMM path: {@link KernelBackend}'s convolution. */
    private final class Im2col implements ConvPath {
        @Override
        public void forward(Buffer x, Buffer w, Buffer y, ConvShape s) {
            CudaBackend.super.conv2d(x, w, y, s);
        }

        @Override
        public void backwardData(Buffer gy, Buffer w, Buffer gx, ConvShape s) {
            CudaBackend.super.conv2dBackwardData(gy, w, gx, s);
        }

        @Override
        public void backwardFilter(Buffer x, Buffer gy, Buffer gw, ConvShape s) {
            CudaBackend.super.conv2dBackwardFilter(x, gy, gw, s);
        }
    }

    // ------------------------------------------------------------------ dispatch

    @Override
    protected void gemmRaw(boolean transA, boolean transB, int m, int n, int k, float alpha,
                           long a, int lda, long strideA, long b, int ldb, long strideB,
                           float beta, long c, long strideC, int batch) {
        if (k == 0 || gemm == null) { // k = 0 (C = beta·C) is the kernel's; null only during the start-up probes
            gemmKernel(transA, transB, m, n, k, alpha, a, lda, strideA, b, ldb, strideB, beta, c, strideC, batch);
            return;
        }
        cuda.makeCurrent();
        gemm.path.gemm(transA, transB, m, n, k, alpha, a, lda, strideA, b, ldb, strideB, beta, c, strideC, batch);
    }

    @Override
    public void conv2d(Buffer x, Buffer w, Buffer y, ConvShape s) {
        checkConv(x, w, y, s);
        conv.path.forward(x, w, y, s);
    }

    @Override
    public void conv2dBackwardData(Buffer gy, Buffer w, Buffer gx, ConvShape s) {
        checkConv(gx, w, gy, s);
        conv.path.backwardData(gy, w, gx, s);
    }

    @Override
    public void conv2dBackwardFilter(Buffer x, Buffer gy, Buffer gw, ConvShape s) {
        checkConv(x, gw, gy, s);
        conv.path.backwardFilter(x, gy, gw, s);
    }

    private void checkConv(Buffer x, Buffer w, Buffer y, ConvShape s) {
        buf(x, "conv x");
        buf(w, "conv w");
        buf(y, "conv y");
        if (x.length() < s.inputSize() || w.length() < s.weightSize() || y.length() < s.outputSize()) {
            throw new IllegalArgumentException("conv2d " + s + ": buffers of " + x.length() + " / " + w.length()
                    + " / " + y.length() + " floats, need " + s.inputSize() + " / " + s.weightSize() + " / " + s.outputSize());
        }
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
            conv.path.close();
            gemm.path.close();
        } finally {
            super.close();
        }
    }
}
