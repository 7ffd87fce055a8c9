package net.tesseras.shell.internal;

import java.io.ByteArrayInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import net.tesseras.common.config.internal.ComponentRetry;
import net.tesseras.common.config.internal.ConfigRules;
import net.tesseras.common.internal.DataDirectory;
import net.tesseras.common.internal.StoreTargets;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.apache.felix.service.command.Function;
import org.apache.felix.service.command.Job;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs Gogo commands sent over a Unix domain socket, for {@code bin/tesseras shell -c}.
 *
 * <p>The channel is local only and private to the node's user: the socket lives in a directory only
 * that user can enter, the socket file itself is owner-only, and each connection's peer credentials
 * are checked against the node's user (root excepted).
 *
 * <p>A connection that does not send its command within {@link #REQUEST_TIMEOUT_MILLIS} is closed,
 * and connections waiting for their command never hold one of the {@code max.concurrent} places:
 * idle clients cannot keep commands out. When every place is taken, a client is told at once that
 * the node is busy (exit status {@value #EXIT_BUSY}). While a command runs the client receives a
 * keep-alive every few seconds, so it can tell a slow command from a node that stopped answering;
 * closing the connection or sending an interrupt interrupts the command (exit status {@value
 * #EXIT_INTERRUPTED}). A client that reads none of its command's output for {@link
 * #WRITE_TIMEOUT_MILLIS} while the node waits to write it is disconnected the same way, so clients
 * that never read cannot hold the places either.
 */
@Component(configurationPid = LocalShellServer.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        immediate = true, service = {})
@Designate(ocd = LocalShellServer.Config.class)
public final class LocalShellServer {

    public static final String PID = "net.tesseras.shell";

    @ObjectClassDefinition(name = "Tesseras local shell",
            description = "The Unix domain socket through which bin/tesseras shell runs commands in the node.")
    public @interface Config {
        @AttributeDefinition(name = "Socket path",
                description = "A path under the data directory's run/ (relative paths are resolved against the data "
                        + "directory). Anything else, or a file there that is not a socket, is refused and left untouched. "
                        + "Unix socket paths are limited to about 100 bytes.")
        String socket_path() default ShellSocketPath.DEFAULT;

        @AttributeDefinition(name = "Concurrent commands", min = "1", max = "64",
                description = "Commands run at once; further connections are told the node is busy.")
        int max_concurrent() default 4;
    }

    private static final Logger LOG = LoggerFactory.getLogger(LocalShellServer.class);

    /**
     * The one configuration rule (docs/OPERATOR.md, "Configuration errors") for this PID, checked
     * before the socket is touched so that a refused value never leaves a dead socket behind.
     * store.target belongs to the storage commands, which share this PID.
     */
    static final ConfigRules<Config> RULES = ConfigRules.of(PID, "the local shell", Config.class)
            .nonBlank("socket.path")
            .range("max.concurrent", 1, 64)
            .alsoKnown(StoreTargets.KEY);

    static final int EXIT_FAILED = 1;
    static final int EXIT_BAD_REQUEST = 2;
    static final int EXIT_BUSY = 75;
    static final int EXIT_REFUSED = 126;
    static final int EXIT_INTERRUPTED = 130;

    /** How long a client may take to send its command. */
    static final long REQUEST_TIMEOUT_MILLIS = 10_000;
    /**
     * How long a client may leave its command's output unread (no byte taken while a write waits)
     * before it is disconnected, which interrupts the command and frees its place: four clients
     * that never read would otherwise hold every place for good.
     */
    static final long WRITE_TIMEOUT_MILLIS = 60_000;
    /** Interval of keep-alive frames while a command runs (the client gives up after several missed). */
    static final long KEEPALIVE_MILLIS = 5_000;
    /** Connections open at once, running or sending their command; more are told the node is busy. */
    private static final int MAX_CONNECTIONS = 128;

    private final CommandProcessor processor;
    private final Path dataDirectory;
    private final long requestTimeoutMillis;
    private final long keepaliveMillis;
    private final long writeTimeoutMillis;
    private final String owner = System.getProperty("user.name");
    private final ThreadPoolExecutor connections;
    private final ExecutorService watchers;
    private final ScheduledExecutorService timer;
    private final Places slots;
    private volatile int maxConcurrent;
    private volatile Endpoint endpoint;

    /** The bound socket and the thread accepting on it. */
    private record Endpoint(Path socket, ServerSocketChannel server, Thread acceptor) {}

    @Activate
    public LocalShellServer(BundleContext context, Map<String, Object> properties, @Reference CommandProcessor processor)
            throws IOException {
        this(DataDirectory.of(context), checked(context, properties), processor, REQUEST_TIMEOUT_MILLIS, KEEPALIVE_MILLIS);
    }

    /**
     * The configuration after the one rule (docs/OPERATOR.md, "Configuration errors"), checked before
     * the socket is touched; a configuration never good fails activation, and fixing the file brings
     * the component back.
     */
    private static Config checked(BundleContext context, Map<String, Object> properties) {
        ConfigRules<Config>.Checked checked = RULES.check(properties).log(LOG);
        if (!checked.usable()) {
            throw checked.down(new ComponentRetry(context, PID, LocalShellServer.class.getName()));
        }
        checked.accepted();
        return checked.config();
    }


    LocalShellServer(Path dataDirectory, Config config, CommandProcessor processor, long requestTimeoutMillis,
            long keepaliveMillis) throws IOException {
        this(dataDirectory, config, processor, requestTimeoutMillis, keepaliveMillis, WRITE_TIMEOUT_MILLIS);
    }

    LocalShellServer(Path dataDirectory, Config config, CommandProcessor processor, long requestTimeoutMillis,
            long keepaliveMillis, long writeTimeoutMillis) throws IOException {
        this.keepaliveMillis = keepaliveMillis;
        this.writeTimeoutMillis = writeTimeoutMillis;
        this.processor = processor;
        this.dataDirectory = dataDirectory;
        this.requestTimeoutMillis = requestTimeoutMillis;
        this.maxConcurrent = concurrency(config);
        this.slots = new Places(maxConcurrent);
        Path socket;
        try {
            socket = ShellSocketPath.prepare(dataDirectory, config.socket_path());
        } catch (ShellSocketPath.RefusedException e) {
            // Refused before any file was touched; the node stays drivable on the default socket.
            LOG.error("{}; the shell listens on {} instead", e.getMessage(), ShellSocketPath.DEFAULT);
            socket = ShellSocketPath.prepare(dataDirectory, ShellSocketPath.DEFAULT);
        }
        AtomicInteger counter = new AtomicInteger();
        this.connections = new ThreadPoolExecutor(0, MAX_CONNECTIONS, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> daemon(r, "tesseras-shell-" + counter.incrementAndGet()));
        this.watchers = Executors.newCachedThreadPool(r -> daemon(r, "tesseras-shell-watch"));
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "tesseras-shell-timer"));
        try {
            this.endpoint = bind(socket);
        } catch (IOException | RuntimeException e) {
            shutdownExecutors();
            throw e;
        }
    }

    private static int concurrency(Config config) {
        return Math.max(1, Math.min(64, config.max_concurrent()));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread thread = new Thread(r, name);
        thread.setDaemon(true);
        return thread;
    }

    /** A new socket path applies live; a refused one is logged and the socket in use is kept. */
    @Modified
    void modified(Map<String, Object> properties) throws IOException {
        ConfigRules<Config>.Checked checked = RULES.check(properties).log(LOG);
        checked.accepted();
        Config config = checked.config();
        int concurrent = concurrency(config);
        int change = concurrent - maxConcurrent;
        maxConcurrent = concurrent;
        if (change > 0) {
            slots.release(change);
        } else if (change < 0) {
            // Running commands finish; fewer start after them.
            slots.reduce(-change);
        }
        Endpoint current = endpoint;
        Path socket;
        try {
            socket = ShellSocketPath.prepare(dataDirectory, config.socket_path());
        } catch (ShellSocketPath.RefusedException e) {
            LOG.error("{}; the shell keeps listening on {}", e.getMessage(), current.socket());
            return;
        }
        if (!socket.equals(current.socket())) {
            endpoint = bind(socket);
            close(current);
        }
    }

    @Deactivate
    void deactivate() throws IOException {
        close(endpoint);
        shutdownExecutors();
    }

    private void shutdownExecutors() {
        connections.shutdownNow();
        watchers.shutdownNow();
        timer.shutdownNow();
    }

    Path socket() {
        return endpoint.socket();
    }

    private Endpoint bind(Path socket) throws IOException {
        // A socket left by a node that was killed: prepare() checked it is a socket inside run/, and the
        // launcher's lock on the data directory guarantees no other node uses it.
        ShellSocketPath.removeSocket(socket);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(socket));
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            server.close();
            throw e;
        }
        Thread acceptor = daemon(() -> acceptLoop(server), "tesseras-shell-acceptor");
        acceptor.start();
        LOG.info("local shell listening on {}", socket);
        return new Endpoint(socket, server, acceptor);
    }

    private void close(Endpoint closing) throws IOException {
        closing.server().close();
        try {
            closing.acceptor().join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ShellSocketPath.removeSocket(closing.socket());
        LOG.info("local shell on {} closed", closing.socket());
    }

    private void acceptLoop(ServerSocketChannel server) {
        while (server.isOpen()) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                LOG.warn("local shell: accept failed: {}", e.toString());
                continue;
            }
            try {
                connections.execute(() -> serve(client));
            } catch (RejectedExecutionException e) {
                refuse(client, EXIT_BUSY, "the node is busy: " + MAX_CONNECTIONS + " shell connections are open; try again");
            }
        }
    }

    private void serve(SocketChannel client) {
        try (client) {
            ShellFrames frames = new ShellFrames(client);
            String refusal = checkPeer(client);
            if (refusal != null) {
                LOG.warn("local shell: refused a connection: {}", refusal);
                answer(frames, EXIT_REFUSED, refusal);
                return;
            }
            ShellFrames.Request request;
            // A client that sends nothing is closed: it must never keep a place from others.
            ScheduledFuture<?> deadline = timer.schedule(() -> closeQuietly(client), requestTimeoutMillis, TimeUnit.MILLISECONDS);
            try {
                request = ShellFrames.readRequest(client);
            } catch (ShellFrames.BadRequestException e) {
                answer(frames, EXIT_BAD_REQUEST, "Error: " + e.getMessage());
                return;
            } finally {
                deadline.cancel(false);
            }
            if (!client.isOpen()) {
                return;
            }
            if (!slots.tryAcquire()) {
                answer(frames, EXIT_BUSY, "the node is busy: " + maxConcurrent + " shell commands are running (max.concurrent in etc/"
                        + PID + ".cfg); try again when one has finished");
                return;
            }
            // A client that stops reading blocks the command's writes (and the exit frame): close it.
            long period = Math.max(10, writeTimeoutMillis / 4);
            ScheduledFuture<?> unread = timer.scheduleWithFixedDelay(() -> closeIfNotReading(client, frames), period, period,
                    TimeUnit.MILLISECONDS);
            try {
                frames.exit(execute(request, client, frames));
            } finally {
                unread.cancel(false);
                slots.release();
            }
        } catch (IOException e) {
            LOG.debug("local shell: connection ended early: {}", e.toString());
        }
    }

    private void closeIfNotReading(SocketChannel client, ShellFrames frames) {
        if (client.isOpen() && frames.stalledNanos() >= TimeUnit.MILLISECONDS.toNanos(writeTimeoutMillis)) {
            LOG.warn("local shell: a client read none of its command's output for {} s; disconnecting it, which interrupts the "
                    + "command and frees its place", TimeUnit.MILLISECONDS.toSeconds(writeTimeoutMillis));
            closeQuietly(client);
        }
    }

    private static void answer(ShellFrames frames, int status, String message) throws IOException {
        frames.write(ShellFrames.STDERR, message + "\n");
        frames.exit(status);
    }

    /**
     * Runs one command line and returns its exit status: 0 if it succeeded; 1 if it threw or wrote to
     * standard error (Gogo's own commands report failures only there); 130 if it was interrupted.
     */
    private int execute(ShellFrames.Request request, SocketChannel client, ShellFrames frames) throws IOException {
        CountingStream stderr = new CountingStream(frames.stream(ShellFrames.STDERR));
        PrintStream out = new PrintStream(frames.stream(ShellFrames.STDOUT), true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(stderr, true, StandardCharsets.UTF_8);
        AtomicBoolean finished = new AtomicBoolean();
        AtomicBoolean interrupted = new AtomicBoolean();
        ScheduledFuture<?> keepalive = null;
        try (CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), out, err)) {
            guardFrameworkCommands(session);
            if (request.framed()) {
                prepare(session, request, frames);
                // Written from a pool thread: a client that stops reading must not stall the timer.
                keepalive = timer.scheduleWithFixedDelay(() -> watchers.execute(() -> {
                    try {
                        frames.writeIfIdle(ShellFrames.KEEPALIVE);
                    } catch (IOException e) {
                        // The client went away; the watcher interrupts the command.
                    }
                }), keepaliveMillis, keepaliveMillis, TimeUnit.MILLISECONDS);
                watchers.execute(() -> watch(client, session, finished, interrupted));
            }
            try {
                Object result = session.execute(request.command());
                if (result != null && !interrupted.get()) {
                    out.println(session.format(result, Converter.INSPECT));
                }
            } catch (ExitRequest exit) {
                return exit.status;
            } catch (Exception e) {
                if (!interrupted.get()) {
                    err.println("Error: " + explain(request.command(), e));
                }
                LOG.debug("local shell: command '{}' failed", request.command(), e);
                if (!interrupted.get()) {
                    return EXIT_FAILED;
                }
            }
            if (interrupted.get()) {
                err.println("Interrupted: " + request.command());
                return EXIT_INTERRUPTED;
            }
            return stderr.count() > 0 ? EXIT_FAILED : 0;
        } finally {
            finished.set(true);
            if (keepalive != null) {
                keepalive.cancel(false);
            }
            out.flush();
            err.flush();
        }
    }

    /** What a {@code bin/tesseras shell} session knows of its caller, and what it may not do. */
    private static void prepare(CommandSession session, ShellFrames.Request request, ShellFrames frames) {
        if (request.cwd() != null) {
            try {
                Path cwd = Path.of(request.cwd());
                if (cwd.isAbsolute()) {
                    session.currentDir(cwd.normalize());
                }
            } catch (InvalidPathException ignored) {
                // Paths then resolve against the node's directory, as in its console.
            }
        }
        if (request.home() != null && !request.home().isBlank()) {
            session.put(CommandPaths.HOME, request.home());
        }
        session.put(Progress.SINK, (Progress.Sink) (label, done, total) ->
                frames.write(ShellFrames.PROGRESS, done + " " + total + " " + label));
    }

    /** Gogo commands that report a failure only as the text they return (success returns nothing). */
    private static final java.util.List<String> REPORTING_COMMANDS = java.util.List.of("start", "stop", "uninstall", "update");

    /**
     * Gogo's start, stop, uninstall and update return a failure as text and succeed with none: a
     * bundle that cannot resolve would exit 0. In a shell session such text becomes a failure.
     */
    private static void guardFrameworkCommands(CommandSession session) {
        // gosh_profile makes System's methods commands, so 'exit' would end the node's JVM: in a shell
        // session it ends the session, with its status, and the node keeps running.
        Function exit = (s, arguments) -> {
            throw new ExitRequest(arguments.isEmpty() ? 0 : status(arguments.get(0)));
        };
        session.put("exit", exit);
        session.put("system:exit", exit);
        for (String name : REPORTING_COMMANDS) {
            if (session.get("felix:" + name) instanceof Function original) {
                Function guarded = (s, arguments) -> {
                    Object result = original.execute(s, arguments);
                    if (result instanceof CharSequence text && !text.toString().isBlank()) {
                        throw new IllegalStateException(text.toString().strip());
                    }
                    return result;
                };
                session.put(name, guarded);
                session.put("felix:" + name, guarded);
            }
        }
    }

    private static int status(Object argument) {
        try {
            return Integer.parseInt(String.valueOf(argument).trim());
        } catch (NumberFormatException e) {
            return EXIT_BAD_REQUEST;
        }
    }

    /** {@code exit} in a shell session ends the session with a status; the node keeps running. */
    private static final class ExitRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;

        ExitRequest(int status) {
            super("exit " + status, null, false, false);
            this.status = status;
        }
    }

    /** Reads what the client sends while its command runs: an interrupt, or the end of the connection. */
    private static void watch(SocketChannel client, CommandSession session, AtomicBoolean finished, AtomicBoolean interrupted) {
        try {
            while (true) {
                int type = ShellFrames.readControl(client);
                if (type == ShellFrames.INTERRUPT || type < 0) {
                    break;
                }
            }
        } catch (IOException e) {
            // Closed under us: by the client, or by the end of the command.
        }
        if (!finished.get()) {
            interrupted.set(true);
            LOG.info("local shell: interrupting a command at the client's request");
            for (Job job : session.jobs()) {
                job.interrupt();
            }
        }
    }

    private String checkPeer(SocketChannel client) {
        try {
            UnixDomainPrincipal peer = client.getOption(ExtendedSocketOptions.SO_PEERCRED);
            String user = peer.user().getName();
            if (user.equals(owner) || user.equals("root")) {
                return null;
            }
            return "user " + user + " may not drive this node (it runs as " + owner + ")";
        } catch (IOException | UnsupportedOperationException e) {
            // Without peer credentials the owner-only directory and socket file still keep others out.
            return null;
        }
    }

    private static void refuse(SocketChannel client, int status, String why) {
        try (client) {
            answer(new ShellFrames(client), status, why);
        } catch (IOException ignored) {
            // The client went away; nothing to tell it.
        }
    }

    private static void closeQuietly(SocketChannel client) {
        try {
            client.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    /** The places for running commands; fewer can be set while they are taken. */
    private static final class Places extends Semaphore {
        private static final long serialVersionUID = 1L;

        Places(int permits) {
            super(permits);
        }

        void reduce(int by) {
            reducePermits(by);
        }
    }

    /** Counts what a command writes to standard error. */
    private static final class CountingStream extends FilterOutputStream {
        private final AtomicLong count = new AtomicLong();

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            count.incrementAndGet();
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            count.addAndGet(len);
            out.write(b, off, len);
        }

        long count() {
            return count.get();
        }
    }

    /** The messages of an exception and its causes, without a stack trace. */
    /**
     * What went wrong with {@code command}, for a person: Gogo says "Cannot coerce stop(String) to
     * any of [(Bundle[]), ...]" when arguments fit none of a command's forms, most often a bundle id
     * that no bundle has.
     */
    static String explain(String command, Throwable e) {
        String text = message(e);
        if (e instanceof IllegalArgumentException && text.startsWith("Cannot coerce ")) {
            String name = text.substring("Cannot coerce ".length()).split("\\(", 2)[0];
            return "the arguments of '" + command.strip() + "' fit none of the forms of " + name
                    + " (a bundle id or name that no bundle has? 'lb' lists the bundles; 'help " + name + "' shows the forms)";
        }
        return text;
    }

    static String message(Throwable e) {
        StringBuilder s = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            if (s.indexOf(m) < 0) {
                s.append(s.length() == 0 ? "" : ": ").append(m);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return s.toString();
    }
}
