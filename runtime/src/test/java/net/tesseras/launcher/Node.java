package net.tesseras.launcher;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/** A node of the built distribution, driven the way an operator drives it: bin/tesseras and the shell socket. */
final class Node implements AutoCloseable {

    /** What a command printed and how it exited. */
    record Result(int exit, String out, String err) {
        Result assertOk() {
            if (exit != 0) {
                throw new AssertionError("exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err);
            }
            return this;
        }
    }

    /** Longer than any command's own timeouts (a peer request waits 30 s by default). */
    static final Duration COMMAND_DEADLINE = Duration.ofSeconds(120);

    final Path home;
    final Path data;

    Node(Path home, Path data) {
        this.home = home;
        this.data = data;
    }

    /** Extra environment for bin/tesseras (JAVA_OPTS, say). */
    private final java.util.Map<String, String> environment = new java.util.HashMap<>();

    /** Sets a variable of bin/tesseras's environment, e.g. {@code JAVA_OPTS=-Xmx512m} for the node's JVM. */
    Node environment(String name, String value) {
        environment.put(name, value);
        return this;
    }

    /** A private copy of the built distribution, so tests can edit etc/ freely. */
    static Path copyDistribution(Path into) throws IOException {
        Path dist = Path.of(System.getProperty("tesseras.dist", "target/tesseras"));
        if (!Files.isExecutable(dist.resolve("bin/tesseras"))) {
            throw new IllegalStateException("no built distribution at " + dist.toAbsolutePath() + " (run mvn package)");
        }
        try (Stream<Path> files = Files.walk(dist)) {
            for (Path source : files.toList()) {
                Path target = into.resolve(dist.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        // Every copy serves HTTP on its own free port: nodes run side by side, and beside a real one.
        int port = freePort();
        Path endpoint = into.resolve("etc/net.tesseras.metrics.cfg");
        Files.writeString(endpoint, Files.readString(endpoint).replace("port = 9190", "port = " + port));
        Path framework = into.resolve("etc/framework.properties");
        Files.writeString(framework, Files.readString(framework)
                .replace("org.osgi.service.http.port = 9190", "org.osgi.service.http.port = " + port));
        // ... and its QUIC transport on its own free UDP port, on loopback.
        Path transport = into.resolve("etc/net.tesseras.transport.cfg");
        Files.writeString(transport, Files.readString(transport).replace("listen.port = 4433", "listen.port = " + freeUdpPort())
                .replace("listen.address = 0.0.0.0", "listen.address = 127.0.0.1"));
        return into;
    }

    private static int freeUdpPort() throws IOException {
        return unusedPort(port -> new java.net.DatagramSocket(port, java.net.InetAddress.getLoopbackAddress()).close());
    }

    /**
     * A port free now and below the kernel's ephemeral range, so no outgoing connection on this
     * busy machine takes it before the node binds it (a node on a taken port does not start).
     */
    private static int unusedPort(PortProbe bind) throws IOException {
        int below = 32768;
        try {
            // readAllLines: readString trusts the size /proc reports (none) and stops early
            below = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            // not Linux: the usual lower bound
        }
        java.util.Random random = new java.util.Random();
        for (int attempt = 0; attempt < 1000 && below > 11_000; attempt++) {
            int port = 10_000 + random.nextInt(below - 10_000);
            try {
                bind.bind(port);
                return port;
            } catch (IOException inUse) {
                // try another
            }
        }
        throw new IOException("no free port below " + below);
    }

    private interface PortProbe {
        void bind(int port) throws IOException;
    }

    /** Where this distribution's node accepts peers, as host:port. */
    String transportAddress() throws IOException {
        java.util.Properties transport = new java.util.Properties();
        try (var in = Files.newBufferedReader(home.resolve("etc/net.tesseras.transport.cfg"))) {
            transport.load(in);
        }
        return transport.getProperty("listen.address").trim() + ":" + transport.getProperty("listen.port").trim();
    }

    private static int freePort() throws IOException {
        return unusedPort(port -> new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress()).close());
    }

    /** The HTTP port this distribution's node serves /metrics on. */
    int httpPort() throws IOException {
        java.util.Properties http = new java.util.Properties();
        try (var in = Files.newBufferedReader(home.resolve("etc/net.tesseras.metrics.cfg"))) {
            http.load(in);
        }
        return Integer.parseInt(http.getProperty("port").trim());
    }

    /** GET on the node's HTTP endpoint: the status and the body. */
    Result http(String path) throws IOException, InterruptedException {
        // Deadlines on both: a connection accepted by an endpoint that is being restarted (the HTTP
        // service restarts when its configuration arrives) may never be answered; callers retry.
        var client = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + httpPort() + path))
                .timeout(Duration.ofSeconds(15)).build();
        try {
            var response = client.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
            return new Result(response.statusCode(), response.body(), "");
        } catch (java.net.ConnectException | java.net.http.HttpTimeoutException e) {
            return new Result(-1, "", e.toString());
        }
    }

