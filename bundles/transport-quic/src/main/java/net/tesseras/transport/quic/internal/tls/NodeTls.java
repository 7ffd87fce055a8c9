package net.tesseras.transport.quic.internal.tls;

import io.netty.handler.codec.quic.BoringSSLAsyncPrivateKeyMethod;
import io.netty.handler.codec.quic.BoringSSLContextOption;
import io.netty.handler.codec.quic.BoringSSLKeylessManagerFactory;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.ssl.ClientAuth;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import net.tesseras.identity.NodeId;
import net.tesseras.identity.NodeIdentity;

/**
 * TLS 1.3 contexts for QUIC between nodes: both sides present their node certificate, both
 * require the other's, and ALPN names the protocol and its version. BoringSSL only offers Ed25519
 * when asked to, hence the signature algorithm and key type options. Handshake signatures are
 * made by {@link NodeIdentity#sign} (keyless), so the node key stays in the identity bundle.
 */
public final class NodeTls {

    /** ALPN protocol id: the protocol name and its major version. */
    public static final String ALPN = "tesseras/1";

    private static final String KEY_TYPE = "EdDSA";
    /** Every authentication method BoringSSL may ask for maps to the Ed25519 key. */
    private static final String[] AUTH_METHODS = {"RSA", "DHE_RSA", "ECDHE_RSA", "ECDHE_ECDSA", "ECDH_RSA", "ECDH_ECDSA", "DH_RSA",
        "UNKNOWN"};

    private final QuicSslContext server;
    private final QuicSslContext client;

    public NodeTls(NodeIdentity identity) {
        X509Certificate certificate = NodeCertificates.create(identity);
        try {
            BoringSSLKeylessManagerFactory keys = BoringSSLKeylessManagerFactory.newKeyless(new IdentitySigning(identity), certificate);
            this.server = configure(QuicSslContextBuilder.forServer(keys, null).clientAuth(ClientAuth.REQUIRE));
            this.client = configure(QuicSslContextBuilder.forClient().keyManager(keys, null));
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot set up TLS with the node key: " + e.getMessage(), e);
        }
    }

    private static QuicSslContext configure(QuicSslContextBuilder builder) {
        Map<String, String> serverKeyTypes = new HashMap<>();
        for (String method : AUTH_METHODS) {
            serverKeyTypes.put(method, KEY_TYPE);
        }
        return builder.trustManager(new NodeTrustManager())
                .applicationProtocols(ALPN)
                .option(BoringSSLContextOption.SIGNATURE_ALGORITHMS, new String[] {"ed25519"})
                .option(BoringSSLContextOption.CLIENT_KEY_TYPES, Set.of(KEY_TYPE))
                .option(BoringSSLContextOption.SERVER_KEY_TYPES, serverKeyTypes)
                .build();
    }

    public QuicSslContext server() {
        return server;
    }

    public QuicSslContext client() {
        return client;
    }

    /** The NodeId of the peer at the other end of a completed handshake. */
    public static NodeId peerOf(SSLEngine engine) throws SSLPeerUnverifiedException {
        try {
            java.security.cert.Certificate[] chain = engine.getSession().getPeerCertificates();
            if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
                throw new SSLPeerUnverifiedException("the peer presented no X.509 certificate");
            }
            return PeerCertificates.nodeIdOf(leaf);
        } catch (java.security.cert.CertificateException e) {
            SSLPeerUnverifiedException failure = new SSLPeerUnverifiedException(e.getMessage());
            failure.initCause(e);
            throw failure;
        }
    }

    /** Signs handshakes with the node key; Ed25519 is the only algorithm offered. */
    private record IdentitySigning(NodeIdentity identity) implements BoringSSLAsyncPrivateKeyMethod {

        @Override
        public Future<byte[]> sign(SSLEngine engine, int algorithm, byte[] input) {
            if (algorithm != SSL_SIGN_ED25519) {
                return ImmediateEventExecutor.INSTANCE.newFailedFuture(
                        new GeneralSecurityException("the node key only signs Ed25519, not algorithm " + algorithm));
            }
            return ImmediateEventExecutor.INSTANCE.newSucceededFuture(identity.sign(input));
        }

        @Override
        public Future<byte[]> decrypt(SSLEngine engine, byte[] input) {
            return ImmediateEventExecutor.INSTANCE.newFailedFuture(new UnsupportedOperationException("Ed25519 keys do not decrypt"));
        }
    }
}
