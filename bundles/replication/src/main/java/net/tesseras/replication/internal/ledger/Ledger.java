package net.tesseras.replication.internal.ledger;

import java.util.List;
import net.tesseras.identity.NodeId;
import net.tesseras.replication.LedgerEntry;

/**
 * The reciprocity ledger: what this node and each peer (by authenticated NodeId) store for each
 * other, persisted. Thread safe.
 */
public interface Ledger {

    /** The peer's entry; a peer never recorded has zero counts. */
    LedgerEntry entry(NodeId peer);

    /** Every recorded peer, in NodeId order. */
    List<LedgerEntry> entries();

    /** Whether the peer is on the operator's institutional list (never refused for deficit). */
    boolean institutional(NodeId peer);

    /**
     * Refuses a peer that would be more than the configured deficit limit in deficit after this node
     * stores {@code additionalBytes} more for it (0: its balance now), unless it is institutional.
     *
     * @throws net.tesseras.transport.PeerException FORBIDDEN whose reason names the peer, its
     *         balance, the bytes asked and the limit
     */
    void checkCredit(NodeId peer, long additionalBytes);

    /** This node stored {@code bytes} more for the peer. */
    void storedForPeer(NodeId peer, long bytes);

    /** The peer acknowledged storing {@code bytes} more for this node. */
    void peerStoresForUs(NodeId peer, long bytes);
}
