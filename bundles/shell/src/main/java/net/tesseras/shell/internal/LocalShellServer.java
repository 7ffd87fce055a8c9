package net.tesseras.shell.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import net.tesseras.common.config.internal.ConfigRules;
import net.tesseras.common.internal.DataDirectory;
import net.tesseras.common.internal.StoreTargets;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
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
                description = "Relative paths are resolved against the node's data directory. Keep it short: "
                        + "Unix socket paths are limited to about 100 bytes.")
        String socket_path() default "run/shell.sock";

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
    private static final int MAX_SOCKET_PATH_BYTES = 100;

    private final CommandProcessor processor;
    private final Path socket;
    private final ServerSocketChannel server;
    private final ExecutorService workers;
    private final Thread acceptor;
    private final String owner = System.getProperty("user.name");

    @Activate
    public LocalShellServer(BundleContext context, Map<String, Object> properties, @Reference CommandProcessor processor)
            throws IOException {
        ConfigRules<Config>.Checked checked = RULES.check(properties).log(LOG);
        if (!checked.usable()) {
            throw checked.down(null); // DS re-creates this component (no modified method) when the file changes
        }
        Config config = checked.config();
        this.processor = processor;
        this.socket = DataDirectory.resolve(context, config.socket_path());
        if (socket.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH_BYTES) {
            throw new IOException("shell socket path " + socket + " is too long for a Unix socket; set "
                    + "socket.path in etc/" + PID + ".cfg to a shorter path");
        }
        Path directory = socket.getParent();
        Files.createDirectories(directory);
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
        // A socket file left by a node that was killed; the launcher's data lock guarantees it is not in use.
        Files.deleteIfExists(socket);
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        int threads = Math.max(1, Math.min(64, config.max_concurrent()));
        AtomicInteger counter = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(threads),
                r -> new Thread(r, "tesseras-shell-" + counter.incrementAndGet()));
        this.acceptor = new Thread(this::acceptLoop, "tesseras-shell-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
        checked.accepted();
        LOG.info("local shell listening on {}", socket);
    }

    @Deactivate
    void deactivate() throws IOException {
        server.close();
        workers.shutdownNow();
        try {
            acceptor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(socket);
        LOG.info("local shell on {} closed", socket);
    }

    private void acceptLoop() {
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
                workers.execute(() -> serve(client));
            } catch (RejectedExecutionException e) {
                refuse(client, "the node is running too many shell commands at once; try again");
            }
        }
    }

    private void serve(SocketChannel client) {
        try (client) {
            ShellFrames frames = new ShellFrames(client);
            String refusal = checkPeer(client);
            if (refusal != null) {
                LOG.warn("local shell: refused a connection: {}", refusal);
                byte[] message = (refusal + "\n").getBytes(StandardCharsets.UTF_8);
                frames.write(ShellFrames.STDERR, message, 0, message.length);
                frames.exit(126);
                return;
            }
            String command = readCommand(client);
            if (command == null) {
                byte[] message = ("Error: command longer than " + ShellFrames.MAX_COMMAND_BYTES + " bytes\n")
                        .getBytes(StandardCharsets.UTF_8);
                frames.write(ShellFrames.STDERR, message, 0, message.length);
                frames.exit(2);
                return;
            }
            frames.exit(execute(command, frames));
        } catch (IOException e) {
            LOG.debug("local shell: connection ended early: {}", e.toString());
        }
    }

    /** Runs one command line and returns its exit status: 0 if it succeeded, 1 if it threw. */
    private int execute(String command, ShellFrames frames) throws IOException {
        OutputStream stdout = frames.stream(ShellFrames.STDOUT);
        OutputStream stderr = frames.stream(ShellFrames.STDERR);
        PrintStream out = new PrintStream(stdout, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(stderr, true, StandardCharsets.UTF_8);
        try (CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), out, err)) {
            Object result = session.execute(command);
            if (result != null) {
                out.println(session.format(result, Converter.INSPECT));
            }
            return 0;
        } catch (Exception e) {
            err.println("Error: " + message(e));
            LOG.debug("local shell: command '{}' failed", command, e);
            return 1;
        } finally {
            out.flush();
            err.flush();
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

    /** The command the client sent before half-closing, or null if it is over the limit. */
    private static String readCommand(SocketChannel client) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(ShellFrames.MAX_COMMAND_BYTES + 1);
        int n;
        do {
            n = client.read(buffer);
        } while (n >= 0 && buffer.hasRemaining());
        if (!buffer.hasRemaining()) {
            return null;
        }
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).strip();
    }

    private static void refuse(SocketChannel client, String why) {
        try (client) {
            ShellFrames frames = new ShellFrames(client);
            byte[] message = (why + "\n").getBytes(StandardCharsets.UTF_8);
            frames.write(ShellFrames.STDERR, message, 0, message.length);
            frames.exit(75);
        } catch (IOException ignored) {
            // The client went away; nothing to tell it.
        }
    }

    /** The messages of an exception and its causes, without a stack trace. */
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
