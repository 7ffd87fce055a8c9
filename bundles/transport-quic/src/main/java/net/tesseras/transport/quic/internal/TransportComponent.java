package net.tesseras.transport.quic.internal;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import net.tesseras.common.config.internal.ComponentRetry;
import net.tesseras.common.config.internal.ConfigRules;
import net.tesseras.common.internal.StoreBinding;
import net.tesseras.common.internal.StoreTargets;
import net.tesseras.identity.NodeId;
import net.tesseras.identity.NodeIdentity;
import net.tesseras.storage.FragmentStore;
import net.tesseras.transport.MessageHandler;
import net.tesseras.transport.PeerClient;
import net.tesseras.transport.WriteGuard;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the QUIC transport with the node's identity and serves peers from the {@link FragmentStore}
 * the configuration names (the cache front, else the configured backend; followed as it changes:
 * {@link StoreBinding}, which applies {@code store.target} under the one configuration rule). Publishes {@link PeerClient} by hand once the socket is bound, so a port in use leaves
 * a clear error and no half-working service. Limits, pool sizes, timeouts, the write policy and
 * the mode apply live; a new listen address, worker count, queue length, UDP payload size or peer
 * timeout restarts the transport.
 */
@Component(configurationPid = TransportComponent.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true,
        service = TransportComponent.class)
@Designate(ocd = TransportComponent.Config.class)
public final class TransportComponent {

    public static final String PID = "net.tesseras.transport";

    @ObjectClassDefinition(name = "Tesseras QUIC transport", description = "Listening address, connection pool, protocol limits and write policy.")
    public @interface Config {
        @AttributeDefinition(name = "Listen address", description = "Address to accept peers on (0.0.0.0: every interface).")
        String listen_address() default "0.0.0.0";

        @AttributeDefinition(name = "Listen port", description = "UDP port of the QUIC endpoint.", min = "0", max = "65535")
        int listen_port() default 4433;

        @AttributeDefinition(name = "Max connections", description = "Pooled connections, inbound and outbound; at the limit the least recently used is closed.", min = "1")
        int max_connections() default 256;

        @AttributeDefinition(name = "Idle timeout (s)", description = "A connection without traffic either way for this long is closed by the reaper.", min = "1")
        long idle_timeout_seconds() default 300;

        @AttributeDefinition(name = "Reaper interval (s)", description = "How often idle connections are looked for.", min = "1")
        long reaper_interval_seconds() default 30;

        @AttributeDefinition(name = "Max frame (KiB)", description = "Payload of one frame; larger messages travel in several.", min = "1", max = "16384")
        int max_frame_kb() default 64;

        @AttributeDefinition(name = "Max message (KiB)", description = "Largest list or extension message held in memory.", min = "1")
        int max_message_kb() default 4096;

        @AttributeDefinition(name = "Max fragment (MiB)", description = "Largest fragment accepted from or fetched from a peer; at most 4096, the largest fragment a store accepts (FragmentStore.MAX_FRAGMENT_SIZE).", min = "1", max = "4096")
        long max_fragment_mb() default TransportSettings.MAX_FRAGMENT_MB;

        @AttributeDefinition(name = "Max in flight", description = "Requests served at once per connection; more are answered OVERLOADED.", min = "1")
        int max_in_flight() default 256;

        @AttributeDefinition(name = "Workers", description = "Threads doing storage work for peers (never the network threads).", min = "1")
        int workers() default 4;

        @AttributeDefinition(name = "Queue", description = "Requests waiting for a worker; beyond it peers get OVERLOADED.", min = "1")
        int queue() default 1024;

        @AttributeDefinition(name = "Request timeout (s)", description = "How long a request to a peer waits for its answer.", min = "1")
        long request_timeout_seconds() default 30;

        @AttributeDefinition(name = "Connect timeout (s)", description = "How long opening a connection may take.", min = "1")
        long connect_timeout_seconds() default 5;

        @AttributeDefinition(name = "Mode", description = "pipelined: one stream per connection, batched flushes. naive: a stream per request and a flush per answer (for comparison).",
                options = {@Option(label = "pipelined", value = "pipelined"), @Option(label = "naive", value = "naive")})
        String mode() default "pipelined";

