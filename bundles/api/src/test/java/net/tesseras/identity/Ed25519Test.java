package net.tesseras.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class Ed25519Test {

    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] MESSAGE = "attestation of 3 fragments".getBytes(StandardCharsets.UTF_8);

    @Test
    void theRfc8032KnownAnswerVerifies() {
        // RFC 8032, section 7.1, TEST 1 (empty message).
        byte[] publicKey = HEX.parseHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        byte[] signature = HEX.parseHex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
        assertTrue(Ed25519.verify(publicKey, new byte[0], signature));
        assertFalse(Ed25519.verify(publicKey, new byte[] {0}, signature));
    }

    @Test
    void aGoodSignaturePasses() throws GeneralSecurityException {
        KeyPair keys = newKeys();
        assertTrue(Ed25519.verify(raw(keys), MESSAGE, sign(keys, MESSAGE)));
        assertTrue(Ed25519.verify(raw(keys), new byte[0], sign(keys, new byte[0])));
    }

    @Test
    void aTamperedMessageFails() throws GeneralSecurityException {
        KeyPair keys = newKeys();
        byte[] signature = sign(keys, MESSAGE);
        for (int i = 0; i < MESSAGE.length; i++) {
            byte[] tampered = MESSAGE.clone();
            tampered[i] ^= 1;
            assertFalse(Ed25519.verify(raw(keys), tampered, signature), "byte " + i);
        }
        assertFalse(Ed25519.verify(raw(keys), Arrays.copyOf(MESSAGE, MESSAGE.length - 1), signature));
        assertFalse(Ed25519.verify(raw(keys), Arrays.copyOf(MESSAGE, MESSAGE.length + 1), signature));
    }

    @Test
    void aTamperedSignatureFails() throws GeneralSecurityException {
        KeyPair keys = newKeys();
        byte[] signature = sign(keys, MESSAGE);
        for (int i = 0; i < signature.length; i++) {
            byte[] tampered = signature.clone();
            tampered[i] ^= 0x10;
            assertFalse(Ed25519.verify(raw(keys), MESSAGE, tampered), "byte " + i);
        }
        assertFalse(Ed25519.verify(raw(keys), MESSAGE, new byte[Ed25519.SIGNATURE_LENGTH]));
    }

    @Test
    void anotherKeyFails() throws GeneralSecurityException {
        KeyPair signer = newKeys();
        KeyPair other = newKeys();
        assertFalse(Ed25519.verify(raw(other), MESSAGE, sign(signer, MESSAGE)));
    }

    @Test
    void aKeyThatIsNoCurvePointVerifiesNothing() throws GeneralSecurityException {
        byte[] signature = sign(newKeys(), MESSAGE);
        assertFalse(Ed25519.verify(HEX.parseHex("ff".repeat(32)), MESSAGE, signature));
        assertFalse(Ed25519.verify(HEX.parseHex("02" + "00".repeat(31)), MESSAGE, signature));
        assertFalse(Ed25519.verify(new byte[32], MESSAGE, signature));
    }

    @Test
    void badLengthsAreRefusedWithTheReason() throws GeneralSecurityException {
        KeyPair keys = newKeys();
        byte[] key = raw(keys);
        byte[] signature = sign(keys, MESSAGE);
        for (int length : new int[] {0, 31, 33, 44}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Ed25519.verify(Arrays.copyOf(key, length), MESSAGE, signature));
            assertEquals("an Ed25519 public key is 32 bytes, got " + length, e.getMessage());
        }
        for (int length : new int[] {0, 63, 65}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Ed25519.verify(key, MESSAGE, Arrays.copyOf(signature, length)));
            assertEquals("an Ed25519 signature is 64 bytes, got " + length, e.getMessage());
        }
        assertThrows(NullPointerException.class, () -> Ed25519.verify(null, MESSAGE, signature));
        assertThrows(NullPointerException.class, () -> Ed25519.verify(key, null, signature));
        assertThrows(NullPointerException.class, () -> Ed25519.verify(key, MESSAGE, null));
    }

    private static KeyPair newKeys() throws GeneralSecurityException {
        return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    }

    /** The raw key: the last 32 bytes of the X.509 encoding. */
    private static byte[] raw(KeyPair keys) {
        byte[] encoded = keys.getPublic().getEncoded();
        return Arrays.copyOfRange(encoded, encoded.length - Ed25519.PUBLIC_KEY_LENGTH, encoded.length);
    }

    private static byte[] sign(KeyPair keys, byte[] message) throws GeneralSecurityException {
        Signature signer = Signature.getInstance("Ed25519");
        signer.initSign(keys.getPrivate());
        signer.update(message);
        return signer.sign();
    }
}
