package io.vrfm.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one-line note about a JVM start whose SIMD kernels box: said once when a step allocates too much, else never. */
class SimdHealthTest {

    /** Steps 1..steps of 20 ms, each allocating {@code perStep} bytes on the fake counter; returns what was printed. */
    private static String run(long perStep, int batch, int javaFeature, int steps, long from) {
        return run(perStep, batch, javaFeature, steps, from, 20_000_000L);
    }

    private static String run(long perStep, int batch, int javaFeature, int steps, long from, long nanosPerStep) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        AtomicLong bytes = new AtomicLong(), clock = new AtomicLong();
        SimdHealth h = new SimdHealth(new PrintStream(buf, true, StandardCharsets.UTF_8), bytes::get, clock::get, batch,
                javaFeature);
        for (long step = from; step <= steps; step++) {
            bytes.addAndGet(perStep);
            clock.addAndGet(nanosPerStep);
            h.afterStep(step);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aBoxingStartIsNamedOnceWithTheAllocationAndTheWayOut() {
        String out = run(143_250_000, 1000, 17, 2000, 1);
        assertEquals(1, out.split("note: ", -1).length - 1, out);
        assertTrue(out.contains("allocates 143 MB") && out.contains("--resume") && out.contains("JDK 21")
                && out.contains("-XX:-TieredCompilation"), out);
    }

    /** The advice to turn tiered compilation off is not given to a JVM that already runs without it. */
    @Test
    void noTieredCompilationAdviceWhereItIsAlreadyOff() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        AtomicLong bytes = new AtomicLong(), clock = new AtomicLong();
        SimdHealth h = new SimdHealth(new PrintStream(buf, true, StandardCharsets.UTF_8), bytes::get, clock::get, 1000,
                17, false);
        for (long step = 1; step <= 2000; step++) {
            bytes.addAndGet(143_250_000);
            clock.addAndGet(20_000_000L);
            h.afterStep(step);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("allocates 143 MB") && out.contains("JDK 21") && !out.contains("Tiered"), out);
    }

    @Test
    void aHealthyStartSaysNothing() {
        assertEquals("", run(210_000, 1000, 17, 2000, 1));
        // a large batch may allocate more per step without being a boxing start; a tiny one a little more per sample
        assertEquals("", run(50_000_000, 100_000, 17, 2000, 1));
        assertEquals("", run(1_500_000, 10, 17, 2000, 1));
    }

    @Test
    void nothingBeforeTheKernelsHadTimeToCompileNorWithoutAFullWindow() {
        assertEquals("", run(143_250_000, 1000, 17, SimdHealth.FROM_STEP - 1, 1));
        assertEquals("", run(143_250_000, 1000, 17, SimdHealth.FROM_STEP + SimdHealth.WINDOW - 1, 1));
    }

    /**
     * Fast steps reach step 300 before C2 has compiled the kernels (the quick preset's run, 4 ms a step, said "11 MB"
     * at step 300 while still warming up): the window waits for five seconds too, and a start that has stopped
     * allocating by then is healthy.
     */
    @Test
    void fastStepsAreJudgedOnlyAfterFiveSeconds() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        AtomicLong bytes = new AtomicLong(), clock = new AtomicLong();
        SimdHealth h = new SimdHealth(new PrintStream(buf, true, StandardCharsets.UTF_8), bytes::get, clock::get, 256, 17);
        for (long step = 1; step <= 1500; step++) {
            bytes.addAndGet(clock.get() < 3_000_000_000L ? 11_000_000 : 150_000);   // boxed C1 code for 3 s
            clock.addAndGet(4_000_000L);
            h.afterStep(step);
        }
        assertEquals("", buf.toString(StandardCharsets.UTF_8));
        assertTrue(run(11_000_000, 256, 17, 1500, 1, 4_000_000L).contains("allocates 11 MB"), "still judged later");
    }

    @Test
    void aResumedRunIsWatchedFromWhereItResumesAndNewerJdksGetNoJdkAdvice() {
        String out = run(80_000_000, 1000, 25, 1500, 1200);
        assertTrue(out.contains("allocates 80 MB") && !out.contains("JDK 21") && !out.contains("Tiered"), out);
    }

    @Test
    void aJvmThatCannotCountAllocationStaysQuiet() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        SimdHealth h = new SimdHealth(new PrintStream(buf, true, StandardCharsets.UTF_8), () -> -1, System::nanoTime,
                1000, 17);
        for (int step = 1; step <= 1000; step++) {
            h.afterStep(step);
        }
        assertEquals("", buf.toString(StandardCharsets.UTF_8));
    }
}
