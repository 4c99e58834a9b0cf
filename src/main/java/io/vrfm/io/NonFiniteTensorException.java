package io.vrfm.io;

/**
 * A tensor holds NaN or infinite values where only finite ones are usable: a checkpoint about to be written (a
 * finite checkpoint is never replaced by a diverged one) or weights about to be loaded. The message is one line
 * naming the tensor and the file.
 */
public final class NonFiniteTensorException extends IllegalStateException {
    public NonFiniteTensorException(String message) {
        super(message);
    }
}
