package io.vrfm.io;

import java.io.IOException;

/**
 * A safetensors file that cannot be read: its header is malformed or does not describe its data. The message is one
 * line naming the file and, where one is at fault, the tensor.
 */
public final class SafeTensorsException extends IOException {
    public SafeTensorsException(String message) {
        super(message);
    }
}
