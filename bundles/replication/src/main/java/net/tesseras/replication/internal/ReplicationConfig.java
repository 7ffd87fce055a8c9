package net.tesseras.replication.internal;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import net.tesseras.common.config.internal.ConfigRules;
import net.tesseras.common.internal.StoreTargets;
import net.tesseras.identity.NodeId;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The replication bundle's configuration (etc/net.tesseras.replication.cfg) and its rules. */
@ObjectClassDefinition(name = "Tesseras replication",
        description = "Peers, placement, proofs, repair and the reciprocity ledger.")
public @interface ReplicationConfig {

    String PID = "net.tesseras.replication";

    @AttributeDefinition(name = "Bootstrap peers", description = "host:port of nodes to ask for peers at start and"
            + " at every refresh; comma separated.")
    String[] bootstrap() default {};

    @AttributeDefinition(name = "Advertised address", description = "IP address, or IP:port, peers should dial to reach"
            + " this node (IPv6 in brackets with a port); empty: the transport's listen address (a wildcard one: the address"
            + " peers see us from).")
    String advertise_address() default "";

    @AttributeDefinition(name = "Replication factor", description = "Distinct peers a tessera must live on (whole copies"
            + " of a small tessera).", min = "1", max = "64")
    int replication_factor() default 7;

    @AttributeDefinition(name = "Publish on create", description = "Publish every tessera created on this node by itself.")
    boolean publish_on_create() default false;

    @AttributeDefinition(name = "Repair interval (s)", description = "Time between repair passes (plus jitter).",
            min = "10", max = "2592000")
    int repair_interval_seconds() default 3600;

    @AttributeDefinition(name = "Repair jitter (s)", description = "A uniform random delay in [0, jitter) added to every"
            + " interval, so nodes do not repair in step.", min = "0", max = "86400")
    int repair_jitter_seconds() default 300;

    @AttributeDefinition(name = "First repair after (s)", description = "Delay of the first pass after start.",
            min = "0", max = "86400")
    int repair_initial_delay_seconds() default 60;

    @AttributeDefinition(name = "Repair bandwidth (MiB/s)", description = "Cap on bytes repair moves per second (fetches"
            + " and placements); 0: no cap.", min = "0", max = "100000")
    int repair_bandwidth_mb() default 64;

    @AttributeDefinition(name = "Holder grace (s)", description = "How long a holder may go without passing a proof"
            + " (silent, or refusing challenges) before its fragments count as lost and are placed elsewhere; 0: at the"
            + " first pass it does not prove them.",
            min = "0", max = "2592000")
    int holder_grace_seconds() default 3600;

    @AttributeDefinition(name = "Deficit limit (MiB)", description = "A peer that takes more than it gives by more than"
            + " this is refused (unless institutional).", min = "0", max = "1073741824")
    int ledger_deficit_limit_mb() default 256;

    @AttributeDefinition(name = "Institutional peers", description = "NodeIds (40 hex characters) never refused for"
            + " deficit; at most ceil(r / 3.5) of a tessera's holders are institutional.")
    String[] institutional() default {};

    @AttributeDefinition(name = "Largest tessera (GiB)", description = "Plans offered by peers above this are refused.",
            min = "1", max = "1024")
    int max_tessera_gb() default 10;

    @AttributeDefinition(name = "Challenged fragments per holder", description = "Fragments of each holder whose bytes"
            + " a repair pass challenges; 0: attestations only.", min = "0", max = "64")
    int challenge_fragments() default 2;

    @AttributeDefinition(name = "Chunks per challenged fragment", description = "1 KiB chunks the nonce selects in"
            + " each challenged fragment.", min = "1", max = "64")
    int challenge_chunks() default 4;

    @AttributeDefinition(name = "Peer refresh (s)", description = "Time between asks for peers (bootstrap and known"
            + " peers).", min = "5", max = "86400")
    int peer_refresh_seconds() default 300;

    @AttributeDefinition(name = "Failures before dead", description = "Consecutive failed requests after which a peer is"
            + " no longer chosen (until it answers again).", min = "1", max = "100")
    int peer_failure_limit() default 3;

    @AttributeDefinition(name = "Transfers per peer", description = "Fragments sent to one peer at the same time.",
            min = "1", max = "16")
    int transfers_per_peer() default 4;

    @AttributeDefinition(name = "Transfers in all", description = "Fragments sent at the same time to all peers.",
            min = "1", max = "256")
    int transfers_total() default 32;

    @AttributeDefinition(name = "Attempts per placement", description = "Tries of one transfer (with exponential"
            + " backoff) before it counts as lost and repair places it elsewhere.", min = "1", max = "100")
    int transfer_attempts() default 8;

    @AttributeDefinition(name = "Store target", description = "LDAP filter of the fragment store to use; empty: the"
            + " cache front, else the fs backend.")
    String store_target() default "";