        @AttributeDefinition(name = "Max UDP payload (bytes)", description = "Largest datagram this node sends and accepts. 1350 crosses any internet path; raise it only where every path between nodes carries larger datagrams (jumbo frames, loopback), on both ends: a node never sends more than its peer accepts. A change restarts the transport.",
                min = "1200", max = "65507")
        int max_udp_payload() default TransportSettings.DEFAULT_UDP_PAYLOAD;

        @AttributeDefinition(name = "Write policy", description = "Who may store fragments here: none (every PUT refused, the default), any authenticated peer, only the NodeIds in write.allow, or replication: only fragments of plans this node's replication service accepted (refused UNAVAILABLE while no replication service runs).",
                options = {@Option(label = "none", value = "none"), @Option(label = "any", value = "any"),
                        @Option(label = "allow-list", value = "allow-list"), @Option(label = "replication", value = "replication")})
        String write_policy() default "none";

        @AttributeDefinition(name = "Write allow-list", description = "NodeIds (40 hex characters) allowed to store fragments when the policy is allow-list.", required = false)
        String[] write_allow() default {};

        @AttributeDefinition(name = "Peer timeout (s)", description = "A connection on which nothing is heard from the peer for this long is closed as dead, and the next request dials anew; keep-alives every third of it keep quiet, healthy connections open. A change restarts the transport.",
                min = "1")
        long peer_timeout_seconds() default 15;
    }

    /** Longest timeout or interval accepted: a hundred years, far from Duration's limits. */
    private static final long MAX_SECONDS = 100L * 365 * 24 * 3600;

    private static final Logger LOG = LoggerFactory.getLogger(TransportComponent.class);

    /** The one configuration rule (docs/OPERATOR.md, "Configuration errors") for this PID. */
    static final ConfigRules<Config> RULES = ConfigRules.of(PID, "the transport", Config.class)
            .nonBlank("listen.address")
            .check("listen.address", TransportComponent::addressProblem)
            .range("listen.port", 0, 65535)
            .atLeast("max.connections", 1)
            .range("idle.timeout.seconds", 1, MAX_SECONDS)
            .range("reaper.interval.seconds", 1, MAX_SECONDS)
            .range("max.frame.kb", 1, 16384)
            .range("max.message.kb", 1, Integer.MAX_VALUE / 1024)
            .range("max.fragment.mb", 1, TransportSettings.MAX_FRAGMENT_MB)
            .atLeast("max.in.flight", 1)
            .atLeast("workers", 1)
            .atLeast("queue", 1)
            .range("request.timeout.seconds", 1, MAX_SECONDS)
            .range("connect.timeout.seconds", 1, MAX_SECONDS)
            .oneOf("mode", "pipelined", "naive")
            .range("max.udp.payload", TransportSettings.MIN_UDP_PAYLOAD, TransportSettings.MAX_UDP_PAYLOAD)
            .range("peer.timeout.seconds", 1, MAX_SECONDS)
            .oneOf("write.policy", "none", "any", "allow-list", "replication")
            .check("write.allow", TransportComponent::nodeIdsProblem)
            .alsoKnown(StoreTargets.KEY);

    private final BundleContext context;
    private final NodeIdentity identity;
    private final SwitchableMetrics metrics = new SwitchableMetrics();
    private final StoreBinding stores;
    private final Map<MessageHandler, Integer> handlers = new ConcurrentHashMap<>();
    private volatile QuicTransport transport;
    private volatile WriteGuard writeGuard;
    private QuicPeerClient client;
    private ServiceRegistration<PeerClient> registration;

    /**
     * Starts the transport. A configuration that was never good (a refused value, an address it
     * cannot listen on) fails the activation with a message naming key, value and file; the
     * component comes back by itself when the configuration changes.
     */
    @Activate
    public TransportComponent(BundleContext context, @Reference NodeIdentity identity, Map<String, Object> properties)
            throws InterruptedException {
        this.context = context;
        this.identity = identity;
        this.stores = new StoreBinding(context, PID, "the transport (serving peers)", LOG);
        try {
            configureAndStart(properties);
        } catch (InterruptedException | RuntimeException e) {
            stores.close();
            throw e;
        }
    }

