package net.tesseras.testkit;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;
import java.util.HexFormat;
import net.tesseras.identity.NodeId;
import net.tesseras.identity.NodeIdentity;

/**
 * A node identity for tests and benchmarks: an Ed25519 key pair made and used with the JDK, from a
 * fixed seed (known answers) or a random one. It has no NodeId: the tests that use it sign
 * manifests and plans, they do not dial peers.
 */
public final class TestIdentity implements NodeIdentity {

    /** RFC 8032 section 7.1 TEST 1 seed; its public key is d75a9801…511a. */
    public static final TestIdentity RFC8032_TEST1 =
            new TestIdentity("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");

    private final KeyPair pair;

    /** A fresh random key. */
    public TestIdentity() {
        this(new SecureRandom());
    }

    /** The key of a 32-byte seed given as 64 hex characters. */
    public TestIdentity(String seedHex) {
        this(fixed(HexFormat.of().parseHex(seedHex)));
    }

    private TestIdentity(SecureRandom random) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
            generator.initialize(NamedParameterSpec.ED25519, random);
            pair = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The JDK derives the key pair from the 32 bytes its random source gives: give it the seed. */
    private static SecureRandom fixed(byte[] seed) {
        return new SecureRandom() {
            private static final long serialVersionUID = 1L;

            @Override
            public void nextBytes(byte[] bytes) {
                System.arraycopy(seed, 0, bytes, 0, bytes.length);
            }
        };
    }

    @Override
    public NodeId nodeId() {
        throw new UnsupportedOperationException("a test identity signs; it has no NodeId");
    }

    @Override
    public byte[] publicKey() {
        byte[] encoded = pair.getPublic().getEncoded();
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
            Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(pair.getPrivate());
            signer.update(message);
            return signer.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
