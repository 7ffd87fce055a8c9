package net.tesseras.transport.quic.internal;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import net.tesseras.identity.NodeId;
import net.tesseras.storage.FragmentStore;

/**
 * Every limit and switch of the transport in one value, checked once (from
 * {@link TransportComponent.Config}). Tests and tools start from {@link #builder()}, which holds the
 * defaults of the configuration.
 *
 * @param listen where the node accepts connections
 * @param maxConnections pooled connections, inbound and outbound together
 * @param idleTimeout a connection without traffic this long is closed by the reaper
 * @param reaperInterval how often the reaper looks
 * @param maxFramePayload bytes in one frame's payload (larger messages are chunked)
 * @param maxMessageBytes a non-fragment message (list, extension) assembled in memory
 * @param maxFragmentBytes the largest fragment accepted or fetched, at most {@link FragmentStore#MAX_FRAGMENT_SIZE}
 * @param maxInFlight requests per connection served at once; more get OVERLOADED
 * @param workers threads of the request executor
 * @param queue requests waiting for a worker before OVERLOADED
 * @param requestTimeout how long a request waits for its answer (and a stalled upload for data)
 * @param connectTimeout how long opening a connection may take
 * @param pipelined one long-lived stream per connection with batched flushes; false is the naive
 *     mode (a stream per request, a flush per response), kept for comparison
 * @param writePolicy who may store fragments here
 * @param writeAllowList the NodeIds {@link WritePolicy#ALLOW_LIST} admits (ignored by the other policies)
 * @param maxUdpPayload the largest UDP payload sent and accepted (QUIC packets are cut to fit)
 * @param peerTimeout a connection on which nothing is heard from the peer for this long is dead and
 *     closed (the QUIC idle timeout); keep-alives every {@link #keepAliveInterval()} keep quiet,
 *     healthy connections open
 */
