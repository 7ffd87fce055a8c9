package net.tesseras.bench;

import java.util.Optional;
import net.tesseras.identity.NodeId;
import net.tesseras.identity.NodeIdentity;
import net.tesseras.identity.NodeIds;
import net.tesseras.testkit.TestIdentity;

/** A test key with the first proof-of-work nonce that derives a NodeId, as a node identity. */
final class BenchIdentity implements NodeIdentity {

    private final TestIdentity key = new TestIdentity();
    private final long nonce;
    private final NodeId nodeId;

    BenchIdentity() {
        long n = 0;
        Optional<NodeId> id;
        while ((id = NodeIds.derive(key.publicKey(), n)).isEmpty()) {
            n++;
        }
        nonce = n;
        nodeId = id.get();
    }

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
}
