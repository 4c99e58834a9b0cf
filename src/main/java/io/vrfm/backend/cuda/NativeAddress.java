package io.vrfm.backend.cuda;

import jcuda.NativePointerObject;

import java.lang.reflect.Method;

/**
 * The raw address a JCuda handle object holds ({@code CUstream}, {@code cudnnHandle}, …), for bindings outside
 * JCuda ({@link Cublas13}) that share JCuda's stream and device memory. JCuda keeps it in a protected accessor,
 * read here by reflection (JCuda is on the class path, so its members are accessible).
 */
final class NativeAddress {
    private static final Method NATIVE_POINTER;

    static {
        try {
            NATIVE_POINTER = NativePointerObject.class.getDeclaredMethod("getNativePointer");
            NATIVE_POINTER.setAccessible(true);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private NativeAddress() {
    }

    /** The native address held by handle {@code p} (0 for a null handle); not for offset {@code Pointer}s. */
    static long of(NativePointerObject p) {
        try {
            return (long) NATIVE_POINTER.invoke(p);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("reading a JCuda native pointer", e);
        }
    }
}
