package net.tesseras.transport;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;
import net.tesseras.identity.NodeId;

/**
 * A request that arrived from a peer, attributed to the NodeId its certificate proved.
 *
 * @param peer the sender's authenticated NodeId
 * @param address the sender's socket address
 * @param message the request's type and payload
 */
public record PeerRequest(NodeId peer, SocketAddress address, PeerMessage message) {

    public PeerRequest {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(message, "message");
    }

    public ByteBuffer payload() {
        return message.payload();
    }
}
