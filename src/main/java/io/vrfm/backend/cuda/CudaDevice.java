package io.vrfm.backend.cuda;

import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUfunction;
import jcuda.driver.CUjit_option;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;
import jcuda.driver.JITOptions;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static jcuda.driver.JCudaDriver.*;

/**
 * A CUDA GPU through the JCuda driver API: the device's primary context (shared with cuBLAS and cuDNN, made
 * current on every calling thread), one stream, the kernel modules, and a pinned staging buffer for asynchronous
 * uploads. Kernels load from the fatbin resources ({@code /io/vrfm/kernels/*.fatbin}: sm_80 and sm_90 cubins plus
 * compute_75 PTX) with the JIT error log enabled, and fall back to the PTX resources per family when a fatbin
 * does not load ({@code -Dvrfm.cuda.kernels=ptx} forces PTX).
 *
 * <p>Errors: a failed launch is named by {@link KernelBackend} ({@link KernelLaunchException}). With
 * {@code CUDA_LAUNCH_BLOCKING=1} in the environment or {@code -Dvrfm.cuda.syncEachLaunch=true}, every launch
 * waits for its kernel, so a fault is reported by the launch that caused it. Otherwise a fault surfaces at the
 * next synchronising call, whose error names the last kernel queued. A sticky error (the context is lost, e.g.
 * {@code CUDA_ERROR_ILLEGAL_ADDRESS}) is remembered: every later call fails at once with the first error.
 *
 * <p>NEVER RUN ON A REAL GPU YET: written against the JCuda 12.6 API without a device to try it on.
 */
final class CudaDevice implements Device {
    /**
     * Kernel families (kernels/&lt;family&gt;.cu), each a fatbin and a PTX resource; the order of
     * kernels/README.md, which {@link KernelBackend}'s sections follow.
     */
    static final List<String> FAMILIES = List.of(
            "elementwise", "reduce", "random", "norm", "softmax", "embed", "im2col", "gemm", "gemm_tf32", "adam",
            "attention", "flow");
    private static final Pattern ENTRY = Pattern.compile("\\.entry\\s+(\\w+)\\s*\\(");
    /** Transfers up to this size go through the pinned staging buffer (asynchronous upload). */
    private static final long STAGE_MAX = 32L << 20;

    /** Exposes the address JCuda stores in a device pointer. */
    static final class DevPtr extends CUdeviceptr {
        long address() {
            return getNativePointer() + getByteOffset();
        }
    }

    final CUdevice device = new CUdevice();
    final CUcontext context = new CUcontext();
    final CUstream stream = new CUstream();
    final int ordinal;
    private final ThreadLocal<Boolean> current = ThreadLocal.withInitial(() -> false);
    private final Map<String, CUmodule> moduleOf = new HashMap<>();
    private final List<CUmodule> modules = new ArrayList<>();
    private final Map<String, CUfunction> functions = new HashMap<>();
    private final NavigableMap<Long, CUdeviceptr> allocations = new TreeMap<>();
    private final String description;
    private Pointer stage;
    private FloatBuffer stageFloats;
    private long stageBytes;
    private final CUevent stageFree = new CUevent();
    private boolean stagePending;
    private boolean closed;
    /** How the kernels were loaded (for {@link #describe()}). */
    private String kernelForm = "?";
    /** Wait for every kernel in {@link #launch} (CUDA_LAUNCH_BLOCKING=1 or -Dvrfm.cuda.syncEachLaunch=true). */
    private final boolean syncEachLaunch = "1".equals(System.getenv("CUDA_LAUNCH_BLOCKING"))
            || Boolean.getBoolean("vrfm.cuda.syncEachLaunch");
    /** The last kernel queued, with its launch shape (named in asynchronous errors). */
    private String lastKernel = "none";
    /** The first sticky error: once set, the context is unusable and every call fails with it. */
    private String lost;