public record TransportSettings(InetSocketAddress listen, int maxConnections, Duration idleTimeout, Duration reaperInterval,
        int maxFramePayload, int maxMessageBytes, long maxFragmentBytes, int maxInFlight, int workers, int queue,
        Duration requestTimeout, Duration connectTimeout, boolean pipelined, WritePolicy writePolicy, Set<NodeId> writeAllowList,
        int maxUdpPayload, Duration peerTimeout) {

    /**
     * Who may store fragments on this node over the network.
     */
    public enum WritePolicy {
        /** No peer may store fragments here: every PUT is refused (FORBIDDEN). The default. */
        NONE("none"),
        /** Any authenticated peer may store fragments here, up to the store's free-space reserve. */
        ANY("any"),
        /** Only the peers listed in write.allow. */
        ALLOW_LIST("allow-list"),
        /**
         * Only the fragments the node's replication service accepted to hold: each PUT is admitted
         * by the bound {@link net.tesseras.transport.WriteGuard} (UNAVAILABLE when none is running).
         */
        REPLICATION("replication");

        private final String key;

        WritePolicy(String key) {
            this.key = key;
        }

        /** The value in etc/net.tesseras.transport.cfg. */
        public String key() {
            return key;
        }

        /** The policy a configuration value names (case and surrounding blanks ignored). */
        public static WritePolicy of(String value) {
            String wanted = value == null ? "" : value.trim();
            for (WritePolicy policy : values()) {
                if (policy.key.equalsIgnoreCase(wanted)) {
                    return policy;
                }
            }
            throw new IllegalArgumentException("write.policy must be one of " + Arrays.stream(values()).map(WritePolicy::key)
                    .collect(Collectors.joining(", ")) + ", not '" + value + "'");
        }
    }

    public TransportSettings {
        positive(maxConnections, "max.connections");
        positive(maxFramePayload, "max.frame.kb");
        positive(maxMessageBytes, "max.message.kb");
        positive(maxInFlight, "max.in.flight");
        positive(workers, "workers");
        positive(queue, "queue");
        if (maxFragmentBytes <= 0 || maxFragmentBytes > FragmentStore.MAX_FRAGMENT_SIZE) {
            throw new IllegalArgumentException("max.fragment.mb must be between 1 and " + MAX_FRAGMENT_MB
                    + " (the largest fragment a store accepts), not " + maxFragmentBytes / (1024 * 1024) + " MiB");
        }
        for (Duration d : new Duration[] {idleTimeout, reaperInterval, requestTimeout, connectTimeout, peerTimeout}) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("timeouts and intervals must be positive: " + d);
            }
        }
        if (writePolicy == null) {
            throw new IllegalArgumentException("write.policy must be set");
        }
        writeAllowList = Set.copyOf(writeAllowList);
        if (writePolicy == WritePolicy.ALLOW_LIST && writeAllowList.isEmpty()) {
            throw new IllegalArgumentException("write.policy is allow-list but write.allow names no NodeId");
        }
        if (maxUdpPayload < MIN_UDP_PAYLOAD || maxUdpPayload > MAX_UDP_PAYLOAD) {
            throw new IllegalArgumentException("max.udp.payload must be between " + MIN_UDP_PAYLOAD + " and " + MAX_UDP_PAYLOAD
                    + ": " + maxUdpPayload);
        }
    }

    /** The largest max.fragment.mb: {@link FragmentStore#MAX_FRAGMENT_SIZE}, so every fragment a store holds can travel. */
    public static final long MAX_FRAGMENT_MB = FragmentStore.MAX_FRAGMENT_SIZE / (1024 * 1024);

    /** QUIC's own floor: every path must carry 1200-byte datagrams. */
    public static final int MIN_UDP_PAYLOAD = 1200;
    /** The largest payload of an IPv4 UDP datagram. */
    public static final int MAX_UDP_PAYLOAD = 65_507;
    /** Fits the internet's common 1500-byte MTU with room for IPv6 and tunnels. */
    public static final int DEFAULT_UDP_PAYLOAD = 1350;
    /** Long enough for a path's brief outage, short enough that a restarted peer is dialled anew within seconds. */
    public static final Duration DEFAULT_PEER_TIMEOUT = Duration.ofSeconds(15);

    /** The defaults, on loopback and an ephemeral port. */
    public static TransportSettings defaults() {
        return builder().build();
    }

    /** A builder holding the defaults, on loopback and an ephemeral port. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings, to change some of them. */
    public Builder toBuilder() {
        return new Builder().listen(listen).pool(maxConnections, idleTimeout, reaperInterval)
                .limits(maxFramePayload, maxFragmentBytes, maxInFlight, workers, queue).maxMessageBytes(maxMessageBytes)
                .timeouts(requestTimeout, connectTimeout).pipelined(pipelined).writePolicy(writePolicy, writeAllowList)
                .maxUdpPayload(maxUdpPayload).peerTimeout(peerTimeout);
    }

    /**
     * Whether going from these settings to {@code next} needs a new transport: the socket, the
     * request executor and the QUIC codecs take their settings when the transport starts; the
     * rest applies to a running one ({@link QuicTransport#update}).
     */
    public boolean needRestartFor(TransportSettings next) {
        return !listen.equals(next.listen) || workers != next.workers || queue != next.queue
                || maxUdpPayload != next.maxUdpPayload || !peerTimeout.equals(next.peerTimeout);
    }

    /** How long a connection may stay silent before this node sends a keep-alive on it: a third of the peer timeout. */
    public Duration keepAliveInterval() {
        return peerTimeout.dividedBy(3);
    }

    /**
     * Whether {@code peer} may store fragments here as far as these settings tell: under
     * {@link WritePolicy#REPLICATION} the {@link net.tesseras.transport.WriteGuard} decides per fragment.
     */
    public boolean mayWrite(NodeId peer) {
        return switch (writePolicy) {
            case NONE -> false;
            case ANY, REPLICATION -> true;
            case ALLOW_LIST -> writeAllowList.contains(peer);
        };
    }

    private static void positive(int value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }

    /** Settings changed a group at a time; {@link #build()} checks them. */
    public static final class Builder {
        private InetSocketAddress listen = new InetSocketAddress("127.0.0.1", 0);
        private int maxConnections = 256;
        private Duration idleTimeout = Duration.ofSeconds(300);
        private Duration reaperInterval = Duration.ofSeconds(30);
        private int maxFramePayload = 64 * 1024;
        private int maxMessageBytes = 4 * 1024 * 1024;
        private long maxFragmentBytes = FragmentStore.MAX_FRAGMENT_SIZE;
        private int maxInFlight = 256;
        private int workers = 4;
        private int queue = 1024;
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Duration connectTimeout = Duration.ofSeconds(5);
        private boolean pipelined = true;
        private WritePolicy writePolicy = WritePolicy.NONE;
        private Set<NodeId> writeAllowList = Set.of();
        private int maxUdpPayload = DEFAULT_UDP_PAYLOAD;
        private Duration peerTimeout = DEFAULT_PEER_TIMEOUT;

        private Builder() {
        }

        public Builder listen(InetSocketAddress address) {
            listen = address;
            return this;
        }

        public Builder pool(int connections, Duration idle, Duration reaper) {
            maxConnections = connections;
            idleTimeout = idle;
            reaperInterval = reaper;
            return this;
        }

        public Builder limits(int framePayload, long fragmentBytes, int inFlight, int workerThreads, int queueLength) {
            maxFramePayload = framePayload;
            maxFragmentBytes = fragmentBytes;
            maxInFlight = inFlight;
            workers = workerThreads;
            queue = queueLength;
            return this;
        }

        public Builder maxMessageBytes(int bytes) {
            maxMessageBytes = bytes;
            return this;
        }

        public Builder timeouts(Duration request, Duration connect) {
            requestTimeout = request;
            connectTimeout = connect;
            return this;
        }

        public Builder pipelined(boolean on) {
            pipelined = on;
            return this;
        }

        /** The write policy and, for {@link WritePolicy#ALLOW_LIST}, the peers it admits. */
        public Builder writePolicy(WritePolicy policy, Set<NodeId> allowed) {
            writePolicy = policy;
            writeAllowList = allowed;
            return this;
        }

        public Builder peerTimeout(Duration timeout) {
            peerTimeout = timeout;
            return this;
        }

        public Builder maxUdpPayload(int bytes) {
            maxUdpPayload = bytes;
            return this;
        }

        public TransportSettings build() {
            return new TransportSettings(listen, maxConnections, idleTimeout, reaperInterval, maxFramePayload, maxMessageBytes,
                    maxFragmentBytes, maxInFlight, workers, queue, requestTimeout, connectTimeout, pipelined, writePolicy, writeAllowList,
                    maxUdpPayload, peerTimeout);
        }
    }
}