    // Not named activate: DS would call a method of that name again after the constructor.
    private void configureAndStart(Map<String, Object> properties) throws InterruptedException {
        stores.configure(properties);
        ComponentRetry retry = new ComponentRetry(context, PID, TransportComponent.class.getName());
        ConfigRules<Config>.Checked checked = RULES.check(properties).log(LOG);
        if (!checked.usable()) {
            throw checked.down(retry);
        }
        TransportSettings settings;
        try {
            settings = settings(checked.config());
        } catch (IllegalArgumentException e) {
            LOG.error("configuration {}: {}; the transport stays down until {} is fixed", PID, e.getMessage(), checked.file());
            throw checked.down("write.policy", e.getMessage(), retry);
        }
        try {
            start(settings);
        } catch (IllegalStateException e) {
            LOG.error("configuration {}: listen.address = '{}', listen.port = '{}' refused: {}; the transport stays down until {} "
                    + "is fixed or the port is free", PID, checked.config().listen_address(), checked.config().listen_port(),
                    e.getMessage(), checked.file());
            throw checked.down("listen.port", e.getMessage(), retry);
        }
        checked.accepted();
    }

    private static String addressProblem(Object value) {
        try {
            java.net.InetAddress.getByName(String.valueOf(value).trim());
            return null;
        } catch (java.net.UnknownHostException e) {
            return "not an IP address or a known host name";
        }
    }

    private static String nodeIdsProblem(Object value) {
        for (String id : (String[]) value) {
            try {
                NodeId.parse(id);
            } catch (IllegalArgumentException e) {
                return "'" + id + "' is not a NodeId (40 hex characters): " + e.getMessage();
            }
        }
        return null;
    }

    static TransportSettings settings(Config config) {
        TransportSettings.WritePolicy policy = TransportSettings.WritePolicy.of(config.write_policy());
        boolean pipelined = switch (config.mode().trim().toLowerCase(Locale.ROOT)) {
            case "pipelined" -> true;
            case "naive" -> false;
            default -> throw new IllegalArgumentException("mode must be 'pipelined' or 'naive', not '" + config.mode() + "'");
        };
        Set<NodeId> allowed = Arrays.stream(config.write_allow() == null ? new String[0] : config.write_allow())
                .map(String::trim).filter(s -> !s.isEmpty()).map(NodeId::parse).collect(Collectors.toSet());
        return TransportSettings.builder()
                .listen(new InetSocketAddress(config.listen_address().trim(), config.listen_port()))
                .pool(config.max_connections(), Duration.ofSeconds(config.idle_timeout_seconds()),
                        Duration.ofSeconds(config.reaper_interval_seconds()))
                .limits(config.max_frame_kb() * 1024, config.max_fragment_mb() * 1024 * 1024, config.max_in_flight(),
                        config.workers(), config.queue())
                .maxMessageBytes(config.max_message_kb() * 1024)
                .timeouts(Duration.ofSeconds(config.request_timeout_seconds()), Duration.ofSeconds(config.connect_timeout_seconds()))
                .pipelined(pipelined).writePolicy(policy, allowed).maxUdpPayload(config.max_udp_payload())
                .peerTimeout(Duration.ofSeconds(config.peer_timeout_seconds()))
                .build();
    }

    private void start(TransportSettings settings) throws InterruptedException {
        QuicTransport started = new QuicTransport(identity, stores::store, settings, metrics);
        handlers.forEach((handler, type) -> started.addHandler(type, handler));
        started.writeGuard(writeGuard);
        try {
            started.start();
        } catch (InterruptedException e) {
            started.close();
            throw e;
        } catch (Exception e) {
            // Netty rethrows the bind's checked BindException undeclared: catch it too, and free what started.
            started.close();
            throw new IllegalStateException("cannot listen on " + settings.listen() + " (is the port in use?): " + e.getMessage(), e);
        }
        transport = started;
        // Again: a guard bound while the endpoint was starting reached the field but not the transport.
        started.writeGuard(writeGuard);
        client = new QuicPeerClient(started);
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put("node.id", identity.nodeId().toHex());
        properties.put("transport.address", started.localAddress().toString());
        // Where peers reach this node: the configured address, and the bound port (the configured one unless that is 0).
        properties.put(PeerClient.LISTEN_ADDRESS_PROPERTY, settings.listen().getAddress().getHostAddress());
        properties.put(PeerClient.LISTEN_PORT_PROPERTY, started.localAddress().getPort());
        registration = context.registerService(PeerClient.class, client, properties);
    }