    CudaDevice(int ordinal) {
        this.ordinal = ordinal;
        JCudaDriver.setExceptionsEnabled(true);
        cuInit(0);
        int[] count = {0};
        cuDeviceGetCount(count);
        if (ordinal >= count[0]) {
            throw new IllegalStateException("CUDA device " + ordinal + " requested, " + count[0] + " present");
        }
        cuDeviceGet(device, ordinal);
        cuDevicePrimaryCtxRetain(context, device);
        try {
            makeCurrent();
            cuStreamCreate(stream, CUstream_flags.CU_STREAM_DEFAULT);
            cuEventCreate(stageFree, jcuda.driver.CUevent_flags.CU_EVENT_DISABLE_TIMING);
            loadModules();
        } catch (RuntimeException | Error e) {
            for (CUmodule m : modules) {
                cuModuleUnload(m);
            }
            cuDevicePrimaryCtxRelease(device); // do not leave the context retained after a failed start
            throw e;
        }
        byte[] name = new byte[256];
        cuDeviceGetName(name, name.length, device);
        String devName = new String(name, StandardCharsets.US_ASCII).trim().replace("\0", "");
        int[] major = {0}, minor = {0}, driver = {0};
        cuDeviceGetAttribute(major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device);
        cuDeviceGetAttribute(minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device);
        cuDriverGetVersion(driver);
        long[] total = {0};
        cuDeviceTotalMem(total, device);
        description = String.format("%s (sm_%d%d, %.1f GiB), CUDA driver %d.%d", devName, major[0], minor[0],
                total[0] / (double) (1L << 30), driver[0] / 1000, (driver[0] % 1000) / 10);
    }

    private void loadModules() {
        boolean ptxOnly = "ptx".equalsIgnoreCase(System.getProperty("vrfm.cuda.kernels", "fatbin"));
        List<String> fellBack = new ArrayList<>();
        for (String family : FAMILIES) {
            String ptx = readPtx(family);
            byte[] fatbin = ptxOnly ? null : readResource(family + ".fatbin");
            CUmodule module = null;
            if (fatbin != null) {
                try {
                    module = loadImage(fatbin);
                } catch (CudaException e) {
                    fellBack.add(family + ": " + e.getMessage());
                }
            } else if (!ptxOnly) {
                fellBack.add(family + ": no fatbin resource");
            }
            if (module == null) {
                try {
                    module = loadImage((ptx + "\0").getBytes(StandardCharsets.US_ASCII));
                } catch (CudaException e) {
                    throw new IllegalStateException("loading kernels " + family + ".ptx failed: " + e.getMessage()
                            + (String.valueOf(e.getMessage()).contains("PTX") ? " (the PTX is ISA 9.0 from CUDA 13: it needs an R580 or newer driver)" : ""), e);
                }
            }
            modules.add(module);
            Matcher m = ENTRY.matcher(ptx);
            while (m.find()) {
                moduleOf.put(m.group(1), module);
            }
        }
        kernelForm = ptxOnly ? "PTX (JIT, forced by -Dvrfm.cuda.kernels=ptx)"
                : fellBack.isEmpty() ? "fatbin (sm_80/sm_90 cubins, compute_75 PTX)"
                : fellBack.size() == FAMILIES.size() ? "PTX (JIT; every fatbin failed, first: " + fellBack.get(0) + ")"
                : "fatbin, PTX for " + fellBack;
    }

    /**
     * Loads a fatbin or a NUL-terminated PTX image through {@code cuModuleLoadDataEx} (JCuda's
     * {@code cuModuleLoadDataJIT}) with the JIT error and info logs enabled; a failure carries the JIT error log.
     */
    private static CUmodule loadImage(byte[] image) {
        int logSize = 16 << 10;
        JITOptions jit = new JITOptions();
        jit.putBytes(CUjit_option.CU_JIT_ERROR_LOG_BUFFER, new byte[logSize]);
        jit.putInt(CUjit_option.CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES, logSize);
        jit.putBytes(CUjit_option.CU_JIT_INFO_LOG_BUFFER, new byte[logSize]);
        jit.putInt(CUjit_option.CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES, logSize);
        CUmodule module = new CUmodule();
        try {
            cuModuleLoadDataJIT(module, Pointer.to(image), jit);
        } catch (CudaException e) {
            String log = jitLog(jit, CUjit_option.CU_JIT_ERROR_LOG_BUFFER);
            throw new CudaException(e.getMessage() + (log.isEmpty() ? "" : "; JIT error log: " + log), e);
        }
        return module;
    }

    private static String jitLog(JITOptions jit, int option) {
        try {
            String log = jit.getString(option);
            return log == null ? "" : log.replace("\0", "").trim().replace('\n', ' ');
        } catch (RuntimeException e) {
            return "";
        }
    }

    static String readPtx(String family) {
        byte[] b = readResource(family + ".ptx");
        if (b == null) {
            throw new IllegalStateException("PTX resource /io/vrfm/kernels/" + family + ".ptx missing from the classpath");
        }
        return new String(b, StandardCharsets.US_ASCII);
    }

