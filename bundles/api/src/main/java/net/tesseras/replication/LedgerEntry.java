package net.tesseras.replication;

import java.time.Instant;
import java.util.Objects;
import net.tesseras.identity.NodeId;

/**
 * What this node and one peer store for each other, by authenticated NodeId.
 *
 * @param peer the peer
 * @param storedForThem bytes of the peer's fragments this node stores
 * @param theyStoreForUs bytes of this node's fragments the peer stores (acknowledged PUTs)
 * @param institutional whether the peer is on the operator's institutional list (never refused for deficit)
 * @param lastUpdated when either count last changed
 */
public record LedgerEntry(NodeId peer, long storedForThem, long theyStoreForUs, boolean institutional, Instant lastUpdated) {

    public LedgerEntry {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(lastUpdated, "lastUpdated");
    }

    /** theyStoreForUs - storedForThem: negative when the peer takes more than it gives. */
    public long balance() {
        return theyStoreForUs - storedForThem;
    }
}
