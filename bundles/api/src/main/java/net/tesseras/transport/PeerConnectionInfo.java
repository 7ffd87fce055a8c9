package net.tesseras.transport;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import net.tesseras.identity.NodeId;

/**
 * One pooled connection as the pool sees it.
 *
 * @param peer the peer's NodeId, once the handshake authenticated it
 * @param address the peer's socket address
 * @param outbound whether this node opened it (false: the peer connected to us)
 * @param idle time since the last frame in either direction
 * @param inFlight requests this node has sent on it and not yet seen answered
 */
public record PeerConnectionInfo(Optional<NodeId> peer, SocketAddress address, boolean outbound, Duration idle,
        int inFlight) {

    public PeerConnectionInfo {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(idle, "idle");
    }
}