    Result bin(String... args) throws IOException, InterruptedException {
        return binIn(null, java.util.Map.of(), args);
    }

    /** bin/tesseras run from the working directory {@code cwd} (null: this JVM's), with extra environment. */
    Result binIn(Path cwd, java.util.Map<String, String> extra, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(home.resolve("bin/tesseras").toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("TESSERAS_DATA", data.toString());
        builder.environment().put("JAVA", ProcessHandle.current().info().command().orElse("java"));
        builder.environment().putAll(environment);
        builder.environment().putAll(extra);
        if (cwd != null) {
            builder.directory(cwd.toFile());
        }
        Path out = Files.createTempFile("tesseras-out", ".txt");
        Path err = Files.createTempFile("tesseras-err", ".txt");
        try {
            Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(180, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("bin/tesseras " + String.join(" ", args) + " did not finish in 180 s");
            }
            return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /**
     * Runs a Gogo command through the node's socket, in this JVM (as bin/tesseras shell does). A
     * command that does not answer within {@link #COMMAND_DEADLINE} fails the test with the node's
     * threads and log, rather than hanging the build.
     */
    Result shell(String command) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "shell " + command);
            thread.setDaemon(true);
            return thread;
        });
        Future<Integer> exit = runner.submit(() -> ShellClient.run(data.resolve("run/shell.sock"), command,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));
        try {
            return new Result(exit.get(COMMAND_DEADLINE.toSeconds(), TimeUnit.SECONDS),
                    out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } catch (TimeoutException e) {
            exit.cancel(true);
            throw new AssertionError("'" + command + "' did not answer in " + COMMAND_DEADLINE.toSeconds() + " s\n"
                    + threadDump() + "\nlog:\n" + logTail(200));
        } catch (ExecutionException e) {
            throw new AssertionError("'" + command + "' failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while '" + command + "' ran", e);
        } finally {
            runner.shutdownNow();
        }
    }

    /** The node's threads, as jcmd prints them, to tell why it did not answer. */
    String threadDump() {
        try {
            Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
            Process jcmd = new ProcessBuilder(java.resolveSibling("jcmd").toString(), String.valueOf(pid()), "Thread.print")
                    .redirectErrorStream(true).start();
            String dump = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            jcmd.waitFor(30, TimeUnit.SECONDS);
            return dump;
        } catch (Exception e) {
            return "(no thread dump: " + e + ")";
        }
    }

    String logTail(int lines) {
        try {
            List<String> all = log().lines().toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /**
     * Sets keys of one of the distribution's {@code etc/*.cfg} files: an uncommented {@code key = value}
     * line is replaced, a key the file lacks is appended, a missing file is created. Before start,
     * or while the node runs (file install applies the change live).
     */
    Node configure(String cfgFile, java.util.Map<String, String> settings) throws IOException {
        configure(home, cfgFile, settings);
        return this;
    }

    /** As {@link #configure(String, java.util.Map)}, for a distribution copy not yet wrapped in a Node. */
    static void configure(Path home, String cfgFile, java.util.Map<String, String> settings) throws IOException {
        Path cfg = home.resolve("etc").resolve(cfgFile);
        List<String> lines = new ArrayList<>(Files.exists(cfg) ? Files.readAllLines(cfg) : List.of());
        for (var setting : settings.entrySet()) {
            String line = setting.getKey() + " = " + setting.getValue();
            java.util.regex.Pattern key = java.util.regex.Pattern.compile("\\s*" + java.util.regex.Pattern.quote(setting.getKey()) + "\\s*[=:].*");
            boolean replaced = false;
            for (int i = 0; i < lines.size(); i++) {
                if (key.matcher(lines.get(i)).matches()) {
                    lines.set(i, line);
                    replaced = true;
                }
            }
            if (!replaced) {
                lines.add(line);
            }
        }
        // Written beside and moved into place: file install must never read half a file.
        Path staged = cfg.resolveSibling("." + cfgFile + ".tmp");
        Files.write(staged, lines);
        Files.move(staged, cfg, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    long pid() throws IOException {
        return Long.parseLong(Files.readString(data.resolve("run/tesseras.pid")).trim());
    }

    /** SIGKILL: the process gets no chance to clean up. */
    void killDashNine() throws Exception {
        ProcessHandle process = ProcessHandle.of(pid()).orElseThrow();
        process.destroyForcibly();
        process.onExit().get(30, TimeUnit.SECONDS);
    }

    String log() throws IOException {
        Path console = data.resolve("log/console.log");
        Path log = data.resolve("log/tesseras.log");
        return (Files.exists(console) ? Files.readString(console) : "") + (Files.exists(log) ? Files.readString(log) : "");
    }

    @Override
    public void close() throws Exception {
        if (Files.exists(data.resolve("run/tesseras.pid"))) {
            try {
                ProcessHandle.of(pid()).ifPresent(ProcessHandle::destroyForcibly);
            } catch (NumberFormatException ignored) {
                // a pid file being written; nothing to stop
            }
        }
    }
}
