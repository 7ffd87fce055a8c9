package net.tesseras.tessera.internal;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Arrays;
import net.tesseras.identity.NodeId;
import net.tesseras.identity.NodeIdentity;

/** A node identity with a fresh JDK Ed25519 key, for tests that sign manifests and plans. */
final class TestIdentity implements NodeIdentity {

    private final KeyPair keys;

    TestIdentity() {
        try {
            keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public NodeId nodeId() {
        throw new UnsupportedOperationException("tessera tests do not need a NodeId");
    }

    @Override
    public byte[] publicKey() {
        byte[] encoded = keys.getPublic().getEncoded();
        // X.509 SubjectPublicKeyInfo of Ed25519: a 12-byte prefix, then the raw 32-byte key.
        return Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
    }

    @Override
    public long nonce() {
        return 0;
    }

    @Override
    public byte[] sign(byte[] message) {
        try {
            Signature signature = Signature.getInstance("Ed25519");
            signature.initSign(keys.getPrivate());
            signature.update(message);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
