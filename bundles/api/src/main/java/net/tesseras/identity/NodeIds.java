package net.tesseras.identity;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Optional;
import net.tesseras.core.Blake3;

/**
 * The one derivation of a NodeId from a public key and its proof-of-work nonce, shared by the
 * identity that mints it, the transport that checks a peer's, and any plugin that checks a
 * NodeId it was given: NodeId = the first {@value NodeId#LENGTH} bytes of BLAKE3(public key ||
 * nonce as u64 little-endian), valid only when it {@link NodeId#meetsDifficulty meets the
 * difficulty}.
 */
public final class NodeIds {

    private NodeIds() {
    }

    /** BLAKE3(public key || nonce as u64 little-endian), all 32 bytes. */
    public static byte[] digest(byte[] rawPublicKey, long nonce) {
        ByteBuffer input = ByteBuffer.allocate(rawPublicKey.length + Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        input.put(rawPublicKey).putLong(nonce);
        return Blake3.hash(input.array());
    }

    /** The NodeId of this key and nonce, or empty when the nonce is no proof of work for the key. */
    public static Optional<NodeId> derive(byte[] rawPublicKey, long nonce) {
        byte[] digest = digest(rawPublicKey, nonce);
        if (!NodeId.meetsDifficulty(digest)) {
            return Optional.empty();
        }
        return Optional.of(NodeId.of(Arrays.copyOf(digest, NodeId.LENGTH)));
    }
}