    /** A kernel resource's bytes, or null when it is not on the classpath. */
    static byte[] readResource(String file) {
        String res = "/io/vrfm/kernels/" + file;
        try (InputStream in = CudaDevice.class.getResourceAsStream(res)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("reading " + res, e);
        }
    }

    /** Makes the primary context current on the calling thread (once per thread). */
    void makeCurrent() {
        if (!current.get()) {
            cuCtxSetCurrent(context);
            current.set(true);
        }
    }

    /** A JCuda pointer for a device address (relative to the allocation it lies in). */
    synchronized CUdeviceptr ptr(long address) {
        if (address == 0) {
            return new CUdeviceptr();
        }
        Map.Entry<Long, CUdeviceptr> e = allocations.floorEntry(address);
        if (e == null) {
            throw new IllegalArgumentException("address 0x" + Long.toHexString(address) + " is not device memory of this backend");
        }
        return address == e.getKey() ? e.getValue() : (CUdeviceptr) e.getValue().withByteOffset(address - e.getKey());
    }

    @Override
    public String describe() {
        return "cuda: " + description + "; kernels: " + kernelForm
                + (syncEachLaunch ? "; every launch synchronised" : "");
    }

    @Override
    public synchronized long malloc(long bytes) {
        alive();
        makeCurrent();
        DevPtr p = new DevPtr();
        try {
            cuMemAlloc(p, bytes);
        } catch (CudaException e) {
            if (String.valueOf(e.getMessage()).contains("OUT_OF_MEMORY")) {
                throw new OutOfDeviceMemoryException(e.getMessage());
            }
            throw e;
        }
        long a = p.address();
        allocations.put(a, p);
        return a;
    }

    @Override
    public synchronized void free(long address) {
        makeCurrent();
        CUdeviceptr p = allocations.remove(address);
        if (p == null) {
            throw new IllegalArgumentException("free of unknown device address 0x" + Long.toHexString(address));
        }
        if (lost == null) { // a lost context took its memory with it
            cuMemFree(p);
        }
    }

    private void ensureStage(long bytes) {
        if (stageBytes >= bytes) {
            return;
        }
        if (stage != null) {
            cuMemFreeHost(stage);
        }
        long size = Math.max(bytes, 1L << 20);
        stage = new Pointer();
        cuMemAllocHost(stage, size);
        stageBytes = size;
        stageFloats = stage.getByteBuffer(0, size).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    @Override
    public synchronized void upload(float[] src, int srcOffset, long dst, int n) {
        alive();
        makeCurrent();
        long bytes = 4L * n;
        try {
            if (bytes > STAGE_MAX) {
                cuStreamSynchronize(stream);
                cuMemcpyHtoD(ptr(dst), Pointer.to(src).withByteOffset(4L * srcOffset), bytes);
                return;
            }
            if (stagePending) {
                cuEventSynchronize(stageFree); // the previous upload has left the staging buffer
            }
        } catch (CudaException e) {
            throw failed("upload", e);
        }
        ensureStage(bytes);
        stageFloats.clear();
        stageFloats.put(src, srcOffset, n);
        cuMemcpyHtoDAsync(ptr(dst), stage, bytes, stream);
        cuEventRecord(stageFree, stream);
        stagePending = true;
    }

    @Override
    public synchronized void download(long src, float[] dst, int dstOffset, int n) {
        alive();
        makeCurrent();
        long bytes = 4L * n;
        try {
            if (bytes > STAGE_MAX) {
                cuStreamSynchronize(stream);
                cuMemcpyDtoH(Pointer.to(dst).withByteOffset(4L * dstOffset), ptr(src), bytes);
                return;
            }
            if (stagePending) {
                cuEventSynchronize(stageFree);
            }
            ensureStage(bytes);
            cuMemcpyDtoHAsync(stage, ptr(src), bytes, stream);
            cuStreamSynchronize(stream);
        } catch (CudaException e) {
            throw failed("download", e);
        }
        stagePending = false;
        stageFloats.clear();
        stageFloats.get(dst, dstOffset, n);
    }

    @Override
    public synchronized void copy(long dst, long src, long bytes) {
        alive();
        makeCurrent();
        cuMemcpyDtoDAsync(ptr(dst), ptr(src), bytes, stream);
    }

    private CUfunction function(String name) {
        CUfunction f = functions.get(name);
        if (f == null) {
            CUmodule m = moduleOf.get(name);
            if (m == null) {
                throw new IllegalArgumentException("no kernel named " + name + " in the loaded PTX");
            }
            f = new CUfunction();
            cuModuleGetFunction(f, m, name);
            functions.put(name, f);
        }
        return f;
    }

    @Override
    public synchronized void launch(String name, int gx, int gy, int gz, int bx, int by, int bz, Object... args) {
        alive();
        makeCurrent();
        Pointer[] params = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            Object o = args[i];
            if (o instanceof Integer v) {
                params[i] = Pointer.to(new int[] {v});
            } else if (o instanceof Long v) {
                params[i] = Pointer.to(new long[] {v});
            } else if (o instanceof Float v) {
                params[i] = Pointer.to(new float[] {v});
            } else if (o instanceof int[] v) {
                params[i] = Pointer.to(v.clone());
            } else {
                throw new IllegalArgumentException("kernel argument of type " + o.getClass());
            }
        }
        lastKernel = KernelLaunchException.shape(name, gx, gy, gz, bx, by, bz);
        try {
            cuLaunchKernel(function(name), gx, gy, gz, bx, by, bz, 0, stream, Pointer.to(params), null);
            if (syncEachLaunch) {
                cuStreamSynchronize(stream);
            }
        } catch (CudaException e) {
            if (sticky(e.getMessage()) && lost == null) {
                lost = "kernel " + lastKernel + ": " + e.getMessage();
            }
            throw e; // KernelBackend names the kernel and its grid
        }
    }

