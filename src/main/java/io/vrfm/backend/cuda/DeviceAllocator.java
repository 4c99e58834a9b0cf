package io.vrfm.backend.cuda;

import java.lang.ref.Cleaner;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Caching allocator: sizes are rounded up to a bucket (powers of two up to 4 MiB, then whole MiB), and released
 * blocks go to a free list per bucket, so a training loop in steady state never calls the device's malloc.
 * On exhaustion it frees every cached block, runs {@code System.gc()} (buffers dropped without
 * {@code release} return through a {@link Cleaner}) and retries once. Safe to reuse a released block at once
 * because every backend op is queued on one stream, in order.
 */
final class DeviceAllocator {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final long MIB = 1L << 20;

    /** One device block; {@code live} while a buffer uses it. */
    static final class Block implements Runnable {
        final long address;
        final long bytes;
        private final DeviceAllocator pool;
        private boolean live = true;

        Block(DeviceAllocator pool, long address, long bytes) {
            this.pool = pool;
            this.address = address;
            this.bytes = bytes;
        }

        void checkLive() {
            if (!live) {
                throw new IllegalStateException("device buffer used after release");
            }
        }

        /** Cleaner action: the buffer became unreachable without release. */
        @Override
        public void run() {
            pool.releaseQuietly(this);
        }
    }

    private final Device device;
    private final Map<Long, ArrayDeque<Long>> free = new HashMap<>();
    private long cachedBytes, liveBytes, deviceBytes, deviceMallocs, requests, liveBlocks;
    /** High-water marks: bytes live in buffers (like torch.cuda.max_memory_allocated) and bytes held on device. */
    private long peakLiveBytes, peakDeviceBytes;

    DeviceAllocator(Device device) {
        this.device = device;
    }

    static long bucket(long bytes) {
        long b = Math.max(256, bytes);
        if (b <= 4 * MIB) {
            return Long.highestOneBit(b - 1) << 1;
        }
        return (b + MIB - 1) / MIB * MIB;
    }

    /** Registers {@code owner} so that {@code block} returns to the pool when owner becomes unreachable unreleased. */
    static void returnOnGc(Object owner, Block block) {
        CLEANER.register(owner, block);
    }

    /** A block of at least {@code bytes}. */
    synchronized Block acquire(long bytes) {
        long b = device.exactAllocations() ? Math.max(4, bytes) : bucket(bytes);
        requests++;
        ArrayDeque<Long> list = free.get(b);
        long address;
        if (list != null && !list.isEmpty()) {
            address = list.pop();
            cachedBytes -= b;
        } else {
            address = mallocWithRetry(b);
        }
        liveBytes += b;
        liveBlocks++;
        peakLiveBytes = Math.max(peakLiveBytes, liveBytes);
        peakDeviceBytes = Math.max(peakDeviceBytes, deviceBytes);
        return new Block(this, address, b);
    }

    private long mallocWithRetry(long b) {
        try {
            long a = device.malloc(b);
            deviceMallocs++;
            deviceBytes += b;
            return a;
        } catch (Device.OutOfDeviceMemoryException first) {
            emptyCache();
            System.gc();
            try {
                Thread.sleep(50); // let the Cleaner thread return dropped buffers
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            emptyCache();
            try {
                long a = device.malloc(b);
                deviceMallocs++;
                deviceBytes += b;
                return a;
            } catch (Device.OutOfDeviceMemoryException second) {
                throw new Device.OutOfDeviceMemoryException("device out of memory allocating " + b + " bytes ("
                        + liveBytes + " bytes live in buffers, cache emptied): " + second.getMessage());
            }
        }
    }

    synchronized void release(Block block) {
        block.checkLive();
        block.live = false;
        liveBytes -= block.bytes;
        liveBlocks--;
        cachedBytes += block.bytes;
        free.computeIfAbsent(block.bytes, k -> new ArrayDeque<>()).push(block.address);
    }

    private synchronized void releaseQuietly(Block block) {
        if (block.live) {
            release(block);
        }
    }

    /** Returns every cached (unused) block to the device. */
    synchronized void emptyCache() {
        for (Map.Entry<Long, ArrayDeque<Long>> e : free.entrySet()) {
            for (long a : e.getValue()) {
                device.free(a);
                deviceBytes -= e.getKey();
            }
        }
        free.clear();
        cachedBytes = 0;
    }

    synchronized String stats() {
        return String.format("allocator: %d requests, %d device mallocs, %.1f MiB on device (%.1f MiB live, %.1f MiB cached); "
                        + "peak %.1f MiB live, %.1f MiB on device",
                requests, deviceMallocs, deviceBytes / (double) MIB, liveBytes / (double) MIB, cachedBytes / (double) MIB,
                peakLiveBytes / (double) MIB, peakDeviceBytes / (double) MIB);
    }

    /** Blocks handed out and not yet released (tensor storages and workspaces in use). */
    synchronized long liveBlocks() {
        return liveBlocks;
    }

    /** The most bytes ever live in buffers at once (bucket-rounded sizes). */
    synchronized long peakLiveBytes() {
        return peakLiveBytes;
    }

    synchronized long deviceMallocs() {
        return deviceMallocs;
    }
}
