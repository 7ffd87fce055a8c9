package net.tesseras.identity.internal;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Arrays;
import net.tesseras.identity.Ed25519;
import net.tesseras.identity.NodeIds;
import net.tesseras.identity.NodeId;
import net.tesseras.identity.NodeIdentity;

/**
 * An Ed25519 key pair (JDK provider) and the NodeId its proof of work found. Public so that tests
 * and load generators elsewhere can mint throwaway identities; the node loads its own from files.
 */
public final class KeyPairIdentity implements NodeIdentity {

    /** An X.509 SubjectPublicKeyInfo of an Ed25519 key is this prefix and the raw 32-byte key. */
    private static final int X509_PREFIX = 12;

    private final KeyPair keys;
    private final byte[] rawPublicKey;
    private final long nonce;
    private final NodeId nodeId;

    KeyPairIdentity(KeyPair keys, long nonce) {
        this.keys = keys;
        this.rawPublicKey = raw(keys);
        this.nonce = nonce;
        this.nodeId = NodeIds.derive(rawPublicKey, nonce)
                .orElseThrow(() -> new IllegalArgumentException("nonce " + nonce + " is not a proof of work for this key"));
    }

    /** A new key pair and the first nonce that meets the difficulty (256 tries on average). */
    public static KeyPairIdentity generate() {
        try {
            KeyPair keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            byte[] raw = raw(keys);
            long nonce = 0;
            while (!NodeId.meetsDifficulty(NodeIds.digest(raw, nonce))) {
                nonce++;
            }
            return new KeyPairIdentity(keys, nonce);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no Ed25519: " + e.getMessage(), e);
        }
    }

    KeyPair keys() {
        return keys;
    }

    @Override
    public NodeId nodeId() {
        return nodeId;
    }

    @Override
    public byte[] publicKey() {
        return rawPublicKey.clone();
    }

    @Override
    public long nonce() {
        return nonce;
    }

    @Override
    public byte[] sign(byte[] message) {
        try {
            Signature signature = Signature.getInstance("Ed25519");
            signature.initSign(keys.getPrivate());
            signature.update(message);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with the node key: " + e.getMessage(), e);
        }
    }

    /** Whether {@code signature} is this node's signature of {@code message}. */
    boolean verify(byte[] message, byte[] signature) {
        return Ed25519.verify(rawPublicKey, message, signature);
    }

    private static byte[] raw(KeyPair keys) {
        byte[] encoded = keys.getPublic().getEncoded();
        return Arrays.copyOfRange(encoded, X509_PREFIX, encoded.length);
    }
}
