package io.vrfm.backend.cpu;

/**
 * Run by {@link SgemmTest} in a child JVM started without {@code --add-modules jdk.incubator.vector}: prints the
 * kernel path and the result of a small product, proving the engine works (scalar) without the module.
 */
public final class SgemmNoVectorMain {
    public static void main(String[] args) {
        int n = 40;
        float[] a = new float[n * n], b = new float[n * n], c = new float[n * n];
        for (int i = 0; i < n; i++) {
            a[i * n + i] = 2f;
            for (int j = 0; j < n; j++) {
                b[i * n + j] = i + 0.5f * j;
            }
        }
        CpuParallel par = new CpuParallel(2);
        Sgemm.sgemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n, par);
        par.shutdown();
        double err = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                err = Math.max(err, Math.abs(c[i * n + j] - 2f * (i + 0.5f * j)));
            }
        }
        System.out.println(Sgemm.path());
        System.out.println("maxerr=" + err);
    }
}
