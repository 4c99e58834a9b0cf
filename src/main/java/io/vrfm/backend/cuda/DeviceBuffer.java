package io.vrfm.backend.cuda;

import io.vrfm.backend.Backend;
import io.vrfm.backend.Buffer;

/** A block of device memory owned by a {@link KernelBackend}: a base address and a length in floats. */
public final class DeviceBuffer implements Buffer {
    final KernelBackend owner;
    final DeviceAllocator.Block block;
    private final long length;

    DeviceBuffer(KernelBackend owner, DeviceAllocator.Block block, long length) {
        this.owner = owner;
        this.block = block;
        this.length = length;
    }

    /** Device address of element 0. */
    public long address() {
        block.checkLive();
        return block.address;
    }

    /** Device address of element {@code offset}. */
    public long address(long offset) {
        return address() + 4L * offset;
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public Backend backend() {
        return owner;
    }

    @Override
    public String toString() {
        return "DeviceBuffer[" + length + " floats @0x" + Long.toHexString(block.address) + "]";
    }
}
