package io.vrfm.backend.cuda;

import io.vrfm.backend.Buffer;
import io.vrfm.backend.ConvShape;
import jcuda.Pointer;
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

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Convolutions through cuDNN 9 (JCudnn 11.7 classes on the 12.6 natives, see DESIGN.md): NCHW float descriptors
 * per geometry, algorithms from the backend's single search ({@link ConvAlgorithms}) and one grow-only workspace.
 * NEVER RUN ON A REAL GPU YET: {@link CudaBackend} probes it with a 1×1 convolution at start and falls back to
 * im2col with the one-line reason when any step fails.
 */
final class CudnnConv implements ConvPath {
    private static final int MAX_ALGOS = 8;
    private static final Pointer ONE = Pointer.to(new float[] {1f}), ZERO = Pointer.to(new float[] {0f});

    private final CudaDevice cuda;
    private final boolean tf32;
    private final ToLongFunction<Buffer> address;
    private final cudnnHandle handle = new cudnnHandle();
    private final Map<ConvShape, Descriptors> descriptors = new HashMap<>();
    private final ConvAlgorithms algorithms = new ConvAlgorithms(this::find);
    private final String version;
    private long workspace;
    private long workspaceBytes;
    private boolean open;

    /** Creates the cuDNN handle on the device's stream; throws when libcudnn.so.9 or its sub-libraries fail. */
    CudnnConv(CudaDevice cuda, boolean tf32, ToLongFunction<Buffer> address) {
        this.cuda = cuda;
        this.tf32 = tf32;
        this.address = address;
        JCudnn.setExceptionsEnabled(true);
        cuda.makeCurrent();
        JCudnn.cudnnCreate(handle);
        try {
            JCudnn.cudnnSetStream(handle, new cudaStream_t(cuda.stream));
            version = String.valueOf(JCudnn.cudnnGetVersion());
        } catch (RuntimeException | Error e) {
            JCudnn.cudnnDestroy(handle);
            throw e;
        }
        open = true;
    }

    String version() {
        return version;
    }

    /** Tensor, filter and convolution descriptors for one geometry. */
    private final class Descriptors {
        final cudnnTensorDescriptor x = new cudnnTensorDescriptor(), y = new cudnnTensorDescriptor();
        final cudnnFilterDescriptor w = new cudnnFilterDescriptor();
        final cudnnConvolutionDescriptor conv = new cudnnConvolutionDescriptor();

        Descriptors(ConvShape s) {
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
            JCudnn.cudnnSetConvolutionMathType(conv, tf32 ? cudnnMathType.CUDNN_DEFAULT_MATH : cudnnMathType.CUDNN_FMA_MATH);
        }

        void destroy() {
            JCudnn.cudnnDestroyTensorDescriptor(x);
            JCudnn.cudnnDestroyTensorDescriptor(y);
            JCudnn.cudnnDestroyFilterDescriptor(w);
            JCudnn.cudnnDestroyConvolutionDescriptor(conv);
        }
    }

    private Descriptors descriptors(ConvShape s) {
        return descriptors.computeIfAbsent(s, Descriptors::new);
    }

