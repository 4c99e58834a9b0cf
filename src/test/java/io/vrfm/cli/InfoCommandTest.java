package io.vrfm.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InfoCommandTest {
    @Test
    void infoReportsBackendsWithoutStackTraces() {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out));
        System.setErr(new PrintStream(err));
        int code;
        try {
            code = Main.execute("info");
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        String text = out.toString();
        assertEquals(0, code);
        assertTrue(text.contains("CPU:   usable"), text);
        assertTrue(text.lines().anyMatch(l -> l.startsWith("CUDA:")), text);
        assertFalse((text + err).contains("\tat "), "no stack trace: " + text + err);
    }

    @Test
    void olderJdksGetOneHintAndNewerNone() {
        assertTrue(InfoCommand.jdkNote(17).contains("JDK 21+") && InfoCommand.jdkNote(17).contains(
                "-XX:-TieredCompilation"), InfoCommand.jdkNote(17));
        assertEquals("", InfoCommand.jdkNote(21));
        assertEquals("", InfoCommand.jdkNote(25));
    }

    @Test
    void unknownDeviceIsOneLineError() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> io.vrfm.backend.Devices.open("tpu", line -> { }));
        assertTrue(e.getMessage().contains("auto, cpu or cuda"), e.getMessage());
    }
}