    ConfigRules<ReplicationConfig> RULES = ConfigRules.of(PID, "replication", ReplicationConfig.class)
            .check("bootstrap", v -> Settings.addressesProblem((String[]) v))
            .check("advertise.address", v -> String.valueOf(v).isBlank() ? null : Settings.advertisedProblem(String.valueOf(v)))
            .range("replication.factor", 1, 64)
            .range("repair.interval.seconds", 10, 2_592_000)
            .range("repair.jitter.seconds", 0, 86_400)
            .range("repair.initial.delay.seconds", 0, 86_400)
            .range("repair.bandwidth.mb", 0, 100_000)
            .range("holder.grace.seconds", 0, 2_592_000)
            .range("ledger.deficit.limit.mb", 0, 1_073_741_824)
            .check("institutional", v -> Settings.nodeIdsProblem((String[]) v))
            .range("max.tessera.gb", 1, 1024)
            .range("challenge.fragments", 0, 64)
            .range("challenge.chunks", 1, 64)
            .range("peer.refresh.seconds", 5, 86_400)
            .range("peer.failure.limit", 1, 100)
            .range("transfers.per.peer", 1, 16)
            .range("transfers.total", 1, 256)
            .range("transfer.attempts", 1, 100)
            .alsoKnown(StoreTargets.KEY);

    /** Parsing of the values the rules accepted. */
    final class Settings {

        private Settings() {
        }

        static List<InetSocketAddress> bootstrap(ReplicationConfig config) {
            List<InetSocketAddress> seeds = new ArrayList<>();
            for (String entry : nonBlank(config.bootstrap())) {
                seeds.add(address(entry, true));
            }
            return seeds;
        }

        static Set<NodeId> institutional(ReplicationConfig config) {
            Set<NodeId> ids = new LinkedHashSet<>();
            for (String id : nonBlank(config.institutional())) {
                ids.add(NodeId.parse(id));
            }
            return ids;
        }

        static List<String> nonBlank(String[] values) {
            return values == null ? List.of()
                    : Arrays.stream(values).map(String::trim).filter(s -> !s.isEmpty()).toList();
        }

        /** host:port (IPv6 in brackets: [::1]:4433); {@code needPort} false also allows a bare host. */
        static InetSocketAddress address(String text, boolean needPort) {
            String s = text.trim();
            String host;
            int port = 0;
            int colon = s.lastIndexOf(':');
            boolean bracketed = s.startsWith("[");
            if (bracketed) {
                int close = s.indexOf(']');
                if (close < 0) {
                    throw new IllegalArgumentException("'" + text + "': an IPv6 address in brackets needs its closing ]");
                }
                host = s.substring(1, close);
                if (close + 1 < s.length()) {
                    if (s.charAt(close + 1) != ':') {
                        throw new IllegalArgumentException("'" + text + "': expected :port after the ]");
                    }
                    port = port(text, s.substring(close + 2));
                }
            } else if (colon > 0 && s.indexOf(':') == colon) {
                host = s.substring(0, colon);
                port = port(text, s.substring(colon + 1));
            } else {
                host = s;
            }
            if (host.isBlank()) {
                throw new IllegalArgumentException("'" + text + "' names no host");
            }
            if (port == 0 && needPort) {
                throw new IllegalArgumentException("'" + text + "' needs a port: host:port, e.g. 192.0.2.7:4433");
            }
            return InetSocketAddress.createUnresolved(host, port);
        }

        private static int port(String text, String port) {
            try {
                int p = Integer.parseInt(port.trim());
                if (p < 1 || p > 65535) {
                    throw new IllegalArgumentException("'" + text + "': port " + p + " is not in 1..65535");
                }
                return p;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "': '" + port + "' is not a port number");
            }
        }

        static String addressProblem(String text, boolean portOptional) {
            try {
                address(text, !portOptional);
                return null;
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            }
        }

        /**
         * The advertised address: an IP literal, with or without a port (IPv6 with a port in brackets).
         * Literals only: peers are told IP addresses, and a name would be looked up at every request.
         */
        static InetSocketAddress advertised(String text) {
            String s = text.trim();
            boolean bareIpv6 = !s.startsWith("[") && s.indexOf(':') != s.lastIndexOf(':');
            InetSocketAddress given = bareIpv6 ? InetSocketAddress.createUnresolved(s, 0) : address(s, false);
            String host = given.getHostString();
            if (!host.contains(":") && !host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) {
                throw new IllegalArgumentException("'" + text + "' is not an IP address: peers are told IP addresses"
                        + " (e.g. 192.0.2.7, 192.0.2.7:4433 or [2001:db8::7]:4433)");
            }
            try {
                // A literal: parsed, never looked up.
                return new InetSocketAddress(java.net.InetAddress.getByName(host), given.getPort());
            } catch (java.net.UnknownHostException e) {
                throw new IllegalArgumentException("'" + text + "' is not an IP address: " + e.getMessage());
            }
        }

        static String advertisedProblem(String text) {
            try {
                advertised(text);
                return null;
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            }
        }

        static String addressesProblem(String[] values) {
            for (String entry : nonBlank(values)) {
                String problem = addressProblem(entry, false);
                if (problem != null) {
                    return problem;
                }
            }
            return null;
        }

        static String nodeIdsProblem(String[] values) {
            for (String id : nonBlank(values)) {
                try {
                    NodeId.parse(id);
                } catch (IllegalArgumentException e) {
                    return "'" + id + "' is not a NodeId (40 hex characters, from the peer's tesseras:identity): "
                            + e.getMessage();
                }
            }
            return null;
        }
    }
}
