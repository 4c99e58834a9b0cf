package io.vrfm.backend.cuda;

import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;

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
 * current on every calling thread), one stream, the kernel modules loaded from the PTX resources
 * ({@code /io/vrfm/kernels/*.ptx}), and a pinned staging buffer for asynchronous uploads.
 * NEVER RUN ON A REAL GPU YET: written against the JCuda 12.6 API without a device to try it on.
 */
final class CudaDevice implements Device {
    /** Kernel families, one PTX resource each (kernels/&lt;family&gt;.cu). */
    static final List<String> FAMILIES = List.of(
            "elementwise", "reduce", "random", "norm", "softmax", "embed", "im2col", "gemm", "adam", "flow", "gemm_tf32");
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
        for (String family : FAMILIES) {
            String ptx = readPtx(family);
            CUmodule module = new CUmodule();
            try {
                cuModuleLoadData(module, (ptx + "\0").getBytes(StandardCharsets.US_ASCII));
            } catch (CudaException e) {
                throw new IllegalStateException("loading kernels " + family + ".ptx failed: " + e.getMessage()
                        + (String.valueOf(e.getMessage()).contains("PTX") ? " (the PTX is ISA 9.0 from CUDA 13: it needs an R580 or newer driver)" : ""), e);
            }
            modules.add(module);
            Matcher m = ENTRY.matcher(ptx);
            while (m.find()) {
                moduleOf.put(m.group(1), module);
            }
        }
    }

    static String readPtx(String family) {
        String res = "/io/vrfm/kernels/" + family + ".ptx";
        try (InputStream in = CudaDevice.class.getResourceAsStream(res)) {
            if (in == null) {
                throw new IllegalStateException("PTX resource " + res + " missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
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
        return "cuda: " + description;
    }

    @Override
    public synchronized long malloc(long bytes) {
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
        cuMemFree(p);
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
        makeCurrent();
        long bytes = 4L * n;
        if (bytes > STAGE_MAX) {
            cuStreamSynchronize(stream);
            cuMemcpyHtoD(ptr(dst), Pointer.to(src).withByteOffset(4L * srcOffset), bytes);
            return;
        }
        if (stagePending) {
            cuEventSynchronize(stageFree); // the previous upload has left the staging buffer
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
        makeCurrent();
        long bytes = 4L * n;
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
        stagePending = false;
        stageFloats.clear();
        stageFloats.get(dst, dstOffset, n);
    }

    @Override
    public synchronized void copy(long dst, long src, long bytes) {
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
        cuLaunchKernel(function(name), gx, gy, gz, bx, by, bz, 0, stream, Pointer.to(params), null);
    }

    @Override
    public synchronized void synchronize() {
        makeCurrent();
        cuStreamSynchronize(stream);
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
        cuStreamSynchronize(stream);
        for (CUdeviceptr p : allocations.values()) {
            cuMemFree(p);
        }
        allocations.clear();
        if (stage != null) {
            cuMemFreeHost(stage);
        }
        cuEventDestroy(stageFree);
        for (CUmodule m : modules) {
            cuModuleUnload(m);
        }
        cuStreamDestroy(stream);
        cuDevicePrimaryCtxRelease(device);
    }
}