    /** The search itself: the only pass-specific part is which cudnnFind* to call and its result type. */
    private List<ConvAlgorithms.Perf> find(ConvShape s, ConvAlgorithms.Pass pass) {
        Descriptors d = descriptors(s);
        int[] count = {0};
        List<ConvAlgorithms.Perf> out = new ArrayList<>();
        switch (pass) {
            case FORWARD -> {
                cudnnConvolutionFwdAlgoPerf[] perf = new cudnnConvolutionFwdAlgoPerf[MAX_ALGOS];
                for (int i = 0; i < perf.length; i++) {
                    perf[i] = new cudnnConvolutionFwdAlgoPerf();
                }
                JCudnn.cudnnFindConvolutionForwardAlgorithm(handle, d.x, d.w, d.conv, d.y, perf.length, count, perf);
                for (int i = 0; i < count[0]; i++) {
                    out.add(new ConvAlgorithms.Perf(perf[i].status, perf[i].algo, perf[i].memory));
                }
            }
            case BACKWARD_DATA -> {
                cudnnConvolutionBwdDataAlgoPerf[] perf = new cudnnConvolutionBwdDataAlgoPerf[MAX_ALGOS];
                for (int i = 0; i < perf.length; i++) {
                    perf[i] = new cudnnConvolutionBwdDataAlgoPerf();
                }
                JCudnn.cudnnFindConvolutionBackwardDataAlgorithm(handle, d.w, d.y, d.conv, d.x, perf.length, count, perf);
                for (int i = 0; i < count[0]; i++) {
                    out.add(new ConvAlgorithms.Perf(perf[i].status, perf[i].algo, perf[i].memory));
                }
            }
            case BACKWARD_FILTER -> {
                cudnnConvolutionBwdFilterAlgoPerf[] perf = new cudnnConvolutionBwdFilterAlgoPerf[MAX_ALGOS];
                for (int i = 0; i < perf.length; i++) {
                    perf[i] = new cudnnConvolutionBwdFilterAlgoPerf();
                }
                JCudnn.cudnnFindConvolutionBackwardFilterAlgorithm(handle, d.x, d.y, d.conv, d.w, perf.length, count, perf);
                for (int i = 0; i < count[0]; i++) {
                    out.add(new ConvAlgorithms.Perf(perf[i].status, perf[i].algo, perf[i].memory));
                }
            }
        }
        return out;
    }

    /** The shared workspace, grown (never shrunk) to at least {@code bytes}. */
    private Pointer workspace(long bytes) {
        if (bytes == 0) {
            return new Pointer();
        }
        if (workspaceBytes < bytes) {
            if (workspace != 0) {
                cuda.synchronize(); // queued convolutions may still use the old workspace
                cuda.free(workspace);
                workspace = 0;
                workspaceBytes = 0;
            }
            workspace = cuda.malloc(bytes);
            workspaceBytes = bytes;
        }
        return cuda.ptr(workspace);
    }

    @Override
    public synchronized void forward(Buffer x, Buffer w, Buffer y, ConvShape s) {
        cuda.makeCurrent();
        Descriptors d = descriptors(s);
        ConvAlgorithms.Algo a = algorithms.get(s, ConvAlgorithms.Pass.FORWARD);
        JCudnn.cudnnConvolutionForward(handle, ONE, d.x, dev(x), d.w, dev(w), d.conv, a.algo(),
                workspace(a.workspaceBytes()), a.workspaceBytes(), ZERO, d.y, dev(y));
    }

    @Override
    public synchronized void backwardData(Buffer gy, Buffer w, Buffer gx, ConvShape s) {
        cuda.makeCurrent();
        Descriptors d = descriptors(s);
        ConvAlgorithms.Algo a = algorithms.get(s, ConvAlgorithms.Pass.BACKWARD_DATA);
        JCudnn.cudnnConvolutionBackwardData(handle, ONE, d.w, dev(w), d.y, dev(gy), d.conv, a.algo(),
                workspace(a.workspaceBytes()), a.workspaceBytes(), ZERO, d.x, dev(gx));
    }

    @Override
    public synchronized void backwardFilter(Buffer x, Buffer gy, Buffer gw, ConvShape s) {
        cuda.makeCurrent();
        Descriptors d = descriptors(s);
        ConvAlgorithms.Algo a = algorithms.get(s, ConvAlgorithms.Pass.BACKWARD_FILTER);
        JCudnn.cudnnConvolutionBackwardFilter(handle, ONE, d.x, dev(x), d.y, dev(gy), d.conv, a.algo(),
                workspace(a.workspaceBytes()), a.workspaceBytes(), ZERO, d.w, dev(gw));
    }

    private Pointer dev(Buffer b) {
        return cuda.ptr(address.applyAsLong(b));
    }

    @Override
    public synchronized void close() {
        if (!open) {
            return;
        }
        open = false;
        cuda.makeCurrent();
        cuda.synchronize();
        if (workspace != 0) {
            cuda.free(workspace);
            workspace = 0;
        }
        for (Descriptors d : descriptors.values()) {
            d.destroy();
        }
        descriptors.clear();
        JCudnn.cudnnDestroy(handle);
    }
}
