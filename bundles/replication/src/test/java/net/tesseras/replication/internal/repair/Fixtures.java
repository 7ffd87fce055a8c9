package net.tesseras.replication.internal.repair;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import net.tesseras.core.ContentHash;
import net.tesseras.identity.NodeId;
import net.tesseras.replication.TesseraStatus.Proof;
import net.tesseras.replication.internal.placement.PlacementBook.Placement;
import net.tesseras.replication.internal.placement.PlacementBook.State;
import net.tesseras.tessera.FragmentPlan;

/** Plans, NodeIds and placements for repair tests. */
final class Fixtures {

    static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    static final ContentHash TESSERA = hash(1);

    private Fixtures() {
    }

    static ContentHash hash(int n) {
        byte[] bytes = new byte[32];
        bytes[0] = (byte) 0xab;
        bytes[31] = (byte) n;
        bytes[30] = (byte) (n >> 8);
        return ContentHash.of(bytes);
    }

    /** A NodeId with the 8 leading zero bits NodeIds need, distinct per {@code n}. */
    static NodeId node(int n) {
        byte[] bytes = new byte[NodeId.LENGTH];
        bytes[1] = (byte) 0x5a;
        bytes[19] = (byte) n;
        return NodeId.of(bytes);
    }

    /** A 16 + 8 plan (MEDIUM) with made-up checksums. */
    static FragmentPlan medium() {
        return FragmentPlan.of(TESSERA, 5L << 20, IntStream.range(0, 24).mapToObj(i -> hash(100 + i)).toList(), new byte[32]);
    }

    /** A one-fragment plan (SMALL: whole copies). */
    static FragmentPlan small() {
        return FragmentPlan.of(TESSERA, 100_000, List.of(hash(100)), new byte[32]);
    }

    static Placement placement(int index, NodeId peer, State state, boolean live, Proof proof) {
        return new Placement(TESSERA, index, peer, state, 0, NOW, proof == Proof.NONE ? Optional.empty() : Optional.of(NOW),
                proof, live, "");
    }

    /** Fragment i on peer (i % peers) + 1, all ACKED and proved live. */
    static List<Placement> spread(int fragments, int peers) {
        List<Placement> all = new ArrayList<>();
        for (int i = 0; i < fragments; i++) {
            all.add(placement(i, node(i % peers + 1), State.ACKED, true, Proof.PASSED));
        }
        return all;
    }
}
