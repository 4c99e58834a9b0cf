package io.vrfm;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The layering of {@code src/main/java} (docs/ARCHITECTURE.md): a package may use only packages at or below its
 * own layer, and nothing above {@code backend} names a concrete backend ({@code backend.cpu}, {@code backend.cuda})
 * except the one place that chooses the device. Checked on the source text (imports and fully qualified names
 * outside comments), so it needs no extra library. Test code and {@code bench/} may use anything.
 */
class ArchitectureTest {

    /** The allowed arrows, written once: each layer may use itself and every layer before it in this list. */
    static final List<String> LAYERS = List.of("backend", "tensor", "nn", "optim", "data", "io", "flow", "eval", "cli");

    /** Classes (simple names) allowed to name a concrete backend: the device chooser. */
    static final Set<String> DEVICE_CHOOSERS = Set.of("Devices");

    /** Layers allowed to name a concrete backend besides {@code backend} itself: the launcher reports on them. */
    static final Set<String> LAYERS_NAMING_BACKENDS = Set.of("cli");

    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.vrfm\\.([a-z_][a-z0-9_]*)(\\.[a-z_][a-z0-9_]*)?");

    @Test
    void mainSourcesRespectTheLayers() throws IOException {
        Path root = Path.of("src/main/java");
        assertTrue(Files.isDirectory(root), "run from the repository root: " + root.toAbsolutePath() + " is missing");
        List<String> problems = new ArrayList<>();
        int files;
        try (Stream<Path> walk = Files.walk(root)) {
            List<Path> sources = walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
            files = sources.size();
            for (Path p : sources) {
                problems.addAll(violations(root.relativize(p).toString(), Files.readString(p)));
            }
        }
        assertTrue(files > 50, "expected the engine's sources under " + root + ", found " + files + " files");
        if (!problems.isEmpty()) {
            fail(problems.size() + " layering violation(s) (allowed order, bottom to top: " + LAYERS + "):\n  "
                    + String.join("\n  ", problems));
        }
    }

