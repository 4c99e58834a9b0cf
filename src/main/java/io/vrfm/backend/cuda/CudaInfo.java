package io.vrfm.backend.cuda;

import io.vrfm.backend.Buffer;
import io.vrfm.backend.UnaryOp;

/**
 * {@code java -cp vrfm4j.jar io.vrfm.backend.cuda.CudaInfo}: prints whether CUDA is usable (one line when not),
 * which path GEMM and convolution take with the default options and with the fallbacks forced, and runs a
 * one-kernel smoke test. Exit status 0 when CUDA works, 2 when it is unavailable, 1 when the smoke test fails.
 */
public final class CudaInfo {
    private CudaInfo() {
    }

    public static void main(String[] args) {
        CudaBackend.Probe p = CudaBackend.probe();
        System.out.println(p);
        if (!p.available()) {
            System.exit(2);
        }
        int status = 0;
        try (CudaBackend b = new CudaBackend()) {
            System.out.println("default : " + b.describe());
            float[] x = new float[1 << 20], y = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = i * 1e-6f;
            }
            Buffer bx = b.allocate(x.length), by = b.allocate(x.length);
            b.upload(x, 0, bx, 0, x.length);
            b.unary(UnaryOp.AFFINE, bx, by, x.length, 2f, 1f);
            b.download(by, 0, y, 0, y.length);
            for (int i = 0; i < x.length; i++) {
                if (Math.abs(y[i] - (2f * x[i] + 1f)) > 1e-6f) {
                    System.out.println("smoke test FAILED at " + i + ": " + y[i] + " vs " + (2f * x[i] + 1f));
                    status = 1;
                    break;
                }
            }
            if (status == 0) {
                System.out.println("smoke test: affine kernel on 2^20 floats OK");
            }
        } catch (Throwable t) {
            System.out.println("default backend FAILED: " + CudaBackend.reason(t));
            t.printStackTrace(System.out);
            status = 1;
        }
        try (CudaBackend b = new CudaBackend(CudaBackend.Options.fallbackOnly())) {
            System.out.println("fallback: " + b.describe());
        } catch (Throwable t) {
            System.out.println("fallback backend FAILED: " + CudaBackend.reason(t));
            status = 1;
        }
        System.exit(status);
    }
}
