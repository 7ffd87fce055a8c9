package net.tesseras.replication.internal.peers;

import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import net.tesseras.identity.NodeId;
import net.tesseras.replication.Peer;
import net.tesseras.replication.internal.wire.MessageTypes;
import net.tesseras.transport.PeerClient;
import net.tesseras.transport.PeerException;
import net.tesseras.transport.PeerInfo;
import net.tesseras.transport.PeerMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of peer exchange: fills the {@link PeerDirectory} from seed addresses and from
 * what the peers it reaches know (FIND_PEERS). A small iterative lookup, enough until a DHT
 * replaces it.
 *
 * <p>Every peer is pinged first, which yields the NodeId its connection authenticated; its PEERS
 * answer counts only when the description it gives of itself derives that NodeId, and each peer
 * it lists only when the listed key and nonce derive the listed NodeId. What a peer says about
 * itself is recorded first hand; what it says about others is hearsay (see {@link PeerTable}).
 *
 * <p>{@link #bootstrap} and {@link #refresh} block until every request has answered or timed out
 * (the transport's request timeout): call them from a worker thread. Answers are processed on the
 * calling thread, never on the transport's.
 */
public final class PeerExchange {

    private static final Logger LOG = LoggerFactory.getLogger(PeerExchange.class);

    /** Peers asked in parallel in the second round (the original's Kademlia alpha). */
    public static final int ALPHA = 3;
    /** Peers asked for in each FIND_PEERS (the original's k). */
    public static final int ASK_COUNT = 20;
    /** Failing peers pinged by one refresh. */
    public static final int REVIVE_LIMIT = 32;
    /** Addresses of one failing peer tried by one refresh. */
    static final int REVIVE_ADDRESSES = 3;

    /**
     * What one bootstrap or refresh did.
     *
     * @param asked peers sent a ping (and FIND_PEERS when it answered)
     * @param answered valid PEERS answers
     * @param learned peers new to the table
     * @param revived failing peers that answered a ping again (refresh only)
     * @param known peers in the table afterwards
     */
    public record Report(int asked, int answered, int learned, int revived, int known) {}

    /** Whom to ask: an address, and the NodeId expected there (null for a seed). */
    private record Contact(InetSocketAddress address, NodeId expected) {}

    /** What came back: the ping's answer (null when unanswered), the FIND_PEERS answer (null when not sent or failed). */
    private record Reply(Contact contact, PeerInfo info, PeerMessage answer, Throwable failure) {}

    private final PeerClient client;
    private final PeerDirectory directory;
    private final Supplier<SelfDescription> self;
    private volatile List<InetSocketAddress> seeds = List.of();

    /** @param self this node's current description (asked on every exchange, so live changes apply) */
    public PeerExchange(PeerClient client, PeerDirectory directory, Supplier<SelfDescription> self) {
        this.client = Objects.requireNonNull(client, "client");
        this.directory = Objects.requireNonNull(directory, "directory");
        this.self = Objects.requireNonNull(self, "self");
    }

    /**
     * Asks every seed for the peers closest to this node, then asks the {@value #ALPHA} closest
     * peers learned that way. The seeds are kept for {@link #refresh}.
     */
    public synchronized Report bootstrap(List<InetSocketAddress> seeds) {
        this.seeds = List.copyOf(seeds);
        List<Contact> contacts = seeds.stream().distinct().map(s -> new Contact(s, null)).toList();
        Counts counts = twoRounds(contacts);
        LOG.info("peer bootstrap: {} of {} contacted peers answered, {} new peers, {} known", counts.answered, counts.asked,
                counts.learned, directory.size());
        return new Report(counts.asked, counts.answered, counts.learned, 0, directory.size());
    }

    /**
     * Runs the exchange again against the seeds of the last {@link #bootstrap} and the
     * {@value #ALPHA} live peers closest to this node, then pings up to {@value #REVIVE_LIMIT}
     * failing peers (at up to {@value #REVIVE_ADDRESSES} of their addresses) so that a peer that
     * is back counts as alive again.
     */
    public synchronized Report refresh() {
        Map<InetSocketAddress, Contact> contacts = new LinkedHashMap<>();
        for (InetSocketAddress seed : seeds) {
            contacts.putIfAbsent(seed, new Contact(seed, null));
        }
        for (Peer peer : directory.closest(directory.self().toBytes(), ALPHA)) {
            contacts.putIfAbsent(peer.address(), new Contact(peer.address(), peer.nodeId()));
        }
        Counts counts = twoRounds(List.copyOf(contacts.values()));
        int revived = revive(counts);
        int known = directory.size();
        LOG.info("peer refresh: {} of {} contacted peers answered, {} new peers, {} failing peers revived, {} known",
                counts.answered, counts.asked, counts.learned, revived, known);
        return new Report(counts.asked, counts.answered, counts.learned, revived, known);
    }

    /** What the rounds of one run did, and whom they reached or tried (not to be asked twice in one run). */
    private static final class Counts {
        int asked;
        int answered;
        int learned;
        final Set<NodeId> nodes = new HashSet<>();
        final Set<InetSocketAddress> addresses = new HashSet<>();

        boolean tried(Peer peer) {
            return nodes.contains(peer.nodeId()) || addresses.contains(peer.address());
        }
    }

    private Counts twoRounds(List<Contact> first) {
        Counts counts = new Counts();
        round(first, counts);
        List<Contact> second = directory.closest(directory.self().toBytes(), ASK_COUNT).stream()
                .filter(p -> !counts.tried(p))
                .limit(ALPHA)
                .map(p -> new Contact(p.address(), p.nodeId()))
                .toList();
        round(second, counts);
        return counts;
    }

    private void round(List<Contact> contacts, Counts counts) {
        if (contacts.isEmpty()) {
            return;
        }
        PeerMessage request = PeerWire.encode(new PeerWire.FindPeers(directory.self().toBytes(), ASK_COUNT, self.get().describe()));
        List<CompletableFuture<Reply>> replies = contacts.stream().map(c -> ask(c, request)).toList();
        counts.asked += contacts.size();
        for (CompletableFuture<Reply> reply : replies) {
            Reply r = reply.join();
            counts.addresses.add(r.contact().address());
            if (r.info() != null) {
                counts.nodes.add(r.info().nodeId());
            }
            if (r.contact().expected() != null) {
                counts.nodes.add(r.contact().expected());
            }
            int learned = process(r);
            if (learned >= 0) {
                counts.answered++;
                counts.learned += learned;
            }
        }
    }

    /** Ping, then FIND_PEERS when the ping says the right node answered; never fails (the failure is in the reply). */
    private CompletableFuture<Reply> ask(Contact contact, PeerMessage request) {
        return call(() -> client.ping(contact.address())).thenCompose(info -> {
            boolean wrongNode = contact.expected() != null && !contact.expected().equals(info.nodeId());
            if (wrongNode || info.nodeId().equals(directory.self())) {
                return CompletableFuture.completedFuture(new Reply(contact, info, null, null));
            }
            // Each request gets its own view of the payload: the transport may consume the buffer.
            PeerMessage mine = new PeerMessage(request.type(), request.payload().duplicate());
            return call(() -> client.request(contact.address(), mine))
                    .handle((answer, failure) -> new Reply(contact, info, answer, unwrap(failure)));
        }).exceptionally(failure -> new Reply(contact, null, null, unwrap(failure)));
    }

    /**
     * Records what one reply says.
     *
     * @return the number of peers new to the table, or -1 when the reply was no valid PEERS answer
     */
    private int process(Reply reply) {
        Contact contact = reply.contact();
        String who = contact.expected() != null ? "peer " + contact.expected() + " at " + SocketAddresses.format(contact.address())
                : "seed " + SocketAddresses.format(contact.address());
        if (reply.info() == null) {
            LOG.info("{} did not answer a ping: {}", who, describe(reply.failure()));
            failed(contact);
            return -1;
        }
        NodeId answerer = reply.info().nodeId();
        if (answerer.equals(directory.self())) {
            LOG.info("{} is this node itself; it is not asked for peers", who);
            return -1;
        }
        if (contact.expected() != null && !contact.expected().equals(answerer)) {
            LOG.info("{} is now another node ({}); the peer counts as not answering there", who, answerer);
            failed(contact);
            return -1;
        }
        if (reply.answer() == null) {
            // It answered the ping, so it is alive; it just does not exchange peers (or failed to).
            LOG.info("{} ({}) answered a ping but not FIND_PEERS: {}", who, answerer, describe(reply.failure()));
            if (contact.expected() != null) {
                directory.contacted(answerer, true);
            }
            return -1;
        }
        if (reply.answer().type() != MessageTypes.PEERS) {
            LOG.warn("{} ({}) answered FIND_PEERS with message type 0x{} instead of PEERS; ignored", who, answerer,
                    Integer.toHexString(reply.answer().type()));
            return -1;
        }
        PeerWire.Peers peers;
        try {
            peers = PeerWire.decodePeers(reply.answer().payload(), ASK_COUNT);
        } catch (PeerException e) {
            LOG.warn("{} ({}) sent a PEERS answer that does not parse, ignored: {}", who, answerer, e.getMessage());
            return -1;
        }
        Optional<NodeId> claimed = peers.answerer().nodeId();
        if (!claimed.map(answerer::equals).orElse(false)) {
            LOG.warn("{} authenticated as {} but describes itself with a key and nonce that derive {}; its answer is ignored",
                    who, answerer, claimed.map(NodeId::toHex).orElse("no NodeId"));
            return -1;
        }
        List<InetSocketAddress> addresses = SocketAddresses.merge(List.of(contact.address()),
                FindPeersHandler.dialable(peers.answerer().addresses(), contact.address()));
        boolean known = directory.find(answerer).isPresent();
        boolean recorded = directory.announced(answerer, peers.answerer(), addresses, reply.info().capabilities()).isPresent();
        directory.contacted(answerer, true);
        return (recorded && !known ? 1 : 0) + recordListed(who, peers.peers(), contact.address());
    }

    private int recordListed(String who, List<PeerWire.ListedPeer> listed, InetSocketAddress teller) {
        int learned = 0;
        int skipped = 0;
        for (PeerWire.ListedPeer entry : listed) {
            if (!entry.consistent()) {
                skipped++;
                continue;
            }
            NodeId id = NodeId.of(entry.nodeId());
            List<InetSocketAddress> addresses = SocketAddresses.usableHearsay(entry.description().addresses(), teller.getAddress());
            if (id.equals(directory.self()) || addresses.isEmpty()) {
                continue;
            }
            boolean known = directory.find(id).isPresent();
            if (directory.heard(id, entry.description(), addresses).isPresent() && !known) {
                learned++;
            }
        }
        if (skipped > 0) {
            LOG.warn("{} listed {} peers whose key and nonce do not derive the NodeId they are listed under; they were skipped",
                    who, skipped);
        }
        return learned;
    }

    /**
     * Pings failing peers the exchange did not just ask by NodeId. A peer whose address only
     * failed as a seed's is pinged again: a seed has no expected NodeId, so its silence counted
     * against no one.
     */
    private int revive(Counts tried) {
        List<Peer> failing = directory.failing(REVIVE_LIMIT + tried.nodes.size()).stream()
                .filter(p -> !tried.nodes.contains(p.nodeId())).limit(REVIVE_LIMIT).toList();
        List<CompletableFuture<Optional<InetSocketAddress>>> pings = failing.stream()
                .map(p -> pingAt(p.nodeId(), p.addresses().subList(0, Math.min(REVIVE_ADDRESSES, p.addresses().size())), 0))
                .toList();
        int revived = 0;
        for (int i = 0; i < failing.size(); i++) {
            NodeId id = failing.get(i).nodeId();
            Optional<InetSocketAddress> at = pings.get(i).join();
            if (at.isPresent()) {
                directory.workedAt(id, at.get());
                directory.contacted(id, true);
                revived++;
            } else {
                directory.contacted(id, false);
            }
        }
        return revived;
    }

    /** The first of {@code addresses} (from {@code i}) where {@code expected} answers a ping, tried one after another. */
    private CompletableFuture<Optional<InetSocketAddress>> pingAt(NodeId expected, List<InetSocketAddress> addresses, int i) {
        if (i >= addresses.size()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        InetSocketAddress address = addresses.get(i);
        return call(() -> client.ping(address))
                .handle((info, failure) -> info != null && expected.equals(info.nodeId()))
                .thenCompose(ok -> ok ? CompletableFuture.completedFuture(Optional.of(address)) : pingAt(expected, addresses, i + 1));
    }

    private void failed(Contact contact) {
        if (contact.expected() != null) {
            directory.contacted(contact.expected(), false);
        }
    }

    /** A client call as a future, a synchronous throw included. */
    private static <T> CompletableFuture<T> call(Supplier<CompletionStage<T>> call) {
        try {
            return call.get().toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    private static String describe(Throwable failure) {
        if (failure == null) {
            return "no answer";
        }
        return failure instanceof PeerException p ? p.code() + ": " + p.getMessage() : failure.toString();
    }
}
