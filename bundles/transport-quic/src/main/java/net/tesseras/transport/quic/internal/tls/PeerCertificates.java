package net.tesseras.transport.quic.internal.tls;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import net.tesseras.identity.NodeIds;
import net.tesseras.identity.NodeId;
import org.bouncycastle.asn1.ASN1OctetString;

/**
 * Checks a peer's certificate and derives its NodeId: an Ed25519 key, self-signed by that key,
 * valid now, carrying a nonce that is a proof of work for the key. Anything else is refused with
 * a reason. The TLS handshake itself proves the peer holds the key (CertificateVerify).
 */
public final class PeerCertificates {

    /** DER SubjectPublicKeyInfo of an Ed25519 key: this 12-byte prefix, then the raw 32-byte key. */
    private static final byte[] ED25519_SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
    private static final int RAW_KEY_LENGTH = 32;

    private PeerCertificates() {
    }

    /** The NodeId the chain's leaf certificate proves. */
    public static NodeId nodeIdOf(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("the peer presented no certificate");
        }
        return nodeIdOf(chain[0]);
    }

    public static NodeId nodeIdOf(X509Certificate certificate) throws CertificateException {
        byte[] rawKey = rawEd25519Key(certificate);
        try {
            certificate.checkValidity();
            certificate.verify(certificate.getPublicKey());
        } catch (GeneralSecurityException e) {
            throw new CertificateException("not a valid node certificate: " + e.getMessage(), e);
        }
        long nonce = nonce(certificate);
        return NodeIds.derive(rawKey, nonce).orElseThrow(() -> new CertificateException(
                "the certificate's nonce " + nonce + " is no proof of work for its key"));
    }

    private static byte[] rawEd25519Key(X509Certificate certificate) throws CertificateException {
        byte[] spki = certificate.getPublicKey().getEncoded();
        if (spki == null || spki.length != ED25519_SPKI_PREFIX.length + RAW_KEY_LENGTH
                || !Arrays.equals(spki, 0, ED25519_SPKI_PREFIX.length, ED25519_SPKI_PREFIX, 0, ED25519_SPKI_PREFIX.length)) {
            throw new CertificateException("a node certificate holds an Ed25519 key, this one holds "
                    + certificate.getPublicKey().getAlgorithm());
        }
        return Arrays.copyOfRange(spki, ED25519_SPKI_PREFIX.length, spki.length);
    }

    private static long nonce(X509Certificate certificate) throws CertificateException {
        byte[] extension = certificate.getExtensionValue(NodeCertificates.NONCE_EXTENSION.getId());
        if (extension == null) {
            throw new CertificateException("the certificate carries no NodeId nonce");
        }
        try {
            // getExtensionValue wraps the extension's OCTET STRING in another OCTET STRING.
            byte[] outer = ASN1OctetString.getInstance(extension).getOctets();
            byte[] nonce = ASN1OctetString.getInstance(outer).getOctets();
            if (nonce.length != Long.BYTES) {
                throw new CertificateException("the NodeId nonce has " + nonce.length + " bytes, not 8");
            }
            return ByteBuffer.wrap(nonce).order(ByteOrder.LITTLE_ENDIAN).getLong();
        } catch (IllegalArgumentException e) {
            throw new CertificateException("the NodeId nonce extension is malformed: " + e.getMessage(), e);
        }
    }
}
