package net.tesseras.shell.internal;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.transport.PeerClient;
import net.tesseras.transport.PeerConnectionInfo;
import net.tesseras.transport.PeerException;
import net.tesseras.transport.PeerInfo;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * {@code tesseras:ping|pool|fetch}: talk to other nodes through the {@link PeerClient} service of
 * the transport bundle, when it runs.
 */
@Component(service = PeerCommands.class)
@GogoCommand(scope = "tesseras", function = {"ping", "pool", "fetch"})
public final class PeerCommands {

    /** Longer than the transport's own timeouts, so its precise error is what the operator sees. */
    private static final long WAIT_SECONDS = 600;

    private volatile PeerClient client;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void bindClient(PeerClient peerClient) {
        client = peerClient;
    }

    void unbindClient(PeerClient peerClient) {
        if (client == peerClient) {
            client = null;
        }
    }

    private static final Usage PING = new Usage("tesseras:ping <host:port>", 1, 1,
            "asks another node who it is: its NodeId (proved by its certificate), protocol, capabilities, round trip");
    private static final Usage POOL = new Usage("tesseras:pool", 0, 0,
            "the pooled connections: peer NodeId, address, inbound/outbound, idle time, requests in flight");
    private static final Usage FETCH = new Usage("tesseras:fetch <host:port> <hash> <index> <file>", 4, 4,
            "streams a fragment another node holds into a new file, verified against the checksum in that node's index",
            "<file>  must not exist yet; relative paths and ~ resolve in your working and home directory",
            "the file appears complete or not at all: a failure or Ctrl-C leaves nothing behind");

    @Descriptor("ask a node who it is: its NodeId (authenticated by TLS), protocol and the round-trip time")
    public void ping(CommandSession session, @Descriptor("<host:port>: the node's address; --help") String... args) {
        String[] a = PING.parse(session.getConsole(), args);
        if (a != null) {
            ping(session.getConsole(), a[0]);
        }
    }

    void ping(PrintStream out, String address) {
        InetSocketAddress peer = parse(address);
        PeerInfo info = await(requireClient().ping(peer), "ping " + address);
        out.println("NodeId       " + info.nodeId());
        out.println("Address      " + peer);
        out.printf(Locale.ROOT, "Round trip   %.3f ms%n", info.roundTrip().toNanos() / 1e6);
        out.println("Protocol     " + info.protocolVersion());
        out.println("Capabilities " + String.join(", ", info.capabilities()));
    }

    @Descriptor("list the pooled connections: peers, direction, idle time, requests in flight")
    public void pool(CommandSession session, @Descriptor("--help") String... args) {
        if (POOL.parse(session.getConsole(), args) != null) {
            pool(session.getConsole());
        }
    }

    void pool(PrintStream out) {
        List<PeerConnectionInfo> connections = requireClient().connections();
        TextTable table = new TextTable("PEER", "ADDRESS", "DIRECTION", "IDLE", "IN FLIGHT");
        for (PeerConnectionInfo c : connections) {
            table.row(c.peer().map(Object::toString).orElse("(handshake)"), c.address(), c.outbound() ? "outbound" : "inbound",
                    idle(c.idle()), c.inFlight());
        }
        out.print(table);
        out.println(connections.size() + " connection" + (connections.size() == 1 ? "" : "s"));
    }

    @Descriptor("fetch one fragment from a node into a new file, verified against the checksum in that node's index")
    public void fetch(CommandSession session,
            @Descriptor("<host:port> <hash> <index> <file>: the node, tessera hash, fragment index, a new file; --help") String... args)
            throws IOException {
        String[] a = FETCH.parse(session.getConsole(), args);
        if (a != null) {
            fetch(session.getConsole(), a[0], a[1], Usage.index(a[2]), CommandPaths.resolve(session, a[3]), Progress.sinkOf(session));
        }
    }

    void fetch(PrintStream out, Path cwd, String address, String hash, int index, String output) throws IOException {
        fetch(out, address, hash, index, CommandPaths.resolve(cwd, null, output), null);
    }

