package io.vrfm.data;

/**
 * A data set that cannot be read or found. The message is one line naming the file (or folder), the problem and the
 * fix, so a launcher can print it as is, without a stack trace.
 */
public final class DatasetException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
