package net.tesseras.replication.internal.proof;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import net.tesseras.identity.NodeId;
import net.tesseras.identity.NodeIdentity;
import net.tesseras.identity.NodeIds;
import net.tesseras.replication.Peer;
import net.tesseras.testkit.TestIdentity;

/** Node identities with a real NodeId (a mined proof-of-work nonce) and the Peer records of them. */
final class TestHolders {

    private TestHolders() {
    }

    /** {@code key} with the first nonce that derives a NodeId. */
    static NodeIdentity identity(TestIdentity key) {
        byte[] publicKey = key.publicKey();
        for (long nonce = 0; ; nonce++) {
            Optional<NodeId> id = NodeIds.derive(publicKey, nonce);
            if (id.isPresent()) {
                return signingAs(key, id.get(), nonce);
            }
        }
    }

    static NodeIdentity identity() {
        return identity(new TestIdentity());
    }

    /** An identity that claims {@code nodeId} but signs with {@code key} (a forger). */
    static NodeIdentity signingAs(TestIdentity key, NodeId nodeId, long nonce) {
        return new NodeIdentity() {
            @Override
            public NodeId nodeId() {
                return nodeId;
            }

            @Override
            public byte[] publicKey() {
                return key.publicKey();
            }

            @Override
            public long nonce() {
                return nonce;
            }

            @Override
            public byte[] sign(byte[] message) {
                return key.sign(message);
            }
        };
    }

    static Peer peer(NodeIdentity identity) {
        Instant seen = Instant.parse("2026-11-30T12:00:00Z");
        return new Peer(identity.nodeId(), identity.publicKey(), identity.nonce(), List.of(new InetSocketAddress("127.0.0.1", 4433)),
                List.of(), false, seen, seen, 0);
    }
}
