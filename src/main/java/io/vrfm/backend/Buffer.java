package io.vrfm.backend;

/**
 * A block of float32 storage owned by one {@link Backend}. Host code never reads it directly: it goes through
 * {@link Backend#download}. Offsets and lengths are in elements (floats), never bytes.
 */
public interface Buffer {
    /** Number of float elements this buffer holds. */
    long length();

    /** The backend that allocated this buffer. */
    Backend backend();
}
