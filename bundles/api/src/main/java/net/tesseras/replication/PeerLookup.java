package net.tesseras.replication;

import java.util.List;
import java.util.Optional;
import net.tesseras.identity.NodeId;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Finds peers. The replication bundle registers one backed by its peer table (bootstrap list,
 * inbound peers, peer exchange); a DHT can register a better one with a higher
 * {@code service.ranking}, and replication follows it.
 */
@ProviderType
public interface PeerLookup {

    /**
     * The known peers closest to {@code target} by XOR distance over 20 bytes (compared as unsigned
     * big-endian numbers), closest first, at most {@code count}. Peers believed dead (too many
     * consecutive failures) are left out. Never includes this node.
     *
     * @param target 20 bytes: a NodeId, or the first 20 bytes of a tessera hash
     */
    List<Peer> closest(byte[] target, int count);

    /** The peer with this NodeId, if known. */
    Optional<Peer> find(NodeId nodeId);

    /** Every known peer, dead ones included, in NodeId order. */
    List<Peer> peers();

    /** Tells the lookup how a request to {@code peer} went: an answer resets its failures, none counts one. */
    void contacted(NodeId peer, boolean answered);
}
