package net.tesseras.replication.internal.peers;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import net.tesseras.identity.NodeId;
import net.tesseras.identity.NodeIds;

/**
 * What a node says about a peer (itself, or one it knows) in FIND_PEERS and PEERS: the key and
 * proof-of-work nonce its NodeId derives from, whether it is institutional, and where it listens.
 * Nothing here is trusted until {@link #nodeId()} is compared with the NodeId the speaker was
 * authenticated as or listed it under.
 *
 * @param publicKey the raw 32-byte Ed25519 public key
 * @param nonce the proof-of-work nonce
 * @param institutional the institutional flag as the speaker states it
 * @param addresses IP addresses and ports, the preferred one first
 */
public record PeerDescription(byte[] publicKey, long nonce, boolean institutional, List<InetSocketAddress> addresses) {

    /** Raw Ed25519 public key length. */
    public static final int KEY_LENGTH = 32;

    public PeerDescription {
        Objects.requireNonNull(publicKey, "publicKey");
        if (publicKey.length != KEY_LENGTH) {
            throw new IllegalArgumentException("a public key is " + KEY_LENGTH + " bytes, got " + publicKey.length);
        }
        publicKey = publicKey.clone();
        addresses = List.copyOf(addresses);
    }

    /** The NodeId this key and nonce derive, empty when the nonce is no proof of work for the key. */
    public Optional<NodeId> nodeId() {
        return NodeIds.derive(publicKey, nonce);
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PeerDescription other && Arrays.equals(publicKey, other.publicKey) && nonce == other.nonce
                && institutional == other.institutional && addresses.equals(other.addresses);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(publicKey) * 31 + Long.hashCode(nonce);
    }

    @Override
    public String toString() {
        return "PeerDescription[" + nodeId().map(NodeId::toHex).orElse("no valid NodeId") + " at " + addresses
                + (institutional ? ", institutional" : "") + "]";
    }
}
