package net.tesseras.transport;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import net.tesseras.identity.NodeId;

/**
 * What a peer said about itself in answer to a ping.
 *
 * @param nodeId the NodeId authenticated by the TLS handshake (and repeated in the PONG)
 * @param protocolVersion the frame version it speaks
 * @param capabilities the message types and features it announces (e.g. "get", "put", "list")
 * @param roundTrip the time from sending the PING to receiving the PONG
 */
public record PeerInfo(NodeId nodeId, int protocolVersion, Set<String> capabilities, Duration roundTrip) {

    public PeerInfo {
        Objects.requireNonNull(nodeId, "nodeId");
        capabilities = Set.copyOf(capabilities);
        Objects.requireNonNull(roundTrip, "roundTrip");
    }
}
