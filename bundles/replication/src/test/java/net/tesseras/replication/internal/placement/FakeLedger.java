package net.tesseras.replication.internal.placement;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.tesseras.identity.NodeId;
import net.tesseras.replication.LedgerEntry;
import net.tesseras.replication.internal.ledger.Ledger;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerException;

/** A ledger in memory with the deficit rule of the real one, for tests. */
final class FakeLedger implements Ledger {

    final Map<NodeId, long[]> counts = new ConcurrentHashMap<>();
    final long limit;

    FakeLedger(long limit) {
        this.limit = limit;
    }

    @Override
    public LedgerEntry entry(NodeId peer) {
        long[] c = counts.getOrDefault(peer, new long[2]);
        return new LedgerEntry(peer, c[0], c[1], false, Instant.EPOCH);
    }

    @Override
    public List<LedgerEntry> entries() {
        return counts.keySet().stream().sorted().map(this::entry).toList();
    }

    @Override
    public boolean institutional(NodeId peer) {
        return false;
    }

    @Override
    public void checkCredit(NodeId peer, long additionalBytes) {
        long balance = entry(peer).balance() - additionalBytes;
        if (balance < -limit) {
            throw new PeerException(ErrorCode.FORBIDDEN, "peer " + peer.toHex() + " would be " + -balance
                    + " bytes in deficit, more than the " + limit + " allowed");
        }
    }

    @Override
    public void storedForPeer(NodeId peer, long bytes) {
        counts.computeIfAbsent(peer, k -> new long[2])[0] += bytes;
    }

    @Override
    public void peerStoresForUs(NodeId peer, long bytes) {
        counts.computeIfAbsent(peer, k -> new long[2])[1] += bytes;
    }

    long storedFor(NodeId peer) {
        return entry(peer).storedForThem();
    }

    long storesForUs(NodeId peer) {
        return entry(peer).theyStoreForUs();
    }
}