    void fetch(PrintStream out, String address, String hash, int index, Path target, Progress.Sink progress) throws IOException {
        InetSocketAddress peer = parse(address);
        ContentHash tessera;
        try {
            tessera = ContentHash.parse(hash);
            FragmentId.checkIndex(index);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot fetch: " + e.getMessage());
        }
        PeerClient peerClient = requireClient();
        long started = System.nanoTime();
        FragmentInfo[] fetched = new FragmentInfo[1];
        // The transport writes its own temporary file and moves it onto the name it is given: give
        // it a temporary name of ours, so the target appears only when complete, never replacing a file.
        AtomicFiles.writeNewVia(target, temp -> {
            CompletableFuture<FragmentInfo> download = peerClient.fetch(peer, tessera, index, temp).toCompletableFuture();
            try {
                if (progress != null) {
                    watch(download, peerClient, peer, tessera, index, temp, progress, "fetch " + target.getFileName());
                }
                fetched[0] = await(download, "fetch from " + address);
            } catch (RuntimeException | IOException e) {
                // Interrupted or timed out: the download may still finish later; its file must not stay.
                download.whenComplete((info, failure) -> AtomicFiles.deleteQuietly(temp));
                throw e;
            }
        });
        FragmentInfo info = fetched[0];
        double seconds = (System.nanoTime() - started) / 1e9;
        out.println("Fetched      " + tessera.toShortHex(16) + "/" + index + (info.id().parity() ? " (parity)" : ""));
        out.println("From         " + peer);
        out.println("Size         " + Units.bytes(info.size()) + " (" + info.size() + ")");
        out.println("Checksum     " + info.id().checksum() + " verified");
        out.printf(Locale.ROOT, "Time         %.3f s%n", seconds);
        out.println("Written to   " + target);
    }

    /**
     * Reports a download's progress from the size of the transport's partial file beside {@code
     * temp} (named after it), until the download ends; interruption stops the wait.
     */
    private static void watch(CompletableFuture<FragmentInfo> download, PeerClient client, InetSocketAddress peer,
            ContentHash tessera, int index, Path temp, Progress.Sink sink, String label) throws IOException {
        long total;
        try {
            total = client.list(peer, tessera).toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS).stream()
                    .filter(f -> f.id().index() == index).mapToLong(FragmentInfo::size).findFirst().orElse(0);
        } catch (ExecutionException | TimeoutException e) {
            return; // the download reports the failure itself
        } catch (InterruptedException e) {
            throw new java.io.InterruptedIOException("fetch was interrupted; nothing was kept");
        }
        Progress progress = new Progress(sink, label, total);
        String prefix = "." + temp.getFileName();
        long reported = 0;
        while (!download.isDone()) {
            try {
                download.get(200, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                long size = partialSize(temp.getParent(), prefix);
                if (size > reported) {
                    progress.add(size - reported);
                    reported = size;
                }
            } catch (ExecutionException e) {
                return;
            } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException("fetch was interrupted; nothing was kept");
            }
        }
        if (download.isDone() && !download.isCompletedExceptionally()) {
            progress.add(Math.max(0, total - reported));
            progress.finish();
        }
    }

    private static long partialSize(Path directory, String prefix) {
        try (var files = Files.newDirectoryStream(directory, p -> p.getFileName().toString().startsWith(prefix))) {
            long size = 0;
            for (Path p : files) {
                size = Math.max(size, Files.size(p));
            }
            return size;
        } catch (IOException e) {
            return 0;
        }
    }

    private PeerClient requireClient() {
        PeerClient current = client;
        if (current == null) {
            throw new IllegalStateException("the transport is not running: start the transport feature (bundle net.tesseras.transport.quic)");
        }
        return current;
    }

    /** {@code host:port} or {@code [v6]:port}. */
    static InetSocketAddress parse(String address) {
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            throw new IllegalArgumentException("'" + address + "' is not host:port");
        }
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + address + "' has no numeric port");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range");
        }
        InetSocketAddress resolved = new InetSocketAddress(host, port);
        if (resolved.isUnresolved()) {
            throw new IllegalArgumentException("cannot resolve host '" + host + "'");
        }
        return resolved;
    }

    private static <T> T await(CompletionStage<T> stage, String what) {
        try {
            return stage.toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause();
            while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof PeerException peer) {
                throw new IllegalStateException(what + " failed (" + peer.code().name().toLowerCase(Locale.ROOT) + "): " + peer.getMessage());
            }
            throw new IllegalStateException(what + " failed: " + cause);
        } catch (TimeoutException e) {
            throw new IllegalStateException(what + " got no answer in " + WAIT_SECONDS + " s");
        } catch (InterruptedException e) {
            throw new IllegalStateException(what + " was interrupted; nothing was kept");
        }
    }

    private static String idle(Duration idle) {
        long seconds = idle.toSeconds();
        return seconds < 1 ? idle.toMillis() + " ms" : seconds < 120 ? seconds + " s" : idle.toMinutes() + " min";
    }
}
