package io.vrfm.eval;

import io.vrfm.backend.Backend;
import io.vrfm.io.AtomicFiles;
import io.vrfm.io.SafeTensors;
import io.vrfm.tensor.Tensor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Reference FID statistics ({@code mu}, {@code sigma}) on disk. {@code .npz} is the FID tool's own format (float64
 * arrays {@code mu} and {@code sigma}, plus our {@code count}), so statistics move between it and this engine in both
 * directions; {@code .safetensors} stores float32 {@code mu}, {@code sigma} and the count and metric in metadata.
 */
public final class FidStatsFile {
    private FidStatsFile() {
    }

    /**
     * Writes {@code stats} (format by extension: .npz or .safetensors); {@code metric} names the features; {@code be}
     * holds the float32 tensors of a safetensors file while they are written.
     */
    public static void save(Path path, FrechetDistance.Stats stats, String metric, Backend be) throws IOException {
        int d = stats.dim();
        String name = path.getFileName().toString();
        if (name.endsWith(".safetensors")) {
            float[] mu = new float[d], sigma = new float[d * d];
            for (int i = 0; i < d; i++) {
                mu[i] = (float) stats.mu()[i];
                for (int j = 0; j < d; j++) sigma[i * d + j] = (float) stats.sigma()[i][j];
            }
            Map<String, Tensor> t = new LinkedHashMap<>();
            t.put("mu", Tensor.of(be, mu, d));
            t.put("sigma", Tensor.of(be, sigma, d, d));
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("count", Integer.toString(stats.n()));
            meta.put("metric", metric);
            SafeTensors.write(path, t, meta);
            return;
        }
        if (!name.endsWith(".npz")) {
            throw new IllegalArgumentException("FID statistics file " + path + ": name it .npz or .safetensors");
        }
        double[] sigma = new double[d * d];
        for (int i = 0; i < d; i++) System.arraycopy(stats.sigma()[i], 0, sigma, i * d, d);
        AtomicFiles.write(path, out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            putNpy(zip, "mu", stats.mu(), new int[]{d});
            putNpy(zip, "sigma", sigma, new int[]{d, d});
            putNpy(zip, "count", new double[]{stats.n()}, new int[]{});
            zip.finish();
        });
    }

    /** Reads statistics written by {@link #save} or by the FID tool ({@code --save-stats}, float32 or float64). */
    public static FrechetDistance.Stats load(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("FID statistics " + path + ": no such file (make it with fid-stats)");
        }
        Map<String, double[]> arrays = new HashMap<>();
        Map<String, int[]> shapes = new HashMap<>();
        int count = -1;
        if (path.getFileName().toString().endsWith(".safetensors")) {
            SafeTensors.Contents c = SafeTensors.read(path);
            for (String k : new String[]{"mu", "sigma"}) {
                SafeTensors.Entry e = c.tensors().get(k);
                if (e == null) throw new IllegalArgumentException("FID statistics " + path + " has no '" + k + "'");
                double[] v = new double[e.data().length];
                for (int i = 0; i < v.length; i++) v[i] = e.data()[i];
                arrays.put(k, v);
                shapes.put(k, e.shape());
            }
            String n = c.metadata().get("count");
            count = n == null ? -1 : Integer.parseInt(n);
        } else {
            try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(path))) {
                for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                    String k = e.getName().replaceFirst("\\.npy$", "");
                    int[][] shape = new int[1][];
                    arrays.put(k, readNpy(zip, path, k, shape));
                    shapes.put(k, shape[0]);
                }
            }
            if (arrays.containsKey("count")) count = (int) arrays.get("count")[0];
        }
        double[] mu = arrays.get("mu"), sig = arrays.get("sigma");
        if (mu == null || sig == null) {
            throw new IllegalArgumentException("FID statistics " + path + " needs arrays 'mu' and 'sigma'");
        }
        int d = mu.length;
        if (sig.length != (long) d * d) {
            throw new IllegalArgumentException("FID statistics " + path + ": sigma " + java.util.Arrays.toString(shapes.get("sigma"))
                    + " does not match mu of " + d);
        }
        double[][] sigma = new double[d][d];
        for (int i = 0; i < d; i++) System.arraycopy(sig, i * d, sigma[i], 0, d);
        return new FrechetDistance.Stats(mu, sigma, count);
    }

    private static void putNpy(ZipOutputStream zip, String name, double[] data, int[] shape) throws IOException {
        StringBuilder sh = new StringBuilder("(");
        for (int k = 0; k < shape.length; k++) sh.append(k == 0 ? "" : ", ").append(shape[k]);
        sh.append(shape.length == 1 ? ",)" : ")");
        String header = "{'descr': '<f8', 'fortran_order': False, 'shape': " + sh + ", }";
        int total = 10 + header.length() + 1;
        header = header + " ".repeat((64 - total % 64) % 64) + "\n";
        ByteBuffer buf = ByteBuffer.allocate(10 + header.length() + 8 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        buf.putShort((short) header.length()).put(header.getBytes(StandardCharsets.US_ASCII));
        for (double v : data) buf.putDouble(v);
        byte[] b = buf.array();
        ZipEntry e = new ZipEntry(name + ".npy");
        e.setMethod(ZipEntry.STORED);
        e.setSize(b.length);
        CRC32 crc = new CRC32();
        crc.update(b);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(b);
        zip.closeEntry();
    }

    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([<>|]?)(f[48])'");
    private static final Pattern ORDER = Pattern.compile("'fortran_order':\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    private static double[] readNpy(InputStream in, Path file, String name, int[][] shapeOut) throws IOException {
        byte[] all = in.readAllBytes();
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        if (all.length < 10 || (all[0] & 0xff) != 0x93 || !new String(all, 1, 5, StandardCharsets.US_ASCII).equals("NUMPY")) {
            throw new IllegalArgumentException("FID statistics " + file + ": '" + name + "' is not a .npy array");
        }
        int major = all[6];
        int headerLen = major == 1 ? (b.getShort(8) & 0xffff) : b.getInt(8);
        int start = (major == 1 ? 10 : 12);
        String header = new String(all, start, headerLen, StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header), o = ORDER.matcher(header), s = SHAPE.matcher(header);
        if (!d.find() || !o.find() || !s.find() || d.group(1).equals(">") || o.group(1).equals("True")) {
            throw new IllegalArgumentException("FID statistics " + file + ": '" + name + "' must be a little-endian "
                    + "C-order float32/float64 array, header " + header.trim());
        }
        String[] dims = s.group(1).split(",");
        int[] shape = java.util.Arrays.stream(dims).map(String::trim).filter(x -> !x.isEmpty()).mapToInt(Integer::parseInt).toArray();
        shapeOut[0] = shape;
        long n = 1;
        for (int x : shape) n *= x;
        boolean f8 = d.group(2).equals("f8");
        int off = start + headerLen;
        double[] out = new double[(int) n];
        for (int i = 0; i < n; i++) out[i] = f8 ? b.getDouble(off + 8 * i) : b.getFloat(off + 4 * i);
        return out;
    }
}
