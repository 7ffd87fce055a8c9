package net.tesseras.replication.internal.peers;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Arrays;
import net.tesseras.identity.NodeId;
import net.tesseras.identity.NodeIdentity;
import net.tesseras.identity.NodeIds;

/**
 * A throwaway node identity for tests: a fresh JDK Ed25519 key and the first nonce that is a proof
 * of work for it (the testkit's TestIdentity has no NodeId, and the identity bundle's is not on
 * this module's class path).
 */
public final class MintedIdentity implements NodeIdentity {

    private final KeyPair keys;
    private final byte[] publicKey;
    private final long nonce;
    private final NodeId nodeId;

    public MintedIdentity() {
        try {
            keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        byte[] encoded = keys.getPublic().getEncoded();
        publicKey = Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
        long n = 0;
        while (NodeIds.derive(publicKey, n).isEmpty()) {
            n++;
        }
        nonce = n;
        nodeId = NodeIds.derive(publicKey, n).orElseThrow();
    }

    /** A NodeId of a fresh identity. */
    public static NodeId newNodeId() {
        return new MintedIdentity().nodeId();
    }

    @Override
    public NodeId nodeId() {
        return nodeId;
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    @Override
    public long nonce() {
        return nonce;
    }

    @Override
    public byte[] sign(byte[] message) {
        try {
            Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(keys.getPrivate());
            signer.update(message);
            return signer.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
