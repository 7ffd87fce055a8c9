package net.tesseras.tessera.internal.payload;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;
import java.util.HexFormat;

/** An Ed25519 key pair from a fixed seed, made and used with the JDK, to sign in tests. */
final class TestSigner {

    /** RFC 8032 section 7.1 TEST 1 seed; its public key is d75a9801…511a. */
    static final TestSigner RFC8032_TEST1 = new TestSigner("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");

    private final KeyPair pair;

    TestSigner(String seedHex) {
        byte[] seed = HexFormat.of().parseHex(seedHex);
        // The JDK derives the key pair from the 32 bytes its random source gives.
        SecureRandom fixed = new SecureRandom() {
            private static final long serialVersionUID = 1L;

            @Override
            public void nextBytes(byte[] bytes) {
                System.arraycopy(seed, 0, bytes, 0, bytes.length);
            }
        };
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
            generator.initialize(NamedParameterSpec.ED25519, fixed);
            pair = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    byte[] publicKey() {
        byte[] encoded = pair.getPublic().getEncoded();
        return Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
    }

    byte[] sign(byte[] message) {
        try {
            Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(pair.getPrivate());
            signer.update(message);
            return signer.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
