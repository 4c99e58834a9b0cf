package io.vrfm.backend.cuda;

/** Prints what {@link Cublas13#open} does on this JVM ("opened" or "unusable: reason"); used by Cublas13StandInTest. */
public final class Cublas13OpenMain {
    private Cublas13OpenMain() {
    }

    public static void main(String[] args) {
        try (Cublas13 c = Cublas13.open(args[0], 0L, false)) {
            System.out.println("opened");
        } catch (PathChoice.Unusable e) {
            System.out.println("unusable: " + e.getMessage());
        }
    }
}
