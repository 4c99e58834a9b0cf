package io.vrfm;

import io.vrfm.io.SafeTensors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** README.md's "Use it from Java" program, extracted verbatim, compiled with javax.tools and run (few iterations). */
class ReadmeExampleTest {
    static String exampleFromReadme() throws Exception {
        String readme = Files.readString(Paths.get("README.md"));
        int at = readme.indexOf("### Use it from Java");
        assertTrue(at >= 0, "README.md has no \"### Use it from Java\" section");
        Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(m.find(at), "no ```java block after the section heading");
        return m.group(1);
    }

    @Test
    void theReadmeProgramCompilesRunsAndWritesSamples(@TempDir Path dir) throws Exception {
        String code = exampleFromReadme();
        Matcher cls = Pattern.compile("public class (\\w+)").matcher(code);
        assertTrue(cls.find(), "the example declares a public class");
        String name = cls.group(1);
        Path src = dir.resolve(name + ".java");
        Files.writeString(src, code);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        Assumptions.assumeTrue(javac != null, "no system Java compiler (running on a JRE)");
        String cp = Paths.get("target/classes").toAbsolutePath() + File.pathSeparator + System.getProperty("java.class.path");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = javac.run(null, null, err, "-cp", cp, "-d", dir.toString(), src.toString());
        assertEquals(0, rc, "the README example does not compile:\n" + err);
        Path out = dir.resolve("samples.safetensors");
        try (URLClassLoader loader = new URLClassLoader(new URL[]{dir.toUri().toURL()}, getClass().getClassLoader())) {
            Method main = loader.loadClass(name).getMethod("main", String[].class);
            main.invoke(null, (Object) new String[]{"20", out.toString()});
        }
        SafeTensors.Contents c = SafeTensors.read(out);
        SafeTensors.Entry e = c.tensors().get("samples");
        assertEquals(java.util.List.of(1000, 2), java.util.Arrays.stream(e.shape()).boxed().toList());
        assertEquals("20", c.metadata().get("nfe"));
        for (float v : e.data()) {
            assertTrue(Float.isFinite(v), "samples are finite");
        }
    }
}