    private void stop() {
        if (registration != null) {
            registration.unregister();
            registration = null;
        }
        if (client != null) {
            client.close();
        }
        if (transport != null) {
            transport.close();
        }
    }

    /**
     * Applies a change. Refused values keep their last good ones (one log line each); settings that
     * need a new endpoint start it, and if it cannot listen the old one is started again.
     */
    @Modified
    void modified(Map<String, Object> properties) throws InterruptedException {
        stores.configure(properties);
        ConfigRules<Config>.Checked checked = RULES.check(properties).log(LOG);
        TransportSettings next;
        try {
            next = settings(checked.config());
        } catch (IllegalArgumentException e) {
            LOG.error("configuration {}: write.policy = '{}' refused: {}; keeping the transport settings in force", PID,
                    checked.config().write_policy(), e.getMessage());
            return;
        }
        TransportSettings current = transport.settings();
        if (current.needRestartFor(next)) {
            LOG.info("transport restarting on {} for its new socket, worker, datagram or peer timeout settings", next.listen());
            // Where it listens now, to return there exactly (the configured port may be 0: any).
            InetSocketAddress bound = transport.localAddress();
            stop();
            try {
                start(next);
            } catch (IllegalStateException e) {
                LOG.error("configuration {}: listen.address = '{}', listen.port = '{}' refused: {}; keeping {}", PID,
                        checked.config().listen_address(), checked.config().listen_port(), e.getMessage(), bound);
                start(current.toBuilder().listen(bound).build());
                return;
            }
        } else {
            transport.update(next);
            LOG.info("transport settings applied: {} connections, idle {} s, reaper {} s, mode {}", next.maxConnections(),
                    next.idleTimeout().toSeconds(), next.reaperInterval().toSeconds(), next.pipelined() ? "pipelined" : "naive");
        }
        checked.accepted();
    }

    @Deactivate
    void deactivate() {
        stop();
        stores.close();
    }

    @Reference(service = MessageHandler.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindHandler(MessageHandler handler, Map<String, Object> properties) {
        Object type = properties.get(MessageHandler.TYPE_PROPERTY);
        if (!(type instanceof Integer value)) {
            LOG.error("message handler {} ignored: its {} property is not an Integer", handler, MessageHandler.TYPE_PROPERTY);
            return;
        }
        try {
            MessageHandler.checkExtensionType(value);
        } catch (IllegalArgumentException e) {
            LOG.error("message handler {} ignored: {}", handler, e.getMessage());
            return;
        }
        handlers.put(handler, value);
        QuicTransport current = transport;
        if (current != null) {
            current.addHandler(value, handler);
        }
    }

    void unbindHandler(MessageHandler handler) {
        Integer type = handlers.remove(handler);
        QuicTransport current = transport;
        if (type != null && current != null) {
            current.removeHandler(type, handler);
        }
    }

    /**
     * The replication service's guard, consulted for every PUT under {@code write.policy = replication}.
     * Greedy: a better-ranked guard replaces the bound one at once.
     */
    @Reference(service = WriteGuard.class, cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    synchronized void bindWriteGuard(WriteGuard guard) {
        writeGuard = guard;
        QuicTransport current = transport;
        if (current != null) {
            current.writeGuard(guard);
        }
    }

    synchronized void unbindWriteGuard(WriteGuard guard) {
        // A greedy replacement binds the new guard before unbinding the old one: keep the new one.
        if (writeGuard != guard) {
            return;
        }
        writeGuard = null;
        QuicTransport current = transport;
        if (current != null) {
            current.writeGuard(null);
        }
    }

    void metrics(TransportMetrics target) {
        metrics.target(target);
    }

    int poolSize() {
        QuicTransport current = transport;
        return current == null ? 0 : current.pool().size();
    }
}
