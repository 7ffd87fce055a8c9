package net.tesseras.shell.internal;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.tesseras.core.ContentHash;
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

    @Descriptor("ask a node who it is: its NodeId (authenticated by TLS), protocol and the round-trip time")
    public void ping(CommandSession session, @Descriptor("the node's address, host:port") String address) {
        ping(session.getConsole(), address);
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
    public void pool(CommandSession session) {
        pool(session.getConsole());
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

    @Descriptor("fetch one fragment from a node into a file, verified against the checksum in that node's index")
    public void fetch(CommandSession session, @Descriptor("the node's address, host:port") String address,
            @Descriptor("tessera hash (64 hex characters)") String hash, @Descriptor("fragment index") long index,
            @Descriptor("the file to write") String output) {
        fetch(session.getConsole(), session.currentDir(), address, hash, index, output);
    }

    void fetch(PrintStream out, Path cwd, String address, String hash, long fragmentIndex, String output) {
        InetSocketAddress peer = parse(address);
        ContentHash tessera;
        int index;
        try {
            tessera = ContentHash.parse(hash);
            index = StorageCommands.fragmentIndex(fragmentIndex);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot fetch: " + e.getMessage());
        }
        Path p = Path.of(output);
        Path target = (p.isAbsolute() || cwd == null ? p : cwd.resolve(p)).toAbsolutePath().normalize();
        if (Files.exists(target)) {
            throw new IllegalArgumentException(target + " already exists; remove it or choose another name");
        }
        if (target.getParent() == null || !Files.isDirectory(target.getParent())) {
            throw new IllegalArgumentException("cannot write " + target + ": its directory does not exist");
        }
        long started = System.nanoTime();
        FragmentInfo info = await(requireClient().fetch(peer, tessera, index, target), "fetch from " + address);
        double seconds = (System.nanoTime() - started) / 1e9;
        out.println("Fetched      " + tessera.toShortHex(16) + "/" + index + (info.id().parity() ? " (parity)" : ""));
        out.println("From         " + peer);
        out.println("Size         " + Units.bytes(info.size()) + " (" + info.size() + ")");
        out.println("Checksum     " + info.id().checksum() + " verified");
        out.printf(Locale.ROOT, "Time         %.3f s%n", seconds);
        out.println("Written to   " + target);
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
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + " was interrupted");
        }
    }

    private static String idle(Duration idle) {
        long seconds = idle.toSeconds();
        return seconds < 1 ? idle.toMillis() + " ms" : seconds < 120 ? seconds + " s" : idle.toMinutes() + " min";
    }
}
