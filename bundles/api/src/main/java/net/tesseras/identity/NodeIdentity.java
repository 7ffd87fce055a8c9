package net.tesseras.identity;

import org.osgi.annotation.versioning.ProviderType;

/**
 * This node's identity, as a service. The private key never leaves the providing bundle: callers
 * ask it to sign.
 */
@ProviderType
public interface NodeIdentity {

    NodeId nodeId();

    /** The raw 32-byte Ed25519 public key. */
    byte[] publicKey();

    /** The proof-of-work nonce: NodeId = BLAKE3(public key || nonce as u64 little-endian)[0..20). */
    long nonce();

    /**
     * A 64-byte Ed25519 signature of {@code message}; anyone holding {@link #publicKey()} checks it
     * with {@link Ed25519#verify(byte[], byte[], byte[])}.
     */
    byte[] sign(byte[] message);
}
