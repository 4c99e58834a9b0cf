package io.vrfm.bench;

import io.vrfm.backend.cuda.CudaBackend;
import java.util.Collection;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the CUDA benchmarks ({@code Cuda*Bench}) and prints GB/s against the measured copy bandwidth and GFLOP/s of
 * the hand-written SGEMM against cuBLAS. Without a usable GPU it prints the one-line reason and exits 0.
 * Extra arguments are JMH options (e.g. {@code -rf json -rff out.json}); {@code --check} only says the class is there.
 * Run: {@code java --add-modules jdk.incubator.vector -cp target/vrfm4j-bench.jar io.vrfm.bench.CudaBenchMain}.
 */
public final class CudaBenchMain {
    private CudaBenchMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].equals("--check")) {
            System.out.println("CudaBenchMain present");
            return;
        }
        CudaBackend.Probe p = CudaBackend.probe();
        if (!p.available()) {
            System.out.println("CUDA benchmarks skipped: " + p.reason());
            return;
        }
        Options opt = new OptionsBuilder().parent(new CommandLineOptions(args))
                .include("io\\.vrfm\\.bench\\.Cuda.*Bench").build();
        Collection<RunResult> results = new Runner(opt).run();
        double copyGbs = Double.NaN, cublas = Double.NaN, kernel = Double.NaN;
        StringBuilder ew = new StringBuilder("| kernel | GB/s | of copy bandwidth |\n|---|---:|---:|\n");
        StringBuilder gm = new StringBuilder("| gemm path | n | GFLOP/s |\n|---|---:|---:|\n");
        for (RunResult r : results) {
            String label = r.getParams().getBenchmark();
            String method = label.substring(label.lastIndexOf('.') + 1);
            double ops = r.getPrimaryResult().getScore();
            if (label.contains("CudaElementwiseBench")) {
                long n = Long.parseLong(r.getParams().getParam("n"));
                double gbs = ops * CudaElementwiseBench.BYTES_PER_ELEMENT.get(method) * n / 1e9;
                if (method.equals("copy")) {
                    copyGbs = gbs;
                }
                ew.append(String.format("| %s | %.0f | %s |%n", method, gbs, "%COPY" + gbs));
            } else if (label.contains("CudaGemmBench")) {
                long n = Long.parseLong(r.getParams().getParam("n"));
                String path = r.getParams().getParam("path");
                double gflops = ops * 2.0 * n * n * n / 1e9;
                if (path.equals("cublas")) {
                    cublas = gflops;
                } else if (path.equals("kernel")) {
                    kernel = gflops;
                }
                gm.append(String.format("| %s | %d | %.0f |%n", path, n, gflops));
            }
        }
        String table = ew.toString();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("%COPY([0-9.Ee+-]+)").matcher(table);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            double g = Double.parseDouble(m.group(1));
            m.appendReplacement(out, Double.isNaN(copyGbs) ? "-" : String.format("%.2f", g / copyGbs));
        }
        m.appendTail(out);
        System.out.println();
        System.out.println(CudaBackend.probe().device());
        System.out.println(out);
        System.out.println(gm);
        System.out.println(Double.isNaN(cublas) ? "hand-written SGEMM vs cuBLAS: cuBLAS not measured (see setup errors above)"
                : String.format("hand-written SGEMM / cuBLAS FP32 = %.2f", kernel / cublas));
    }
}
