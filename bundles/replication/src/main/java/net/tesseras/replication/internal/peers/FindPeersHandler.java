package net.tesseras.replication.internal.peers;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import net.tesseras.identity.NodeId;
import net.tesseras.replication.Peer;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.MessageHandler;
import net.tesseras.transport.PeerException;
import net.tesseras.transport.PeerMessage;
import net.tesseras.transport.PeerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves FIND_PEERS (register with type {@code MessageTypes.FIND_PEERS}): records the
 * authenticated sender with the addresses it announced (this is how nodes learn of peers that
 * connect to them), then answers PEERS with this node's own description and the peers it knows
 * closest to the target.
 */
public final class FindPeersHandler implements MessageHandler {

    private static final Logger LOG = LoggerFactory.getLogger(FindPeersHandler.class);

    private final PeerDirectory directory;
    private final Supplier<SelfDescription> self;

    /** @param self this node's current description (asked on every request, so live changes apply) */
    public FindPeersHandler(PeerDirectory directory, Supplier<SelfDescription> self) {
        this.directory = Objects.requireNonNull(directory, "directory");
        this.self = Objects.requireNonNull(self, "self");
    }

    @Override
    public PeerMessage handle(PeerRequest request) {
        PeerWire.FindPeers find = PeerWire.decodeFindPeers(request.payload());
        NodeId sender = request.peer();
        PeerDescription announced = find.sender();
        NodeId derived = announced.nodeId().orElse(null);
        if (!sender.equals(derived)) {
            throw new PeerException(ErrorCode.MALFORMED, "FIND_PEERS: the announced public key and nonce "
                    + (derived == null ? "are no proof of work (they derive no NodeId)" : "derive NodeId " + derived)
                    + ", not " + sender + ", the NodeId this connection authenticated; announce this node's own key and nonce");
        }
        InetSocketAddress observed = request.address() instanceof InetSocketAddress a ? a : null;
        directory.announced(sender, announced, dialable(announced.addresses(), observed), null);
        int wanted = Math.min(find.maxCount(), PeerWire.MAX_PEERS);
        // One more than wanted, since the requester is left out: it knows itself.
        List<PeerWire.ListedPeer> listed = directory.closest(find.target(), wanted + 1).stream()
                .filter(p -> !p.nodeId().equals(sender))
                .limit(wanted)
                .map(FindPeersHandler::listed)
                .toList();
        LOG.debug("FIND_PEERS from {} at {}: answered {} peers", sender, observed, listed.size());
        return PeerWire.encode(new PeerWire.Peers(self.get().describe(), listed));
    }

    /**
     * Where to reach the sender: the addresses it announced, with the IP it was seen at in place
     * of a wildcard (or of a loopback address when it is not on this machine). The port it was
     * seen at is never used: a node sends its requests from another socket than the one it
     * listens on, so that port accepts nothing. A sender that announced no address is recorded
     * without one (known, but not listed, until it says where it listens).
     */
    static List<InetSocketAddress> dialable(List<InetSocketAddress> announced, InetSocketAddress observed) {
        return SocketAddresses.resolveAnnounced(announced, observed != null ? observed.getAddress() : null);
    }

    private static PeerWire.ListedPeer listed(Peer peer) {
        return new PeerWire.ListedPeer(peer.nodeId().toBytes(),
                new PeerDescription(peer.publicKey(), peer.nonce(), peer.institutional(), peer.addresses()));
    }
}