    @Override
    public synchronized void synchronize() {
        alive();
        makeCurrent();
        try {
            cuStreamSynchronize(stream);
        } catch (CudaException e) {
            throw failed("synchronize", e);
        }
    }

    /** Fails at once when an earlier sticky error lost the context. */
    private void alive() {
        if (lost != null) {
            throw new IllegalStateException("CUDA context unusable since an earlier error (" + lost
                    + "); only a new process can use the GPU again");
        }
    }

    /**
     * The error of a call that waits for queued work: names the last kernel queued (the likely culprit of an
     * asynchronous fault) and remembers a sticky error.
     */
    private CudaException failed(String op, CudaException e) {
        String text = afterKernel(op, e.getMessage(), lastKernel, syncEachLaunch);
        if (sticky(e.getMessage()) && lost == null) {
            lost = text;
        }
        return new CudaException(text, e);
    }

    static String afterKernel(String op, String cudaError, String lastKernel, boolean syncEachLaunch) {
        return op + " failed: " + cudaError + " (last kernel queued: " + lastKernel
                + (syncEachLaunch ? ")" : "; faults are asynchronous: rerun with CUDA_LAUNCH_BLOCKING=1 to name the faulting kernel)");
    }

    /** True for the CUDA errors after which the context cannot be used again. */
    static boolean sticky(String cudaError) {
        String m = String.valueOf(cudaError);
        for (String s : List.of("ILLEGAL_ADDRESS", "LAUNCH_FAILED", "MISALIGNED_ADDRESS", "ILLEGAL_INSTRUCTION",
                "HARDWARE_STACK_ERROR", "CUDA_ERROR_ASSERT", "LAUNCH_TIMEOUT", "ECC_UNCORRECTABLE", "INVALID_PC",
                "CONTEXT_IS_DESTROYED")) {
            if (m.contains(s)) {
                return true;
            }
        }
        return false;
    }

    /** Free and total device memory in bytes. */
    synchronized long[] memInfo() {
        makeCurrent();
        long[] free = {0}, total = {0};
        cuMemGetInfo(free, total);
        return new long[] {free[0], total[0]};
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        makeCurrent();
        try {
            if (lost == null) { // after a sticky error the frees below fail too: release the context only
                cuStreamSynchronize(stream);
                for (CUdeviceptr p : allocations.values()) {
                    cuMemFree(p);
                }
                if (stage != null) {
                    cuMemFreeHost(stage);
                }
                cuEventDestroy(stageFree);
                for (CUmodule m : modules) {
                    cuModuleUnload(m);
                }
                cuStreamDestroy(stream);
            }
        } catch (CudaException e) {
            lost = "close: " + e.getMessage();
        } finally {
            allocations.clear();
            cuDevicePrimaryCtxRelease(device);
        }
    }
}
