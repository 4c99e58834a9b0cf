package io.vrfm.backend.cpu;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuBufferPoolTest {

    @Test
    void aReleasedBufferOfTheSameLengthComesBackAndOthersAreFresh() {
        CpuBufferPool pool = new CpuBufferPool(1000, false);
        float[] a = new float[10];
        pool.put(a);
        assertNotSame(a, pool.take(11));
        assertSame(a, pool.take(10));
        assertNotSame(a, pool.take(10));
        assertEquals(1, pool.reused());
        assertEquals(2, pool.fresh());
        assertEquals(0, pool.heldFloats());
    }

    @Test
    void releasesBeyondTheCapacityAreLeftToTheCollector() {
        CpuBufferPool pool = new CpuBufferPool(25, false);
        pool.put(new float[10]);
        pool.put(new float[10]);
        pool.put(new float[10]);
        assertEquals(20, pool.heldFloats());
        pool.take(10);
        pool.take(10);
        pool.take(10);
        assertEquals(2, pool.reused());
        assertEquals(1, pool.fresh());
    }

    /**
     * The pool holds its buffers softly: a JVM whose pool holds three quarters of a 256 MB heap can still allocate
     * three eighths of it (a pool holding them strongly ends in OutOfMemoryError there).
     */
    @Test
    void heldBuffersGiveWayWhenTheHeapRunsShort() throws Exception {
        String java = ProcessHandle.current().info().command().orElse(null);
        Assumptions.assumeTrue(java != null, "cannot locate this JVM's launcher: no child JVM to start");
        Process proc = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                CpuBufferPoolPressureMain.class.getName()).redirectErrorStream(true).start();
        String out = new String(proc.getInputStream().readAllBytes());
        assertTrue(proc.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish: " + out);
        assertEquals(0, proc.exitValue(), out);
        long reclaimed = Long.parseLong(out.replaceAll("(?s).*reclaimed=(\\d+).*", "$1"));
        assertTrue(reclaimed > 0, out);
    }
}
