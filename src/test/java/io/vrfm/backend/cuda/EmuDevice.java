package io.vrfm.backend.cuda;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@link Device} whose "GPU" is a host process running {@code kernels/*.cu} under the emulation header
 * {@code src/test/cuda/cuda_emu.h} (built once per source hash with g++ and AddressSanitizer into
 * {@code target/emu/}). Memory addresses are the driver process's heap pointers, so out-of-bounds kernel
 * accesses abort with an ASan report (copied into the exception).
 */
final class EmuDevice implements Device {
    static final Path ROOT = Paths.get("").toAbsolutePath();
    static final Path KERNELS = ROOT.resolve("kernels");
    static final Path CUDA_TEST = ROOT.resolve("src/test/cuda");
    static final String CXX_FLAGS = "-std=c++20 -O1 -g -fsanitize=address -fno-omit-frame-pointer -ffp-contract=off"
            + " -Wall -Wno-unknown-pragmas -pthread";
    private static final Pattern KERNEL = Pattern.compile("extern \"C\" __global__ void (\\w+)\\s*\\(");

    /** Every kernel name launched by any EmuDevice in this JVM. */
    static final Set<String> LAUNCHED = ConcurrentHashMap.newKeySet();

    private final Process process;
    private final DataInputStream in;
    private final OutputStream out;
    private final Path stderr;
    private final ByteBuffer header = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);

    private EmuDevice(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        this.in = new DataInputStream(new BufferedInputStream(process.getInputStream(), 1 << 16));
        this.out = new BufferedOutputStream(process.getOutputStream(), 1 << 16);
    }

    /** Null when g++ can be run, else the reason the emulation cannot run here. */
    static String unavailableReason() {
        try {
            Process p = new ProcessBuilder("g++", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0 ? null : "g++ --version failed";
        } catch (IOException | InterruptedException e) {
            return "g++ not found (needed for the CUDA host-emulation tests): " + e.getMessage();
        }
    }

    /** Kernel names declared in kernels/*.cu, sorted. */
    static List<String> declaredKernels() throws IOException {
        TreeSet<String> names = new TreeSet<>();
        for (Path cu : cuFiles()) {
            Matcher m = KERNEL.matcher(Files.readString(cu));
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        return new ArrayList<>(names);
    }

    static List<Path> cuFiles() throws IOException {
        try (var s = Files.list(KERNELS)) {
            return s.filter(p -> p.toString().endsWith(".cu")).sorted().toList();
        }
    }

    /** Builds (or reuses) the driver binary for the current sources. */
    static synchronized Path driver() throws IOException, InterruptedException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        List<Path> sources = new ArrayList<>(cuFiles());
        sources.add(KERNELS.resolve("common.cuh"));
        sources.add(CUDA_TEST.resolve("cuda_emu.h"));
        sources.add(CUDA_TEST.resolve("emu_driver.cpp"));
        for (Path p : sources) {
            md.update(p.getFileName().toString().getBytes(StandardCharsets.UTF_8));
            md.update(Files.readAllBytes(p));
        }
        md.update(CXX_FLAGS.getBytes(StandardCharsets.UTF_8));
        String hash = HexFormat.of().formatHex(md.digest()).substring(0, 16);
        Path dir = ROOT.resolve("target/emu");
        Files.createDirectories(dir);
        Path exe = dir.resolve("emu_driver-" + hash);
        if (Files.isExecutable(exe)) {
            return exe;
        }
        // test JVMs run in parallel (surefire forkCount): one builds, the others wait on the lock and reuse its driver
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(dir.resolve("build.lock"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
             java.nio.channels.FileLock ignored = ch.lock()) {
            return Files.isExecutable(exe) ? exe : build(dir, hash, exe);
        }
    }

    /** Compiles the driver for {@code hash} into {@code exe} (under the build lock). */
    private static Path build(Path dir, String hash, Path exe) throws IOException, InterruptedException {
        StringBuilder inc = new StringBuilder();
        for (Path cu : cuFiles()) {
            inc.append("#include \"").append(cu.toAbsolutePath()).append("\"\n");
        }
        inc.append("#define VRFM_KERNELS(R)");
        for (String k : declaredKernels()) {
            inc.append(" R(").append(k).append(")");
        }
        inc.append('\n');
        // per-process names: test JVMs running in parallel may build the same driver at the same time
        long pid = ProcessHandle.current().pid();
        Path incFile = dir.resolve("kernels-" + hash + "-" + pid + ".inc");
        Files.writeString(incFile, inc);
        Path tmp = dir.resolve("emu_driver-" + hash + "-" + pid + ".tmp");
        String log = compile(incFile, tmp, CXX_FLAGS);
        if (log != null) { // no AddressSanitizer runtime here? build without it rather than fail
            String plain = CXX_FLAGS.replace(" -fsanitize=address", "");
            String log2 = compile(incFile, tmp, plain);
            if (log2 != null) {
                throw new IOException("compiling the emulation driver failed:\n" + log + "\n--- without ASan:\n" + log2);
            }
            System.err.println("[EmuDevice] built without AddressSanitizer (ASan build failed)");
        }
        try (var old = Files.list(dir)) { // keep one driver: drop builds of older sources
            for (Path p : old.filter(p -> p.getFileName().toString().startsWith("emu_driver-")
                    || p.getFileName().toString().startsWith("kernels-")).toList()) {
                if (!p.getFileName().toString().contains(hash)) {
                    Files.deleteIfExists(p);
                }
            }
        }
        Files.move(tmp, exe, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return exe;
    }

    /** Compiles the driver; null on success, else the compiler's output. */
    private static String compile(Path incFile, Path out, String flags) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("g++");
        cmd.addAll(List.of(flags.split(" ")));
        cmd.add("-I" + CUDA_TEST);
        cmd.add("-DVRFM_KERNELS_INC=\"" + incFile.toAbsolutePath() + "\"");
        cmd.add(CUDA_TEST.resolve("emu_driver.cpp").toString());
        cmd.add("-o");
        cmd.add(out.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return p.waitFor() == 0 ? null : String.join(" ", cmd) + "\n" + log;
    }

    static EmuDevice start() throws IOException, InterruptedException {
        Path exe = driver();
        Path err = Files.createTempFile(exe.getParent(), "emu-stderr-", ".txt");
        ProcessBuilder pb = new ProcessBuilder(exe.toString()).redirectError(err.toFile());
        pb.environment().put("ASAN_OPTIONS", "detect_leaks=0:abort_on_error=0");
        return new EmuDevice(pb.start(), err);
    }

    private RuntimeException died(Exception cause) {
        String tail = "";
        try {
            process.waitFor(2, TimeUnit.SECONDS);
            String s = Files.readString(stderr);
            tail = s.length() > 6000 ? s.substring(s.length() - 6000) : s;
        } catch (IOException | InterruptedException ignored) {
            // best effort
        }
        return new IllegalStateException("emulated device died (exit " + (process.isAlive() ? "?" : process.exitValue())
                + "):\n" + tail, cause);
    }

    private void send(ByteBuffer b) {
        try {
            out.write(b.array(), 0, b.position());
        } catch (IOException e) {
            throw died(e);
        }
    }

    private void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw died(e);
        }
    }

    private ByteBuffer hdr(char op) {
        header.clear();
        header.put((byte) op);
        return header;
    }

    private long readLong() {
        try {
            byte[] b = new byte[8];
            in.readFully(b);
            return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
        } catch (IOException e) {
            throw died(e);
        }
    }

    @Override
    public String describe() {
        return "emulated CUDA device (kernels/*.cu on the host CPU, g++ + cuda_emu.h)";
    }

    @Override
    public boolean exactAllocations() {
        return true;
    }

    @Override
    public synchronized long malloc(long bytes) {
        send(hdr('A').putLong(bytes));
        flush();
        long a = readLong();
        if (a == 0) {
            throw new OutOfDeviceMemoryException("emulated malloc of " + bytes + " bytes failed");
        }
        return a;
    }

    @Override
    public synchronized void free(long address) {
        send(hdr('F').putLong(address));
    }

    @Override
    public synchronized void upload(float[] src, int srcOffset, long dst, int n) {
        send(hdr('U').putLong(dst).putLong(4L * n));
        ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(src, srcOffset, n);
        b.position(4 * n);
        send(b);
    }

    @Override
    public synchronized void download(long src, float[] dst, int dstOffset, int n) {
        send(hdr('D').putLong(src).putLong(4L * n));
        flush();
        byte[] bytes = new byte[4 * n];
        try {
            in.readFully(bytes);
        } catch (IOException e) {
            throw died(e);
        }
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(dst, dstOffset, n);
    }

    @Override
    public synchronized void copy(long dst, long src, long bytes) {
        send(hdr('C').putLong(dst).putLong(src).putLong(bytes));
    }

    @Override
    public synchronized void launch(String name, int gx, int gy, int gz, int bx, int by, int bz, Object... args) {
        LAUNCHED.add(name);
        ByteBuffer a = ByteBuffer.allocate(16 + 80 * args.length).order(ByteOrder.LITTLE_ENDIAN);
        for (Object o : args) {
            if (o instanceof Integer i) {
                a.put((byte) 'i').putInt(i);
            } else if (o instanceof Long l) {
                a.put((byte) 'l').putLong(l);
            } else if (o instanceof Float f) {
                a.put((byte) 'f').putFloat(f);
            } else if (o instanceof int[] s) {
                a.put((byte) 's').putInt(s.length);
                for (int v : s) {
                    a.putInt(v);
                }
            } else {
                throw new IllegalArgumentException("kernel argument of type " + o.getClass());
            }
        }
        byte[] nm = name.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer h = ByteBuffer.allocate(64 + nm.length).order(ByteOrder.LITTLE_ENDIAN);
        h.put((byte) 'L').putInt(nm.length).put(nm).putInt(gx).putInt(gy).putInt(gz).putInt(bx).putInt(by).putInt(bz)
                .putInt(a.position());
        send(h);
        send(a);
        flush();
        try {
            int st = in.readUnsignedByte();
            if (st != 0) {
                byte[] b = new byte[4];
                in.readFully(b);
                int len = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt();
                byte[] msg = new byte[len];
                in.readFully(msg);
                throw new IllegalStateException("emulated launch failed: " + new String(msg, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw died(e);
        }
    }

    @Override
    public synchronized void synchronize() {
        send(hdr('S'));
        flush();
        try {
            in.readUnsignedByte();
        } catch (IOException e) {
            throw died(e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            send(hdr('Q'));
            flush();
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (RuntimeException | InterruptedException ignored) {
            // already gone
        } finally {
            process.destroy();
            try {
                Files.deleteIfExists(stderr);
            } catch (IOException ignored) {
                // temp file
            }
        }
    }
}
