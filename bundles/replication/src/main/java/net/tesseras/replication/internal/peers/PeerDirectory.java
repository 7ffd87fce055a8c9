package net.tesseras.replication.internal.peers;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import net.tesseras.identity.NodeId;
import net.tesseras.replication.Peer;
import net.tesseras.replication.PeerLookup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peers this node knows, over the {@link PeerTable}: the {@link PeerLookup} replication uses
 * until a DHT replaces it, and the place peer exchange records what it learns.
 *
 * <p>Reads come from an in-memory copy of the table, loaded at construction (so a new directory
 * over the same database knows every peer) and updated after each committed write. One directory
 * per database: two would not see each other's writes.
 *
 * <p>A peer is institutional when it is on the operator's list or claims it itself (first hand).
 * The claim only ever limits a peer (placement puts at most a few fragments on institutional
 * peers), so believing it is safe; what an institutional peer is spared (the ledger's deficit
 * limit) follows the operator's list alone.
 *
 * <p>The table is bounded ({@link #setMaxPeers}): identities cost little to mint, so a stranger
 * could otherwise fill it. A new peer takes the place of a dead one, of one without an address,
 * or of one only heard of; when every known peer is alive and was seen, the newcomer is not
 * recorded, so peers that proved themselves are never pushed out by a flood of new ones.
 */
public final class PeerDirectory implements PeerLookup {

    /** Consecutive failures after which a peer is believed dead, by default (the original's ping-failure threshold). */
    public static final int DEFAULT_DEAD_AFTER_FAILURES = 3;

    /** Most peers kept, by default. */
    public static final int DEFAULT_MAX_PEERS = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(PeerDirectory.class);

    private record Entry(PeerTable.Row row, byte[] id) {
        Entry(PeerTable.Row row) {
            this(row, row.nodeId().toBytes());
        }
    }

    private final PeerTable table;
    private final NodeId self;
    private final Clock clock;
    private final ConcurrentMap<NodeId, Entry> cache = new ConcurrentHashMap<>();
    private volatile Set<NodeId> operatorInstitutional;
    private volatile int deadAfterFailures;
    private volatile int maxPeers = DEFAULT_MAX_PEERS;

    /**
     * @param self this node, never listed
     * @param deadAfterFailures consecutive failures after which {@link #closest} leaves a peer out (at least 1)
     * @param institutional the operator's institutional NodeIds
     */
    public PeerDirectory(PeerTable table, NodeId self, Clock clock, int deadAfterFailures, Set<NodeId> institutional) {
        this.table = Objects.requireNonNull(table, "table");
        this.self = Objects.requireNonNull(self, "self");
        this.clock = Objects.requireNonNull(clock, "clock");
        setDeadAfterFailures(deadAfterFailures);
        setInstitutional(institutional);
        for (PeerTable.Row row : table.all()) {
            cache.put(row.nodeId(), new Entry(row));
        }
    }

    /** Replaces the operator's institutional list (live configuration). */
    public void setInstitutional(Set<NodeId> institutional) {
        this.operatorInstitutional = Set.copyOf(institutional);
    }

    /** Changes the failure threshold (live configuration). */
    public void setDeadAfterFailures(int deadAfterFailures) {
        if (deadAfterFailures < 1) {
            throw new IllegalArgumentException("the dead-after-failures threshold must be at least 1, got " + deadAfterFailures);
        }
        this.deadAfterFailures = deadAfterFailures;
    }

    /** Changes the most peers kept (live configuration); a smaller bound applies to newcomers, nobody is removed at once. */
    public void setMaxPeers(int maxPeers) {
        if (maxPeers < 1) {
            throw new IllegalArgumentException("the peer table must hold at least 1 peer, got " + maxPeers);
        }
        this.maxPeers = maxPeers;
    }

    /** This node's NodeId. */
    public NodeId self() {
        return self;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Left out as well: this node, and peers with no address to dial.
     */
    @Override
    public List<Peer> closest(byte[] target, int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative: " + count);
        }
        XorDistance distance = new XorDistance(target);
        int dead = deadAfterFailures;
        return cache.values().stream()
                .filter(e -> e.row().failures() < dead && !e.row().addresses().isEmpty() && !e.row().nodeId().equals(self))
                .sorted((a, b) -> distance.compare(a.id(), b.id()))
                .limit(count)
                .map(e -> peer(e.row()))
                .toList();
    }

    @Override
    public Optional<Peer> find(NodeId nodeId) {
        return Optional.ofNullable(cache.get(nodeId)).map(e -> peer(e.row()));
    }

    @Override
    public List<Peer> peers() {
        return cache.values().stream().map(Entry::row).sorted(Comparator.comparing(PeerTable.Row::nodeId)).map(this::peer).toList();
    }

    /** How many peers the table holds, dead ones included. */
    public int size() {
        return cache.size();
    }

    @Override
    public synchronized void contacted(NodeId peer, boolean answered) {
        table.contacted(peer, answered, clock.instant()).ifPresent(this::cache);
    }

    /** Whether {@link #closest} would consider the peer (fewer failures than the threshold). */
    public boolean alive(Peer peer) {
        return peer.failures() < deadAfterFailures;
    }

    /** Peers whose last requests failed, fewest failures first (they are the likeliest to be back), at most {@code limit}. */
    public List<Peer> failing(int limit) {
        return cache.values().stream().map(Entry::row).filter(r -> r.failures() > 0 && !r.addresses().isEmpty())
                .sorted(Comparator.comparingInt(PeerTable.Row::failures).thenComparing(PeerTable.Row::nodeId))
                .limit(limit).map(this::peer).toList();
    }

    /**
     * Records a peer that described itself first hand (it was authenticated as {@code nodeId}); see
     * {@link PeerTable#upsertFirstHand}.
     *
     * @param addresses where it can be reached, already made dialable from here, preferred first
     * @param capabilities what its PONG announced, or null when not asked
     * @return the peer as recorded; empty when {@code nodeId} is this node, or new while the table
     *         is full of live peers
     * @throws IllegalArgumentException if the description's key and nonce do not derive {@code nodeId}
     */
    public synchronized Optional<Peer> announced(NodeId nodeId, PeerDescription description, List<InetSocketAddress> addresses,
            Collection<String> capabilities) {
        if (nodeId.equals(self) || !roomFor(nodeId)) {
            return Optional.empty();
        }
        return Optional.of(peer(cache(table.upsertFirstHand(nodeId, description, addresses, capabilities, clock.instant()))));
    }

    /**
     * Records a peer another node listed; see {@link PeerTable#upsertHearsay}.
     *
     * @return the peer as recorded; empty when it is this node, or new while the table is full of
     *         live peers
     * @throws IllegalArgumentException if the description's key and nonce do not derive {@code nodeId}
     */
    public synchronized Optional<Peer> heard(NodeId nodeId, PeerDescription description, List<InetSocketAddress> addresses) {
        if (nodeId.equals(self) || !roomFor(nodeId)) {
            return Optional.empty();
        }
        return Optional.of(peer(cache(table.upsertHearsay(nodeId, description, addresses, clock.instant()))));
    }

    /** The peer answered at {@code address}: it goes first among its addresses. */
    public synchronized void workedAt(NodeId nodeId, InetSocketAddress address) {
        table.workedAt(nodeId, address).ifPresent(this::cache);
    }

    /** Whether {@code nodeId} is known or may be added, removing the least useful peer when the table is full. */
    private boolean roomFor(NodeId nodeId) {
        if (cache.containsKey(nodeId) || cache.size() < maxPeers) {
            return true;
        }
        int dead = deadAfterFailures;
        Comparator<PeerTable.Row> leastUseful = Comparator
                .comparing((PeerTable.Row r) -> r.failures() < dead)          // dead first
                .thenComparing(r -> !r.addresses().isEmpty())                 // then those with nowhere to dial
                .thenComparing(r -> r.lastSeen() != null)                     // then those only heard of
                .thenComparing(r -> r.lastSeen() != null ? r.lastSeen() : r.firstSeen());
        Optional<PeerTable.Row> victim = cache.values().stream().map(Entry::row)
                .filter(r -> r.failures() >= dead || r.addresses().isEmpty() || r.lastSeen() == null)
                .min(leastUseful);
        if (victim.isEmpty()) {
            LOG.debug("peer table full ({} peers, all alive and seen): {} not recorded", cache.size(), nodeId);
            return false;
        }
        table.delete(victim.get().nodeId());
        cache.remove(victim.get().nodeId());
        LOG.debug("peer table full: {} removed to make room for {}", victim.get().nodeId(), nodeId);
        return true;
    }

    private PeerTable.Row cache(PeerTable.Row row) {
        cache.put(row.nodeId(), new Entry(row));
        return row;
    }

    private Peer peer(PeerTable.Row row) {
        return new Peer(row.nodeId(), row.publicKey(), row.nonce(), row.addresses(), row.capabilities(),
                row.claimsInstitutional() || operatorInstitutional.contains(row.nodeId()), row.firstSeen(),
                row.lastSeen() != null ? row.lastSeen() : row.firstSeen(), row.failures());
    }
}
