package io.vrfm.backend.cuda;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The caching allocator on a fake device with a fixed capacity (no GPU, no emulation). */
class DeviceAllocatorTest {

    /** Hands out fake addresses up to {@code capacity} bytes. */
    static final class FakeDevice implements Device {
        final long capacity;
        long used, next = 0x1000, mallocs, frees;
        final java.util.Map<Long, Long> live = new java.util.HashMap<>();

        FakeDevice(long capacity) {
            this.capacity = capacity;
        }

        @Override public String describe() { return "fake"; }
        @Override public long malloc(long bytes) {
            if (used + bytes > capacity) {
                throw new OutOfDeviceMemoryException("fake device full");
            }
            used += bytes;
            mallocs++;
            long a = next;
            next += bytes + 256;
            live.put(a, bytes);
            return a;
        }
        @Override public void free(long address) {
            used -= live.remove(address);
            frees++;
        }
        @Override public void upload(float[] src, int srcOffset, long dst, int n) { }
        @Override public void download(long src, float[] dst, int dstOffset, int n) { }
        @Override public void copy(long dst, long src, long bytes) { }
        @Override public void launch(String name, int gx, int gy, int gz, int bx, int by, int bz, Object... args) { }
        @Override public void synchronize() { }
        @Override public void close() { }
    }

    @Test
    void bucketsArePowersOfTwoThenWholeMebibytes() {
        assertEquals(256, DeviceAllocator.bucket(1));
        assertEquals(256, DeviceAllocator.bucket(256));
        assertEquals(512, DeviceAllocator.bucket(257));
        assertEquals(4 << 20, DeviceAllocator.bucket((4 << 20) - 5));
        assertEquals(5 << 20, DeviceAllocator.bucket((4 << 20) + 1));
    }

    @Test
    void peakLiveBytesIsTheHighWaterMarkNotTheCurrentUse() {
        DeviceAllocator pool = new DeviceAllocator(new FakeDevice(1 << 30));
        DeviceAllocator.Block a = pool.acquire(1000);   // bucket 1024
        DeviceAllocator.Block b = pool.acquire(3000);   // bucket 4096
        pool.release(a);
        pool.release(b);
        DeviceAllocator.Block c = pool.acquire(1000);   // reused from the cache
        assertEquals(1024 + 4096, pool.peakLiveBytes());
        assertTrue(pool.stats().contains("peak 0.0 MiB live"), pool.stats());
        pool.release(c);
    }

    @Test
    void releasedBlocksAreReusedWithoutDeviceMalloc() {
        FakeDevice dev = new FakeDevice(1 << 30);
        DeviceAllocator alloc = new DeviceAllocator(dev);
        DeviceAllocator.Block a = alloc.acquire(1000);
        alloc.release(a);
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            DeviceAllocator.Block b = alloc.acquire(900 + i); // same 1 KiB bucket
            seen.add(b.address);
            alloc.release(b);
        }
        assertEquals(1, dev.mallocs);
        assertEquals(Set.of(a.address), seen);
        assertThrows(IllegalStateException.class, () -> alloc.release(a), "double release is caught");
    }

    @Test
    void exhaustionEmptiesTheCacheAndRetries() {
        FakeDevice dev = new FakeDevice(3 << 20);
        DeviceAllocator alloc = new DeviceAllocator(dev);
        DeviceAllocator.Block a = alloc.acquire(1 << 20), b = alloc.acquire(1 << 20);
        alloc.release(a);
        alloc.release(b);
        DeviceAllocator.Block big = alloc.acquire(2 << 20); // needs the cached MiBs back
        assertTrue(dev.frees >= 1, "cache emptied before the retry");
        assertEquals(2 << 20, big.bytes);
        assertThrows(Device.OutOfDeviceMemoryException.class, () -> alloc.acquire(8 << 20));
    }
}
