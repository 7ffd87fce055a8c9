package net.tesseras.identity;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.X509EncodedKeySpec;
import java.util.Objects;

/**
 * Checks Ed25519 signatures (RFC 8032) made by any node's {@link NodeIdentity#sign(byte[])}:
 * attestations, manifests, fragment plans. Verifying needs only the signer's raw 32-byte public
 * key ({@link NodeIdentity#publicKey()}, or the key a peer's certificate carries), never a private
 * key, so it is a static method any bundle or plugin can call. It uses the JDK's own Ed25519.
 *
 * <pre>{@code
 * if (!Ed25519.verify(holderKey, attestationBytes, signature)) {
 *     throw new SecurityException("attestation not signed by its holder");
 * }
 * }</pre>
 */
public final class Ed25519 {

    /** Length of a raw Ed25519 public key in bytes. */
    public static final int PUBLIC_KEY_LENGTH = 32;

    /** Length of an Ed25519 signature in bytes. */
    public static final int SIGNATURE_LENGTH = 64;

    /** DER SubjectPublicKeyInfo of an Ed25519 key: this 12-byte prefix, then the raw 32-byte key. */
    private static final byte[] SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

    private Ed25519() {
    }

    /**
     * Whether {@code signature} is the Ed25519 signature of {@code message} by the holder of
     * {@code publicKey}. A key that is no point of the curve verifies nothing (false), like a
     * wrong signature.
     *
     * @param publicKey the signer's raw 32-byte public key
     * @param message the exact bytes that were signed
     * @param signature the 64-byte signature
     * @throws IllegalArgumentException if the key is not 32 bytes or the signature not 64
     * @throws NullPointerException if an argument is null
     */
    public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
        Objects.requireNonNull(publicKey, "publicKey");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(signature, "signature");
        if (publicKey.length != PUBLIC_KEY_LENGTH) {
            throw new IllegalArgumentException("an Ed25519 public key is " + PUBLIC_KEY_LENGTH + " bytes, got " + publicKey.length);
        }
        if (signature.length != SIGNATURE_LENGTH) {
            throw new IllegalArgumentException("an Ed25519 signature is " + SIGNATURE_LENGTH + " bytes, got " + signature.length);
        }
        PublicKey key;
        Signature verifier;
        try {
            key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki(publicKey)));
            verifier = Signature.getInstance("Ed25519");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no Ed25519: " + e.getMessage(), e);
        } catch (InvalidKeySpecException e) {
            return false;
        }
        try {
            verifier.initVerify(key);
            verifier.update(message);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            // A key or signature that does not decode is no valid signature.
            return false;
        }
    }

    private static byte[] spki(byte[] rawKey) {
        byte[] encoded = new byte[SPKI_PREFIX.length + rawKey.length];
        System.arraycopy(SPKI_PREFIX, 0, encoded, 0, SPKI_PREFIX.length);
        System.arraycopy(rawKey, 0, encoded, SPKI_PREFIX.length, rawKey.length);
        return encoded;
    }
}
