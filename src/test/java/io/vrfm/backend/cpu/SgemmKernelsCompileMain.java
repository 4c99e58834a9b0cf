package io.vrfm.backend.cpu;

/**
 * Run by {@link SgemmKernelsCompileTest} in a child JVM that compiles with C1 only and prints its compilations:
 * calls every micro-kernel of {@link SgemmKernels} a few times with a k loop long enough to be compiled for
 * on-stack replacement, so each method goes through both of C1's entries (standard and OSR).
 */
public final class SgemmKernelsCompileMain {

    /** Steps of each call's k loop: above the back-edge threshold the test sets. */
    static final int KC = 6000;

    public static void main(String[] args) {
        int l = SgemmKernels.L, ldb = 3 * l, ldc = 3 * l;
        float[] a = new float[8 * KC + 8], b = new float[KC * ldb + ldb], c = new float[8 * ldc];
        for (int call = 0; call < 3; call++) {
            SgemmKernels.kernel8x2(KC, a, 0, b, 0, ldb, c, 0, ldc, call == 0);
            SgemmKernels.kernel8x2A(KC, a, 0, KC, b, 0, ldb, c, 0, ldc, call == 0);
            SgemmKernels.kernel8x2AT(KC, a, 0, 8, b, 0, ldb, c, 0, ldc, call == 0);
            SgemmKernels.kernel6x2(KC, a, 0, b, 0, ldb, c, 0, ldc, call == 0);
            SgemmKernels.kernel6x2A(KC, a, 0, KC, b, 0, ldb, c, 0, ldc, call == 0);
            SgemmKernels.kernel6x2AT(KC, a, 0, 6, b, 0, ldb, c, 0, ldc, call == 0);
            SgemmKernels.kernel4x3(KC, a, 0, b, 0, ldb, c, 0, ldc, call == 0);
            SgemmKernels.kernel4x3A(KC, a, 0, KC, b, 0, ldb, c, 0, ldc, call == 0);
            SgemmKernels.kernel4x3AT(KC, a, 0, 4, b, 0, ldb, c, 0, ldc, call == 0);
        }
        System.out.println("done");
    }
}
