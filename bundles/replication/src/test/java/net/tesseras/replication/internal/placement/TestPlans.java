package net.tesseras.replication.internal.placement;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.core.ContentHash;
import net.tesseras.tessera.FragmentPlan;
import net.tesseras.tessera.SignedFragmentPlan;
import net.tesseras.tessera.Tier;
import net.tesseras.testkit.TestIdentity;

/** Signed plans over random fragment bytes, for tests. */
final class TestPlans {

    /** A plan and the bytes of its fragments. */
    record Made(SignedFragmentPlan signed, List<byte[]> fragments) {
        FragmentPlan plan() {
            return signed.plan();
        }
    }

    static final TestIdentity CREATOR = new TestIdentity();

    /** A signed plan of a payload of {@code payloadLength} bytes, with random fragments of the right size. */
    static Made make(long seed, long payloadLength) {
        Random random = new Random(seed);
        Tier tier = Tier.forPayload(payloadLength);
        int shard = (int) tier.shardSize(payloadLength);
        List<byte[]> fragments = new ArrayList<>();
        List<ContentHash> checksums = new ArrayList<>();
        for (int i = 0; i < tier.totalShards(); i++) {
            byte[] bytes = new byte[shard];
            random.nextBytes(bytes);
            fragments.add(bytes);
            checksums.add(Blake3Hashing.hash(bytes));
        }
        byte[] hash = new byte[32];
        random.nextBytes(hash);
        FragmentPlan plan = FragmentPlan.of(ContentHash.of(hash), payloadLength, checksums, CREATOR.publicKey());
        return new Made(SignedFragmentPlan.sign(plan, CREATOR::sign), fragments);
    }

    /**
     * A plan for {@code of}'s tessera over other random fragments, validly signed by {@code signer}:
     * what any peer that learned the tessera's hash can make.
     */
    static Made forged(Made of, TestIdentity signer, long seed) {
        Random random = new Random(seed);
        List<byte[]> fragments = new ArrayList<>();
        List<ContentHash> checksums = new ArrayList<>();
        for (byte[] real : of.fragments()) {
            byte[] bytes = new byte[real.length];
            random.nextBytes(bytes);
            fragments.add(bytes);
            checksums.add(Blake3Hashing.hash(bytes));
        }
        FragmentPlan plan = FragmentPlan.of(of.plan().tessera(), of.plan().payloadLength(), checksums, signer.publicKey());
        return new Made(SignedFragmentPlan.sign(plan, signer::sign), fragments);
    }

    /** A medium plan (16 + 8) with small shards: 4 MiB payload, 256 KiB shards. */
    static Made medium(long seed) {
        return make(seed, Tier.MEDIUM_FROM);
    }

    /** A small plan: one whole fragment. */
    static Made small(long seed) {
        return make(seed, 1000);
    }
}