    /**
     * The engine uses one vector shape, the preferred one: a second {@code FloatVector} species in the process makes
     * the GEMM kernel's vector calls polymorphic, C2 stops inlining them, and the step ran 4× slower (measured when
     * {@code ReduceVector} first used {@code SPECIES_128}). Species built from a shape count too: a trial build that
     * widened floats through a half-width float species ({@code VectorSpecies.of(float.class,
     * VectorShape.forBitSize(…))}) made the 2-D V-RFM step allocate 300 MB per step in the GELU kernels, in every
     * start (that build also moved the sinusoidal features, so the species is the likely cause, not a proven one).
     */
    @Test
    void mainSourcesUseOnlyThePreferredVectorSpecies() throws IOException {
        Pattern otherSpecies = Pattern.compile("\\b(Float|Double|Int|Long|Short|Byte)Vector\\.SPECIES_(?!PREFERRED\\b)\\w+"
                + "|\\bVectorShape\\.S_|\\bwithShape\\(|\\bSpeciesOfShape|\\bspecies\\(VectorShape"
                + "|\\bVectorSpecies\\.of\\(|\\bVectorShape\\.forBitSize\\(|\\bwithLanes\\(");
        List<String> problems = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(Path.of("src/main/java/io/vrfm/backend/cpu"))) {
            for (Path p : walk.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                String text = Files.readString(p);
                Matcher m = otherSpecies.matcher(text);
                while (m.find()) {
                    problems.add(p.getFileName() + ":" + lineOf(text, m.start()) + ": " + m.group());
                }
            }
        }
        assertTrue(problems.isEmpty(), "use FloatVector.SPECIES_PREFERRED (and DoubleVector.SPECIES_PREFERRED for "
                + "widening): " + problems);
    }

    /**
     * Every vector store in the CPU backend casts the vector to its species' class first ({@code V.cast(v).intoArray},
     * see {@code SgemmKernels.V}): without the cast, JDK 17's C2 took the store's species from a type profile and, in
     * about a third of JVM starts, left the store (and so the kernel) boxed and allocating.
     */
    @Test
    void everyVectorStoreCastsToTheSpeciesClassFirst() throws IOException {
        Pattern store = Pattern.compile("^\\s*(.*?)\\.intoArray\\(", Pattern.MULTILINE);
        List<String> problems = new ArrayList<>();
        int stores = 0;
        try (Stream<Path> walk = Files.walk(Path.of("src/main/java/io/vrfm/backend/cpu"))) {
            for (Path p : walk.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                String text = Files.readString(p);
                Matcher m = store.matcher(text);
                while (m.find()) {
                    if (m.group(1).startsWith("*") || m.group(1).startsWith("//")) {
                        continue;
                    }
                    stores++;
                    if (!m.group(1).matches("(\\w+\\.)?D?V\\.cast\\(.*\\)")) {
                        problems.add(p.getFileName() + ":" + lineOf(text, m.start()) + ": " + m.group(1));
                    }
                }
            }
        }
        assertTrue(stores > 100, "found only " + stores + " vector stores: has the pattern gone stale?");
        assertTrue(problems.isEmpty(), "write vector stores as V.cast(v).intoArray(a, i): " + problems);
    }

    /** Every {@code kernels/*.cu} starts with {@code // CPU twin: io.vrfm.backend.cpu.CpuX}, and CpuX exists. */
    @Test
    void everyKernelFileNamesAnExistingCpuTwin() throws IOException {
        Path kernels = Path.of("kernels");
        assertTrue(Files.isDirectory(kernels), "run from the repository root: " + kernels.toAbsolutePath()
                + " is missing");
        Pattern twin = Pattern.compile("^// CPU twin: io\\.vrfm\\.backend\\.cpu\\.(\\w+)");
        List<String> problems = new ArrayList<>();
        int files = 0;
        try (Stream<Path> list = Files.list(kernels)) {
            for (Path cu : list.filter(p -> p.toString().endsWith(".cu")).sorted().toList()) {
                files++;
                String first = Files.readAllLines(cu).stream().findFirst().orElse("");
                Matcher m = twin.matcher(first);
                if (!m.find()) {
                    problems.add(cu + ": first line must be '// CPU twin: io.vrfm.backend.cpu.Cpu<Family>', got '"
                            + first + "'");
                } else if (!Files.isRegularFile(Path.of("src/main/java/io/vrfm/backend/cpu", m.group(1) + ".java"))) {
                    problems.add(cu + ": names CPU twin " + m.group(1) + ", but backend/cpu/" + m.group(1)
                            + ".java does not exist");
                }
            }
        }
        assertTrue(files >= 10, "expected the kernel families in " + kernels + ", found " + files);
        assertEquals(List.of(), problems);
    }

    @Test
    void anUpwardImportIsReported() {
        List<String> v = violations("Bad.java",
                "package io.vrfm.tensor;\n\nimport io.vrfm.nn.Module;\n\nclass Bad {}\n");
        assertEquals(1, v.size(), v.toString());
        assertTrue(v.get(0).contains("tensor") && v.get(0).contains("io.vrfm.nn"), v.get(0));
    }

    @Test
    void aFullyQualifiedUpwardReferenceIsReportedButCommentsAndStringsAreNot() {
        String src = "package io.vrfm.optim;\n"
                + "/** Used by {@link io.vrfm.flow.Trainer}. */\n"
                + "class Bad {\n"
                + "    // io.vrfm.cli.Main calls this\n"
                + "    String s = \"io.vrfm.eval.X // not code\";\n"
                + "    Object o = new io.vrfm.data.SyntheticData(); /* io.vrfm.io.X */\n"
                + "}\n";
        List<String> v = violations("Bad.java", src);
        assertEquals(1, v.size(), v.toString());
        assertTrue(v.get(0).contains("io.vrfm.data") && v.get(0).contains(":6"), v.get(0));
    }

    @Test
    void downwardAndSameLayerReferencesPass() {
        String src = "package io.vrfm.flow;\nimport io.vrfm.io.SafeTensors;\nimport io.vrfm.data.X;\n"
                + "import static io.vrfm.tensor.Tensor.zeros;\nimport io.vrfm.flow.Sampler;\nclass Ok {}\n";
        assertEquals(List.of(), violations("Ok.java", src));
    }

    @Test
    void aConcreteBackendAboveTheBackendLayerIsReported() {
        List<String> v = violations("nn/Bad.java",
                "package io.vrfm.nn;\nimport io.vrfm.backend.cpu.CpuBackend;\nclass Bad {}\n");
        assertEquals(1, v.size(), v.toString());
        assertTrue(v.get(0).contains("concrete backend"), v.get(0));
        assertEquals(List.of(), violations("tensor/Devices.java",
                "package io.vrfm.tensor;\nimport io.vrfm.backend.cuda.CudaBackend;\nclass Devices {}\n"));
        assertEquals(List.of(), violations("backend/cuda/X.java",
                "package io.vrfm.backend.cuda;\nimport io.vrfm.backend.cpu.CpuBackend;\nclass X {}\n"));
    }

    @Test
    void aPackageOutsideTheListIsReported() {
        List<String> v = violations("util/X.java", "package io.vrfm.util;\nclass X {}\n");
        assertEquals(1, v.size(), v.toString());
        assertTrue(v.get(0).contains("not in the layer list"), v.get(0));
        List<String> w = violations("nn/Y.java", "package io.vrfm.nn;\nimport io.vrfm.util.Z;\nclass Y {}\n");
        assertEquals(1, w.size(), w.toString());
    }

    /**
     * Every reference from {@code source} that breaks the layering, as {@code file:line: message}; empty when the
     * file is clean. {@code file} is only used in the messages (and its simple name for {@link #DEVICE_CHOOSERS}).
     */
    static List<String> violations(String file, String source) {
        List<String> out = new ArrayList<>();
        String code = withoutCommentsAndStrings(source);
        Matcher pm = PACKAGE.matcher(code);
        if (!pm.find()) {
            out.add(file + ": no package declaration");
            return out;
        }
        String pkg = pm.group(1);
        if (!pkg.startsWith("io.vrfm.")) {
            out.add(file + ": package " + pkg + " is outside io.vrfm");
            return out;
        }
        String layer = pkg.substring("io.vrfm.".length()).split("\\.")[0];
        int own = LAYERS.indexOf(layer);
        if (own < 0) {
            out.add(file + ": package io.vrfm." + layer + " is not in the layer list " + LAYERS
                    + " (add it to ArchitectureTest.LAYERS and docs/ARCHITECTURE.md)");
            return out;
        }
        String simpleName = Path.of(file).getFileName().toString().replace(".java", "");
        boolean mayNameBackends = layer.equals("backend") || LAYERS_NAMING_BACKENDS.contains(layer)
                || DEVICE_CHOOSERS.contains(simpleName);
        Matcher m = REFERENCE.matcher(code);
        while (m.find()) {
            if (m.start() >= pm.start() && m.end() <= pm.end()) {
                continue;                                     // the package declaration itself
            }
            String target = m.group(1);
            String sub = m.group(2);
            int line = lineOf(code, m.start());
            int theirs = LAYERS.indexOf(target);
            if (theirs < 0) {
                out.add(file + ":" + line + ": " + pkg + " uses io.vrfm." + target + ", which is not in the layer list "
                        + LAYERS);
            } else if (theirs > own) {
                out.add(file + ":" + line + ": " + pkg + " (layer " + layer + ") uses io.vrfm." + target
                        + " from a layer above it; allowed order, bottom to top: " + LAYERS);
            } else if (target.equals("backend") && !mayNameBackends
                    && (".cpu".equals(sub) || ".cuda".equals(sub))) {
                out.add(file + ":" + line + ": " + pkg + " names the concrete backend io.vrfm.backend" + sub
                        + "; only backend, the launcher and the device chooser (" + DEVICE_CHOOSERS + ") may");
            }
        }
        return out;
    }

    private static int lineOf(String text, int index) {
        int line = 1;
        for (int k = 0; k < index; k++) {
            if (text.charAt(k) == '\n') {
                line++;
            }
        }
        return line;
    }

    /**
     * The source with comments and the contents of string and character literals blanked out (newlines kept, so
     * line numbers stay right). Text blocks are treated as strings.
     */
    static String withoutCommentsAndStrings(String s) {
        StringBuilder b = new StringBuilder(s.length());
        int n = s.length();
        int k = 0;
        while (k < n) {
            char c = s.charAt(k);
            if (c == '/' && k + 1 < n && s.charAt(k + 1) == '/') {
                while (k < n && s.charAt(k) != '\n') {
                    b.append(' ');
                    k++;
                }
            } else if (c == '/' && k + 1 < n && s.charAt(k + 1) == '*') {
                int end = s.indexOf("*/", k + 2);
                end = end < 0 ? n : end + 2;
                for (; k < end; k++) {
                    b.append(s.charAt(k) == '\n' ? '\n' : ' ');
                }
            } else if (c == '"' && s.startsWith("\"\"\"", k)) {
                int end = s.indexOf("\"\"\"", k + 3);
                end = end < 0 ? n : end + 3;
                for (; k < end; k++) {
                    b.append(s.charAt(k) == '\n' ? '\n' : ' ');
                }
            } else if (c == '"' || c == '\'') {
                b.append(' ');
                k++;
                while (k < n && s.charAt(k) != c && s.charAt(k) != '\n') {
                    if (s.charAt(k) == '\\' && k + 1 < n) {
                        b.append(' ');
                        k++;
                    }
                    b.append(' ');
                    k++;
                }
                if (k < n) {
                    b.append(s.charAt(k) == '\n' ? '\n' : ' ');
                    k++;
                }
            } else {
                b.append(c);
                k++;
            }
        }
        return b.toString();
    }
}
