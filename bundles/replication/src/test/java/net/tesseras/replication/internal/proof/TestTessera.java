package net.tesseras.replication.internal.proof;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.core.ContentHash;
import net.tesseras.storage.FragmentStore;
import net.tesseras.tessera.FragmentPlan;
import net.tesseras.tessera.SignedFragmentPlan;
import net.tesseras.testkit.TestIdentity;

/**
 * A tessera's signed plan and its fragments' bytes. The fragments are random bytes (proofs do not
 * care whether they are Reed-Solomon shards); the plan lists their checksums.
 */
record TestTessera(SignedFragmentPlan plan, List<byte[]> fragments) {

    static final TestIdentity CREATOR = new TestIdentity();

    /** A medium tessera: 16 + 8 fragments of {@code ceil(payloadLength / 16)} bytes. */
    static TestTessera of(long seed, long payloadLength) {
        Random random = new Random(seed);
        byte[] name = new byte[32];
        random.nextBytes(name);
        ContentHash tessera = Blake3Hashing.hash(name);
        FragmentPlan shape = FragmentPlan.of(tessera, payloadLength, dummyChecksums(payloadLength), CREATOR.publicKey());
        List<byte[]> fragments = new ArrayList<>();
        List<ContentHash> checksums = new ArrayList<>();
        for (int i = 0; i < shape.totalShards(); i++) {
            byte[] bytes = new byte[(int) shape.shardSize()];
            random.nextBytes(bytes);
            fragments.add(bytes);
            checksums.add(Blake3Hashing.hash(bytes));
        }
        FragmentPlan plan = FragmentPlan.of(tessera, payloadLength, checksums, CREATOR.publicKey());
        return new TestTessera(SignedFragmentPlan.sign(plan, CREATOR::sign), fragments);
    }

    ContentHash tessera() {
        return plan.plan().tessera();
    }

    /** Stores the fragments {@code indices} in {@code store}. */
    TestTessera storeIn(FragmentStore store, int... indices) {
        for (int index : indices) {
            store.store(plan.plan().fragmentId(index), ByteBuffer.wrap(fragments.get(index)));
        }
        return this;
    }

    TestTessera storeAllIn(FragmentStore store) {
        for (int index = 0; index < fragments.size(); index++) {
            storeIn(store, index);
        }
        return this;
    }

    private static List<ContentHash> dummyChecksums(long payloadLength) {
        int total = net.tesseras.tessera.Tier.forPayload(payloadLength).totalShards();
        List<ContentHash> checksums = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            checksums.add(Blake3Hashing.hash(new byte[] {(byte) i}));
        }
        return checksums;
    }
}
