package net.tesseras.replication.internal;

import java.util.List;
import java.util.Optional;
import net.tesseras.identity.NodeId;
import net.tesseras.replication.Peer;
import net.tesseras.replication.PeerLookup;
import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The peer lookup replication uses: the highest-ranked {@link PeerLookup} service (a DHT bundle
 * registers a better one than the peer table), falling back to the node's own peer table. A
 * tracker rather than a DS reference because this bundle registers a PeerLookup itself and must
 * not bind to its own.
 */
final class BestPeerLookup implements PeerLookup, AutoCloseable {

    private final PeerLookup own;
    private final ServiceTracker<PeerLookup, PeerLookup> tracker;

    BestPeerLookup(BundleContext context, PeerLookup own) {
        this.own = own;
        this.tracker = context == null ? null : new ServiceTracker<>(context, PeerLookup.class, null);
        if (tracker != null) {
            tracker.open();
        }
    }

    private PeerLookup best() {
        PeerLookup service = tracker == null ? null : tracker.getService();
        return service == null ? own : service;
    }

    @Override
    public List<Peer> closest(byte[] target, int count) {
        return best().closest(target, count);
    }

    @Override
    public Optional<Peer> find(NodeId nodeId) {
        return best().find(nodeId);
    }

    @Override
    public List<Peer> peers() {
        return best().peers();
    }

    @Override
    public void contacted(NodeId peer, boolean answered) {
        PeerLookup best = best();
        best.contacted(peer, answered);
        if (best != own) {
            // The table keeps its own view (tesseras:peers, failures) whoever answers lookups.
            own.contacted(peer, answered);
        }
    }

    @Override
    public void close() {
        if (tracker != null) {
            tracker.close();
        }
    }
}
