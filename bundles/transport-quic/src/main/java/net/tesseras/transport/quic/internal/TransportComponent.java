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
import net.tesseras.identity.NodeId;
import net.tesseras.identity.NodeIdentity;
import net.tesseras.storage.FragmentStore;
import net.tesseras.transport.MessageHandler;
import net.tesseras.transport.PeerClient;
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
 * Runs the QUIC transport with the node's identity and serves peers from the current
 * {@link FragmentStore} (the cache front when there is one: the highest ranked, followed as it
 * changes). Publishes {@link PeerClient} by hand once the socket is bound, so a port in use leaves
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

        @AttributeDefinition(name = "Write policy", description = "Who may store fragments here: none (every PUT refused, the default), any authenticated peer, or only the NodeIds in write.allow.",
                options = {@Option(label = "none", value = "none"), @Option(label = "any", value = "any"),
                        @Option(label = "allow-list", value = "allow-list")})
        String write_policy() default "none";

        @AttributeDefinition(name = "Write allow-list", description = "NodeIds (40 hex characters) allowed to store fragments when the policy is allow-list.", required = false)
        String[] write_allow() default {};

        @AttributeDefinition(name = "Peer timeout (s)", description = "A connection on which nothing is heard from the peer for this long is closed as dead, and the next request dials anew; keep-alives every third of it keep quiet, healthy connections open. A change restarts the transport.",
                min = "1")
        long peer_timeout_seconds() default 15;
    }

    private static final Logger LOG = LoggerFactory.getLogger(TransportComponent.class);

    private final BundleContext context;
    private final NodeIdentity identity;
    private final SwitchableMetrics metrics = new SwitchableMetrics();
    private volatile FragmentStore store;
    private final Map<MessageHandler, Integer> handlers = new ConcurrentHashMap<>();
    private volatile QuicTransport transport;
    private QuicPeerClient client;
    private ServiceRegistration<PeerClient> registration;

    @Activate
    public TransportComponent(BundleContext context, @Reference NodeIdentity identity, Config config) throws InterruptedException {
        this.context = context;
        this.identity = identity;
        start(settings(config));
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
        QuicTransport started = new QuicTransport(identity, () -> store, settings, metrics);
        handlers.forEach((handler, type) -> started.addHandler(type, handler));
        try {
            started.start();
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot listen on " + settings.listen() + " (is the port in use?): " + e.getMessage(), e);
        }
        transport = started;
        client = new QuicPeerClient(started);
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put("node.id", identity.nodeId().toHex());
        properties.put("transport.address", started.localAddress().toString());
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

    @Modified
    void modified(Config config) throws InterruptedException {
        TransportSettings next;
        try {
            next = settings(config);
        } catch (IllegalArgumentException e) {
            LOG.error("ignoring the new transport configuration: {}", e.getMessage());
            return;
        }
        if (transport.settings().needRestartFor(next)) {
            LOG.info("transport restarting on {} for its new socket, worker, datagram or peer timeout settings", next.listen());
            stop();
            start(next);
        } else {
            transport.update(next);
            LOG.info("transport settings applied: {} connections, idle {} s, reaper {} s, mode {}", next.maxConnections(),
                    next.idleTimeout().toSeconds(), next.reaperInterval().toSeconds(), next.pipelined() ? "pipelined" : "naive");
        }
    }

    @Deactivate
    void deactivate() {
        stop();
    }

    @Reference(service = FragmentStore.class, cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindStore(FragmentStore bound) {
        store = bound;
    }

    void unbindStore(FragmentStore unbound) {
        if (store == unbound) {
            store = null;
        }
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

    void metrics(TransportMetrics target) {
        metrics.target(target);
    }

    int poolSize() {
        QuicTransport current = transport;
        return current == null ? 0 : current.pool().size();
    }
}
