package io.vrfm.cli;

import io.vrfm.backend.cpu.CpuBackend;
import io.vrfm.io.SafeTensors;
import io.vrfm.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad invocations end in one line and a non-zero exit, never a stack trace (issue #9, crashes and messages). */
class BadInputTest {
    @TempDir
    static Path tmp;
    static Path run, data;

    @BeforeAll
    static void tinyRun() throws Exception {
        run = tmp.resolve("run");
        Cli r = Cli.run("train", "--task", "moons", "--method", "vrfm", "--iters", "1", "--batch", "8",
                "--device", "cpu", "--out", run.toString());
        assertEquals(0, r.rc, r.toString());
        data = tmp.resolve("data");
        Cli.writeMnist(data.resolve("mnist"), 20, true);
        Cli.writeMnist(data.resolve("mnist"), 20, false);
    }

    private static Path copyRun(String name) throws Exception {
        Path dst = tmp.resolve(name);
        Files.createDirectories(dst.resolve("checkpoints"));
        Files.copy(run.resolve("config.json"), dst.resolve("config.json"));
        Files.copy(run.resolve(SingleRun.CHECKPOINT), dst.resolve(SingleRun.CHECKPOINT));
        return dst;
    }

    private static void assertOneLineError(Cli r, String... mustContain) {
        assertNotEquals(0, r.rc, r.toString());
        assertFalse(r.all().contains("\tat ") || r.all().contains("Exception in thread"), "stack trace: " + r);
        List<String> lines = r.err.strip().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), "not one line: " + r);
        for (String s : mustContain) {
            assertTrue(r.err.contains(s), "'" + s + "' missing: " + r);
        }
    }

    @Test
    void badInvocationsGiveOneLineAndNoStackTrace() throws Exception {
        Path badJson = copyRun("badjson");
        Files.writeString(badJson.resolve("config.json"), "{\"task\": \"moons\", ");
        Path missingKey = copyRun("missingkey");
        Files.writeString(missingKey.resolve("config.json"), Files.readString(run.resolve("config.json"))
                .replaceAll("\"batch\" *: *[0-9]+,", ""));
        Path badHeader = copyRun("badheader");
        byte[] b = Files.readAllBytes(badHeader.resolve(SingleRun.CHECKPOINT));
        String s = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1).replaceFirst("\"data_offsets\"", "\"data_offsetz\"");
        Files.write(badHeader.resolve(SingleRun.CHECKPOINT), s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        Path idx = tmp.resolve("idxdata");
        Files.createDirectories(idx.resolve("mnist"));
        // count·rows·cols = 2^20·2^22·2^22 wraps to 0 in 64-bit arithmetic: the header "matches" a 16-byte file
        Files.write(idx.resolve("mnist/train-images-idx3-ubyte"),
                ByteBuffer.allocate(16).putInt(0x803).putInt(1 << 20).putInt(1 << 22).putInt(1 << 22).array());
        Files.write(idx.resolve("mnist/train-labels-idx1-ubyte"), ByteBuffer.allocate(8).putInt(0x801).putInt(0).array());

        Map<String[], String[]> cases = new LinkedHashMap<>();
        cases.put(new String[]{"train", "--task", "moons", "--batch", "2147483647", "--iters", "1", "--device", "cpu",
                "--out", tmp.resolve("big").toString()}, new String[]{"--batch"});
        cases.put(new String[]{"sample", "--run", run.toString(), "--n", "2000000000", "--device", "cpu"}, new String[]{"--n"});
        cases.put(new String[]{"sample", "--run", run.toString(), "--em-epsilon", "-1", "--sampler", "em", "--device", "cpu"},
                new String[]{"--em-epsilon"});
        cases.put(new String[]{"eval", "--run", run.toString(), "--n", "2000000000", "--device", "cpu"}, new String[]{"--n"});
        cases.put(new String[]{"eval-image", "--run", run.toString(), "--samples", "-5", "--device", "cpu"},
                new String[]{"--samples"});
        cases.put(new String[]{"sample", "--run", badJson.toString(), "--device", "cpu"},
                new String[]{badJson.resolve("config.json").toString()});
        cases.put(new String[]{"sample", "--run", missingKey.toString(), "--device", "cpu"},
                new String[]{missingKey.resolve("config.json").toString(), "batch"});
        cases.put(new String[]{"sample", "--run", badHeader.toString(), "--device", "cpu"},
                new String[]{badHeader.resolve(SingleRun.CHECKPOINT).toString()});
        cases.put(new String[]{"train-image", "--dataset", "mnist", "--data-dir", idx.toString(), "--device", "cpu",
                "--out", tmp.resolve("idxrun").toString()}, new String[]{"train-images-idx3-ubyte"});
        cases.put(new String[]{"train-image", "--dataset", "mnist", "--data-dir", tmp.resolve("nodata").toString(),
                "--device", "cpu", "--out", tmp.resolve("nodatarun").toString()}, new String[]{"--data-dir"});
        cases.put(new String[]{"train-image", "--dataset", "mnist", "--batch", "2147483647", "--data-dir", data.toString(),
                "--device", "cpu", "--out", tmp.resolve("bigimg").toString()}, new String[]{"--batch"});
        for (Map.Entry<String[], String[]> c : cases.entrySet()) {
            Cli r = Cli.run(c.getKey());
            assertOneLineError(r, c.getValue());
        }
    }

    @Test
    void trainImageRejectsWhatTrainRejectsWithTheSameWording() {
        Cli train = Cli.run("train", "--task", "moons", "--lr", "-1", "--device", "cpu", "--out", tmp.resolve("x1").toString());
        Cli image = Cli.run(Cli.tinyImage(data, "--lr", "-1", "--out", tmp.resolve("x2").toString()));
        assertOneLineError(train, "--lr must be positive");
        assertOneLineError(image, "--lr must be positive");
        String[][] bad = {{"--dropout", "1"}, {"--dropout", "-0.1"}, {"--warmup", "-1"}, {"--grad-clip", "-1"},
                {"--optimizer", "sgd"}, {"--width", "0"}, {"--blocks", "0"}, {"--posterior-width", "0"},
                {"--batch", "0"}, {"--ema", "1.5"}, {"--checkpoint-every", "-2"}};
        for (String[] b : bad) {
            Cli r = Cli.run("train-image", "--dataset", "mnist", "--preset", "quick", "--device", "cpu",
                    "--data-dir", data.toString(), b[0], b[1], "--out", tmp.resolve("x3").toString());
            assertOneLineError(r, b[0]);
            assertFalse(Files.exists(tmp.resolve("x3")), "validation left a run folder for " + b[0]);
        }
    }

    @Test
    void nonFiniteWeightsAreRefusedNamingTheTensor() throws Exception {
        Path nan = copyRun("nan");
        Path ck = nan.resolve(SingleRun.CHECKPOINT);
        SafeTensors.Contents c = SafeTensors.read(ck);
        Map<String, Tensor> ts = new LinkedHashMap<>();
        String victim = null;
        try (CpuBackend be = new CpuBackend(1)) {
            for (Map.Entry<String, SafeTensors.Entry> e : c.tensors().entrySet()) {
                float[] v = e.getValue().data().clone();
                if (victim == null && !e.getKey().startsWith("optim.")) {
                    victim = e.getKey();
                    v[0] = Float.NaN;
                }
                ts.put(e.getKey(), Tensor.of(be, v, e.getValue().shape()));
            }
            SafeTensors.write(ck, ts, c.metadata());
        }
        for (String cmd : new String[]{"sample", "eval"}) {
            Cli r = Cli.run(cmd, "--run", nan.toString(), "--n", "20", "--device", "cpu");
            assertOneLineError(r, victim, "non-finite");
        }
    }

    /** Item 2 at the checkpoint layer: a diverged run exits non-zero in one line and writes no NaN checkpoint. */
    @Test
    void aDivergedTrainingRunWritesNoCheckpoint() {
        Path bad = tmp.resolve("diverged");
        Cli r = Cli.run("train", "--task", "moons", "--lr", "1e6", "--iters", "10", "--batch", "32", "--device", "cpu",
                "--out", bad.toString());
        assertNotEquals(0, r.rc, r.toString());
        assertFalse(r.all().contains("\tat "), "stack trace: " + r);
        List<String> errors = r.err.lines().filter(l -> l.startsWith("error:")).toList();
        assertEquals(1, errors.size(), r.toString());
        assertTrue(errors.get(0).contains("non-finite") && errors.get(0).matches(".*step \\d+.*"),
                "one line naming the step: " + r);
        assertFalse(Files.exists(bad.resolve(SingleRun.CHECKPOINT)), "a non-finite checkpoint was written");
    }

    @Test
    void anUnexpectedExceptionIsOneLineWithTheDebugHint() {
        Cli r = Cli.run("sample", "--run", tmp.resolve("nothing").toString(), "--device", "cpu");
        assertOneLineError(r); // a user error: no hint needed
        int[] rc = new int[1];
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream old = System.err;
        try {
            System.setErr(new java.io.PrintStream(err, true));
            rc[0] = Main.execute(new Boom(), "boom");
        } finally {
            System.setErr(old);
        }
        String e = err.toString();
        assertEquals(1, rc[0], e);
        assertEquals(1, e.strip().lines().count(), e);
        assertTrue(e.contains("--debug") && e.contains("NullPointerException"), e);
        err.reset();
        try {
            System.setErr(new java.io.PrintStream(err, true));
            rc[0] = Main.execute(new Boom(), "boom", "--debug");
        } finally {
            System.setErr(old);
        }
        assertTrue(err.toString().contains("\tat "), "--debug shows the trace: " + err);
    }

    @CommandLine.Command(name = "boom-root", subcommands = Boom.Sub.class)
    static final class Boom implements Runnable {
        @Override
        public void run() {
        }

        @CommandLine.Command(name = "boom")
        static final class Sub implements Runnable {
            @Override
            public void run() {
                Object o = null;
                o.hashCode();
            }
        }
    }

    @Test
    void everyCommandHasHelpAndEveryOptionADescriptionWithItsDefault() {
        List<String> problems = new ArrayList<>();
        walk(new CommandLine(new Main()).getCommandSpec(), problems);
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        Cli info = Cli.run("info", "--help");
        assertEquals(0, info.rc, info.toString());
        assertTrue(info.out.contains("Usage"), info.out);
    }

    private static void walk(CommandSpec spec, List<String> problems) {
        String name = spec.qualifiedName();
        if (spec.optionsMap().get("--help") == null) {
            problems.add(name + ": no --help");
        }
        for (OptionSpec o : spec.options()) {
            if (o.usageHelp() || o.versionHelp()) continue;
            String d = String.join(" ", o.description());
            if (d.isBlank()) {
                problems.add(name + " " + o.longestName() + ": no description");
            } else if (o.arity().max() > 0 && !d.toLowerCase(Locale.ROOT).contains("default")
                    && !o.required()) {
                problems.add(name + " " + o.longestName() + ": description does not state the default");
            }
        }
        for (CommandLine sub : spec.subcommands().values()) {
            walk(sub.getCommandSpec(), problems);
        }
    }
}
