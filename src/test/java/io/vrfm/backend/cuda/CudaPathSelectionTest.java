package io.vrfm.backend.cuda;

import io.vrfm.backend.Buffer;
import io.vrfm.backend.ConvShape;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The GEMM and convolution strategies {@link CudaBackend} chooses once at start, without a GPU: fake candidates
 * say which libraries "load" and which probes "pass", and the choice, the order of preference and the one-line
 * reasons for rejected candidates are checked.
 */
class CudaPathSelectionTest {

    /** A GEMM path that only records its name. */
    record FakeGemm(String name, List<String> closed) implements GemmPath {
        @Override
        public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, long a, int lda, long strideA,
                         long b, int ldb, long strideB, float beta, long c, long strideC, int batch) {
        }

        @Override
        public void close() {
            closed.add(name);
        }
    }

    /** Sources whose availability the test sets: a null reason means "loads"; probeFails names paths whose probe fails. */
    static final class FakeGemmSources implements CudaBackend.GemmSources {
        int cc = 90;
        String cublas12 = null, cublas13 = null;
        List<String> probeFails = new ArrayList<>();
        final List<String> closed = new ArrayList<>(), opened = new ArrayList<>();

        @Override
        public int computeCapability() {
            return cc;
        }

        private GemmPath open(String name, String reason) throws Exception {
            opened.add(name);
            if (reason != null) {
                throw new IllegalStateException(reason);
            }
            return new FakeGemm(name, closed);
        }

        @Override
        public GemmPath cublas12(boolean tf32) throws Exception {
            return open("cublas12", cublas12);
        }

        @Override
        public GemmPath cublas13(boolean tf32) throws Exception {
            return open("cublas13", cublas13);
        }

        @Override
        public GemmPath tensorCoreTf32() throws Exception {
            return open("tf32", null);
        }

        @Override
        public GemmPath tiledFp32() {
            opened.add("fp32");
            return new FakeGemm("fp32", closed);
        }

        @Override
        public void probe(GemmPath path) throws Exception {
            if (probeFails.contains(((FakeGemm) path).name())) {
                throw new PathChoice.Unusable("probe GEMM gave 0.0 instead of 7.0");
            }
        }
    }

    static CudaBackend.Options opts(boolean cublas, boolean cudnn, boolean tf32) {
        return new CudaBackend.Options(0, cublas, cudnn, tf32);
    }

    static String chosen(PathChoice<GemmPath> c) {
        return ((FakeGemm) c.path).name();
    }

    @Test
    void cublas12IsPreferredWhenItLoads() {
        FakeGemmSources s = new FakeGemmSources();
        PathChoice<GemmPath> c = CudaBackend.chooseGemm(opts(true, true, false), s);
        assertEquals("cublas12", chosen(c));
        assertEquals(List.of("cublas12"), s.opened, "nothing after the first usable candidate is opened");
        assertEquals("cuBLAS 12 via JCublas (FP32)", c.describe());
    }

    @Test
    void cuda13HostTakesTheFfmBindingAndSaysWhyNotJCublas() {
        FakeGemmSources s = new FakeGemmSources();
        s.cublas12 = "java.lang.UnsatisfiedLinkError: libcublas.so.12: cannot open shared object file: No such file or directory";
        PathChoice<GemmPath> c = CudaBackend.chooseGemm(opts(true, true, true), s);
        assertEquals("cublas13", chosen(c));
        assertEquals("cuBLAS 13 via FFM (TF32 tensor cores) [not cuBLAS 12 via JCublas (TF32 tensor cores): "
                + "libcublas.so.12 not found — cuBLAS for CUDA 12 not on the library path]", c.describe());
    }

    @Test
    void withoutCublasTf32KernelOnAmpereOrNewerWhenTf32Allowed() {
        FakeGemmSources s = new FakeGemmSources();
        s.cublas12 = "libcublas.so.12: cannot open shared object file";
        s.cublas13 = "needs Java 22+";
        assertEquals("tf32", chosen(CudaBackend.chooseGemm(opts(true, true, true), s)));

        s.cc = 75;
        PathChoice<GemmPath> turing = CudaBackend.chooseGemm(opts(true, true, true), s);
        assertEquals("fp32", chosen(turing));
        assertTrue(turing.describe().contains("not " + CudaBackend.TF32_KERNEL + ": needs sm_80 or newer, the device is sm_75"),
                turing.describe());

        s.cc = 90;
        PathChoice<GemmPath> fp32 = CudaBackend.chooseGemm(opts(true, true, false), s);
        assertEquals("fp32", chosen(fp32), "TF32 not allowed: the FP32 kernel");
        assertTrue(fp32.describe().contains("TF32 not allowed (vrfm.cuda.tf32=false)"), fp32.describe());
    }

    @Test
    void aFailedProbeRejectsAndClosesTheCandidate() {
        FakeGemmSources s = new FakeGemmSources();
        s.probeFails = List.of("cublas12", "tf32");
        s.cublas13 = "needs Java 22+ (the Foreign Function & Memory API); this is Java 17";
        PathChoice<GemmPath> c = CudaBackend.chooseGemm(opts(true, true, true), s);
        assertEquals("fp32", chosen(c));
        assertEquals(List.of("cublas12", "tf32"), s.closed, "a rejected path's handles are released");
        assertEquals(3, c.rejected.size(), c.describe());
        assertTrue(c.rejected.get(0).endsWith("probe GEMM gave 0.0 instead of 7.0"), c.rejected.get(0));
        assertTrue(c.rejected.get(1).contains("needs Java 22+"), c.rejected.get(1));
        assertFalse(c.describe().contains("\n"));
    }

    @Test
    void cublasDisabledIsNotOpened() {
        FakeGemmSources s = new FakeGemmSources();
        PathChoice<GemmPath> c = CudaBackend.chooseGemm(opts(false, true, false), s);
        assertEquals("fp32", chosen(c));
        assertEquals(List.of("fp32"), s.opened);
        assertTrue(c.describe().startsWith(CudaBackend.FP32_KERNEL + " [not cuBLAS: disabled (vrfm.cuda.cublas=false)"), c.describe());
    }

    // ------------------------------------------------------------------ convolution

    record FakeConv(String name, List<String> closed) implements ConvPath {
        @Override
        public void forward(Buffer x, Buffer w, Buffer y, ConvShape s) {
        }

        @Override
        public void backwardData(Buffer gy, Buffer w, Buffer gx, ConvShape s) {
        }

        @Override
        public void backwardFilter(Buffer x, Buffer gy, Buffer gw, ConvShape s) {
        }

        @Override
        public void close() {
            closed.add(name);
        }
    }

    static final class FakeConvSources implements CudaBackend.ConvSources {
        String cudnn = null, probe = null;
        final List<String> closed = new ArrayList<>();

        @Override
        public ConvPath cudnn() {
            if (cudnn != null) {
                throw new IllegalStateException(cudnn);
            }
            return new FakeConv("cudnn", closed);
        }

        @Override
        public ConvPath im2col() {
            return new FakeConv("im2col", closed);
        }

        @Override
        public void probe(ConvPath path) throws Exception {
            if (probe != null) {
                throw new PathChoice.Unusable(probe);
            }
        }
    }

    @Test
    void cudnnWhenItLoadsAndPassesTheOneByOneProbe() {
        FakeConvSources s = new FakeConvSources();
        PathChoice<ConvPath> c = CudaBackend.chooseConv(opts(true, true, false), s, "cuBLAS 13 via FFM (FP32)");
        assertEquals("cudnn", ((FakeConv) c.path).name());
        assertEquals("cuDNN (FP32, algorithms found once per shape)", c.describe());
    }

    @Test
    void im2colWithTheReasonWhenCudnnFailsAnywhere() {
        FakeConvSources s = new FakeConvSources();
        s.cudnn = "java.lang.UnsatisfiedLinkError: libcudnn.so.9: cannot open shared object file";
        PathChoice<ConvPath> c = CudaBackend.chooseConv(opts(true, true, false), s, CudaBackend.FP32_KERNEL);
        assertEquals("im2col", ((FakeConv) c.path).name());
        assertEquals("im2col + hand-written tiled FP32 SGEMM [not cuDNN (FP32, algorithms found once per shape): "
                + "libcudnn.so.9 not found — cuDNN 9 not on the library path]", c.describe());

        FakeConvSources lazy = new FakeConvSources(); // cuDNN 9 loads its sub-libraries only at the first convolution
        lazy.probe = "CUDNN_STATUS_SUBLIBRARY_LOADING_FAILED in the 1x1 probe (forward)";
        PathChoice<ConvPath> c2 = CudaBackend.chooseConv(opts(true, true, true), lazy, "g");
        assertEquals("im2col", ((FakeConv) c2.path).name());
        assertEquals(List.of("cudnn"), lazy.closed, "the cuDNN handle is released after a failed probe");
        assertTrue(c2.describe().endsWith("CUDNN_STATUS_SUBLIBRARY_LOADING_FAILED in the 1x1 probe (forward)]"), c2.describe());

        FakeConvSources off = new FakeConvSources();
        assertTrue(CudaBackend.chooseConv(opts(true, false, false), off, "g").describe()
                .endsWith("[not cuDNN: disabled (vrfm.cuda.cudnn=false)]"));
    }

    @Test
    void noUsableCandidateListsEveryReason() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PathChoice.choose("gemm", List.of(
                PathChoice.<GemmPath>ruledOut("a", "first reason"), PathChoice.<GemmPath>ruledOut("b", "second reason"))));
        assertEquals("no usable gemm path: a: first reason; b: second reason", e.getMessage());
        PathChoice<String> one = PathChoice.choose("x", List.of(PathChoice.candidate("only", () -> "p")));
        assertSame("p", one.path);
        assertEquals("x: only", one.toString());
    }

    /** The 1×1 convolution probe: passes on a correct path (the CPU's), names the pass a broken one gets wrong. */
    @Test
    void convProbeChecksForwardAndBothBackwards() throws Exception {
        try (io.vrfm.backend.cpu.CpuBackend cpu = new io.vrfm.backend.cpu.CpuBackend(1)) {
            ConvPath good = new ConvPath() {
                @Override
                public void forward(Buffer x, Buffer w, Buffer y, ConvShape s) {
                    cpu.conv2d(x, w, y, s);
                }

                @Override
                public void backwardData(Buffer gy, Buffer w, Buffer gx, ConvShape s) {
                    cpu.conv2dBackwardData(gy, w, gx, s);
                }

                @Override
                public void backwardFilter(Buffer x, Buffer gy, Buffer gw, ConvShape s) {
                    cpu.conv2dBackwardFilter(x, gy, gw, s);
                }
            };
            PathProbes.conv(cpu, good);
            ConvPath badFilter = new ConvPath() {
                @Override
                public void forward(Buffer x, Buffer w, Buffer y, ConvShape s) {
                    good.forward(x, w, y, s);
                }

                @Override
                public void backwardData(Buffer gy, Buffer w, Buffer gx, ConvShape s) {
                    good.backwardData(gy, w, gx, s);
                }

                @Override
                public void backwardFilter(Buffer x, Buffer gy, Buffer gw, ConvShape s) {
                    cpu.fill(gw, 0, s.weightSize(), 0f); // e.g. a library that returns without writing
                }
            };
            PathChoice.Unusable e = assertThrows(PathChoice.Unusable.class, () -> PathProbes.conv(cpu, badFilter));
            assertTrue(e.getMessage().startsWith("probe 1x1 convolution backward-filter gave 0.0 instead of "), e.getMessage());
        }
    }
}
