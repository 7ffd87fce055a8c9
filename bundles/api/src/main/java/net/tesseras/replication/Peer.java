package net.tesseras.replication;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import net.tesseras.identity.NodeId;
import net.tesseras.identity.NodeIds;

/**
 * A peer as this node knows it.
 *
 * @param nodeId its NodeId
 * @param publicKey its raw 32-byte Ed25519 key; {@code NodeIds.derive(publicKey, nonce)} gives
 *        {@code nodeId} (checked at construction), so signatures by the peer can be verified
 * @param nonce its proof-of-work nonce
 * @param addresses where it listens, the one that last answered first
 * @param capabilities what it announced (PONG capabilities), possibly empty
 * @param institutional whether it is marked institutional (the operator's list or its own claim)
 * @param firstSeen when this node first heard of it
 * @param lastSeen when it last answered or sent a request
 * @param failures consecutive requests to it that failed (0 after any success)
 */
public record Peer(NodeId nodeId, byte[] publicKey, long nonce, List<InetSocketAddress> addresses, List<String> capabilities,
        boolean institutional, Instant firstSeen, Instant lastSeen, int failures) {

    public Peer {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(publicKey, "publicKey");
        publicKey = publicKey.clone();
        addresses = List.copyOf(addresses);
        capabilities = List.copyOf(capabilities);
        Objects.requireNonNull(firstSeen, "firstSeen");
        Objects.requireNonNull(lastSeen, "lastSeen");
        if (!NodeIds.derive(publicKey, nonce).map(nodeId::equals).orElse(false)) {
            throw new IllegalArgumentException("public key and nonce do not derive NodeId " + nodeId.toHex());
        }
        if (failures < 0) {
            throw new IllegalArgumentException("failures must not be negative: " + failures);
        }
    }

    /** A copy of the raw 32-byte Ed25519 public key. */
    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** The address to dial first. */
    public InetSocketAddress address() {
        if (addresses.isEmpty()) {
            throw new IllegalStateException("peer " + nodeId.toHex() + " has no known address");
        }
        return addresses.get(0);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Peer other && nodeId.equals(other.nodeId) && java.util.Arrays.equals(publicKey, other.publicKey)
                && nonce == other.nonce && addresses.equals(other.addresses) && capabilities.equals(other.capabilities)
                && institutional == other.institutional && firstSeen.equals(other.firstSeen)
                && lastSeen.equals(other.lastSeen) && failures == other.failures;
    }

    @Override
    public int hashCode() {
        return nodeId.hashCode();
    }

    @Override
    public String toString() {
        return "Peer[" + nodeId.toHex() + " at " + addresses + (institutional ? ", institutional" : "") + ", failures "
                + failures + "]";
    }
}
