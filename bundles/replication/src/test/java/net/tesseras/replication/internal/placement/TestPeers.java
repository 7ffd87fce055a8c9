package net.tesseras.replication.internal.placement;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import net.tesseras.identity.NodeId;
import net.tesseras.identity.NodeIds;
import net.tesseras.replication.Peer;

/** Peers for tests: a random key with a nonce mined to meet the NodeId difficulty, at a chosen address. */
final class TestPeers {

    private final Random random;

    TestPeers(long seed) {
        this.random = new Random(seed);
    }

    Peer at(String ip) {
        return peer(ip, false);
    }

    Peer institutional(String ip) {
        return peer(ip, true);
    }

    Peer peer(String ip, boolean institutional) {
        byte[] key = new byte[32];
        random.nextBytes(key);
        for (long nonce = 0; ; nonce++) {
            Optional<NodeId> id = NodeIds.derive(key, nonce);
            if (id.isPresent()) {
                return new Peer(id.get(), key, nonce, List.of(address(ip)), List.of("put"), institutional, Instant.EPOCH,
                        Instant.EPOCH, 0);
            }
        }
    }

    static InetSocketAddress address(String ip) {
        try {
            return new InetSocketAddress(InetAddress.getByName(ip), 4433);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(ip, e);
        }
    }
}
