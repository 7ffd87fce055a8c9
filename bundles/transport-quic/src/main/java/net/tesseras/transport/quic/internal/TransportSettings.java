package net.tesseras.transport.quic.internal;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import net.tesseras.identity.NodeId;

/**
 * Every limit and switch of the transport in one value, checked once (from
 * {@link TransportComponent.Config}).
 *
 * @param listen where the node accepts connections
 * @param maxConnections pooled connections, inbound and outbound together
 * @param idleTimeout a connection without traffic this long is closed by the reaper
 * @param reaperInterval how often the reaper looks
 * @param maxFramePayload bytes in one frame's payload (larger messages are chunked)
 * @param maxMessageBytes a non-fragment message (list, extension) assembled in memory
 * @param maxFragmentBytes the largest fragment accepted or fetched
 * @param maxInFlight requests per connection served at once; more get OVERLOADED
 * @param workers threads of the request executor
 * @param queue requests waiting for a worker before OVERLOADED
 * @param requestTimeout how long a request waits for its answer (and a stalled upload for data)
 * @param connectTimeout how long opening a connection may take
 * @param pipelined one long-lived stream per connection with batched flushes; false is the naive
 *     mode (a stream per request, a flush per response), kept for comparison
 * @param writeAllowList empty: any authenticated peer may store fragments; otherwise only these
 */
public record TransportSettings(InetSocketAddress listen, int maxConnections, Duration idleTimeout, Duration reaperInterval,
        int maxFramePayload, int maxMessageBytes, long maxFragmentBytes, int maxInFlight, int workers, int queue,
        Duration requestTimeout, Duration connectTimeout, boolean pipelined, Set<NodeId> writeAllowList) {

    public TransportSettings {
        positive(maxConnections, "max.connections");
        positive(maxFramePayload, "max.frame.kb");
        positive(maxMessageBytes, "max.message.kb");
        positive(maxInFlight, "max.in.flight");
        positive(workers, "workers");
        positive(queue, "queue");
        if (maxFragmentBytes <= 0) {
            throw new IllegalArgumentException("max.fragment.mb must be positive");
        }
        for (Duration d : new Duration[] {idleTimeout, reaperInterval, requestTimeout, connectTimeout}) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("timeouts and intervals must be positive: " + d);
            }
        }
        writeAllowList = Set.copyOf(writeAllowList);
    }

    /** Defaults for tests and tools: loopback, ephemeral port. */
    public static TransportSettings defaults() {
        return new TransportSettings(new InetSocketAddress("127.0.0.1", 0), 256, Duration.ofSeconds(300), Duration.ofSeconds(30),
                64 * 1024, 4 * 1024 * 1024, 512L * 1024 * 1024, 256, 4, 1024, Duration.ofSeconds(30), Duration.ofSeconds(5), true,
                Set.of());
    }

    public TransportSettings withListen(InetSocketAddress address) {
        return new TransportSettings(address, maxConnections, idleTimeout, reaperInterval, maxFramePayload, maxMessageBytes,
                maxFragmentBytes, maxInFlight, workers, queue, requestTimeout, connectTimeout, pipelined, writeAllowList);
    }

    public TransportSettings withPipelined(boolean on) {
        return new TransportSettings(listen, maxConnections, idleTimeout, reaperInterval, maxFramePayload, maxMessageBytes,
                maxFragmentBytes, maxInFlight, workers, queue, requestTimeout, connectTimeout, on, writeAllowList);
    }

    public TransportSettings withPool(int connections, Duration idle, Duration reaper) {
        return new TransportSettings(listen, connections, idle, reaper, maxFramePayload, maxMessageBytes, maxFragmentBytes,
                maxInFlight, workers, queue, requestTimeout, connectTimeout, pipelined, writeAllowList);
    }

    public TransportSettings withLimits(int framePayload, long fragmentBytes, int inFlight, int workerThreads, int queueLength) {
        return new TransportSettings(listen, maxConnections, idleTimeout, reaperInterval, framePayload, maxMessageBytes, fragmentBytes,
                inFlight, workerThreads, queueLength, requestTimeout, connectTimeout, pipelined, writeAllowList);
    }

    public TransportSettings withWriteAllowList(Set<NodeId> allowed) {
        return new TransportSettings(listen, maxConnections, idleTimeout, reaperInterval, maxFramePayload, maxMessageBytes,
                maxFragmentBytes, maxInFlight, workers, queue, requestTimeout, connectTimeout, pipelined, allowed);
    }

    /** Whether {@code peer} may store fragments here. */
    public boolean mayWrite(NodeId peer) {
        return writeAllowList.isEmpty() || writeAllowList.contains(peer);
    }

    private static void positive(int value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }
}
