package net.tesseras.transport.quic.internal.tls;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import net.tesseras.identity.NodeIdentity;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.operator.ContentSigner;

/**
 * Makes the self-signed certificate a node presents in every TLS handshake: its subject key is the
 * node's Ed25519 key, it is signed by that key (through {@link NodeIdentity#sign}, so the private
 * key never leaves the identity bundle), and a non-critical extension carries the proof-of-work
 * nonce, so a peer derives the NodeId from the certificate alone.
 */
public final class NodeCertificates {

    /**
     * The nonce extension: 8 bytes, the nonce as u64 little-endian (as in the NodeId derivation).
     * An OID under 2.25 (a UUID turned into an integer, ITU-T X.667) needs no registration.
     */
    public static final ASN1ObjectIdentifier NONCE_EXTENSION =
            new ASN1ObjectIdentifier("2.25.171463128713451036473590357452155238197");

    /** The node key is the identity; the certificate is remade at every start and only needs to be valid now. */
    private static final Duration VALIDITY = Duration.ofDays(365L * 100);
    private static final Duration CLOCK_SKEW = Duration.ofDays(1);

    private static final AlgorithmIdentifier ED25519 = new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519);
    private static final SecureRandom RANDOM = new SecureRandom();

    private NodeCertificates() {
    }

    public static X509Certificate create(NodeIdentity identity) {
        X500Name name = new X500Name("CN=" + identity.nodeId().toHex());
        Instant now = Instant.now();
        try {
            X509v3CertificateBuilder builder = new X509v3CertificateBuilder(name, new BigInteger(64, RANDOM), Date.from(now.minus(CLOCK_SKEW)),
                    Date.from(now.plus(VALIDITY)), name, new SubjectPublicKeyInfo(ED25519, identity.publicKey()));
            builder.addExtension(NONCE_EXTENSION, false, new DEROctetString(nonceBytes(identity.nonce())));
            return new JcaX509CertificateConverter().getCertificate(builder.build(new IdentitySigner(identity)));
        } catch (IOException | CertificateException e) {
            throw new IllegalStateException("cannot make the node certificate: " + e.getMessage(), e);
        }
    }

    static byte[] nonceBytes(long nonce) {
        return ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(nonce).array();
    }

    /** Collects the bytes BouncyCastle wants signed and has the node identity sign them. */
    private static final class IdentitySigner implements ContentSigner {

        private final NodeIdentity identity;
        private final ByteArrayOutputStream toBeSigned = new ByteArrayOutputStream();

        IdentitySigner(NodeIdentity identity) {
            this.identity = identity;
        }

        @Override
        public AlgorithmIdentifier getAlgorithmIdentifier() {
            return ED25519;
        }

        @Override
        public OutputStream getOutputStream() {
            return toBeSigned;
        }

        @Override
        public byte[] getSignature() {
            return identity.sign(toBeSigned.toByteArray());
        }
    }
}
