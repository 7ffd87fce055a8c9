package net.tesseras.replication.internal.proof;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import net.tesseras.core.Blake3Tree;
import net.tesseras.core.Blake3Tree.ChunkProof;
import net.tesseras.replication.Peer;
import net.tesseras.replication.TesseraStatus.Proof;
import net.tesseras.replication.internal.ReplicationMetrics;
import net.tesseras.replication.internal.proof.ChallengeProof.FragmentAnswer;
import net.tesseras.replication.internal.proof.Proofs.ChallengeCheck;
import net.tesseras.replication.internal.wire.MessageTypes;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.MessageHandler;
import net.tesseras.transport.PeerException;
import net.tesseras.transport.PeerMessage;
import org.junit.jupiter.api.Test;

/** The requester's checks against holders that lie in every way a proof can. */
class PeerProofsChallengeTest {

    private static final TestTessera TESSERA = TestTessera.of(5, (4L << 20) + 4000);
    private static final List<Integer> ALL = IntStream.range(0, 24).boxed().toList();

    private final Peer holder = TestHolders.peer(TestHolders.identity());
    private final MemoryStore store = new MemoryStore();
    private final LoopbackClient client = new LoopbackClient(TestHolders.identity().nodeId());
    private final ChallengeHandler honest = new ChallengeHandler(() -> store, ReplicationMetrics.NONE);
    private final List<String> outcomes = new ArrayList<>();

    private PeerProofs proofs(long seed, int fragmentsPerRequest) {
        return new PeerProofs(client, Duration.ofSeconds(30), new ReplicationMetrics() {
            @Override
            public void challengeChecked(String outcome, long bytes) {
                outcomes.add(outcome + " " + bytes);
            }
        }, new Random(seed), fragmentsPerRequest);
    }

    private static byte[] nonce(long seed) {
        byte[] nonce = new byte[32];
        new Random(seed).nextBytes(nonce);
        return nonce;
    }

    /**
     * A holder that proves from whatever bytes it has without checking them against its index (the
     * honest handler checks, and answers UNREADABLE): only the requester's verification can tell.
     */
    private MessageHandler unawareHolder() {
        return request -> {
            ChallengeRequest asked = ChallengeRequest.parse(request.payload());
            List<FragmentAnswer> answers = new ArrayList<>();
            for (int index : asked.indices()) {
                byte[] bytes = LoopbackClient.bytes(new PeerMessage(MessageTypes.PLAN, store.read(asked.tessera(), index).orElseThrow()));
                long[] chunks = ChunkSelection.select(asked.nonce(), index, bytes.length, asked.chunksPerFragment());
                try {
                    answers.add(new FragmentAnswer(index, ChallengeProof.Status.HELD, bytes.length,
                            Blake3Tree.prove(Channels.newChannel(new ByteArrayInputStream(bytes)), bytes.length, chunks)));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return new PeerMessage(MessageTypes.CHALLENGE_PROOF, new ChallengeProof(asked.tessera(), asked.nonce(), answers).toBuffer());
        };
    }

    @Test
    void theHoldersOwnCheckReportsADamagedFragmentAsUnreadable() {
        TESSERA.storeAllIn(store);
        store.corrupt(TESSERA.tessera(), 3, 1000);
        client.handle(MessageTypes.CHALLENGE, honest);
        ChallengeCheck check = proofs(8, 64).challenge(holder, TESSERA.plan(), List.of(2, 3), 2);
        assertEquals(new TreeSet<>(Set.of(3)), check.failed());
        assertTrue(check.detail().contains("fragment 3 is listed but unreadable"), check.detail());
    }

    @Test
    void aHolderServingAFlippedByteFailsExactlyThatFragment() {
        TESSERA.storeAllIn(store);
        long[] selected = ChunkSelection.select(nonce(9), 3, TESSERA.plan().plan().shardSize(), 4);
        store.corrupt(TESSERA.tessera(), 3, (int) (selected[2] * 1024 + 511));
        client.handle(MessageTypes.CHALLENGE, unawareHolder());
        ChallengeCheck check = proofs(9, 64).challenge(holder, TESSERA.plan(), ALL, 4);
        assertEquals(Proof.FAILED, check.outcome());
        assertEquals(new TreeSet<>(Set.of(3)), check.failed());
        assertEquals(23, check.passed().size());
        // The first selected chunk fails already: its siblings were computed over the damaged bytes.
        assertTrue(check.detail().contains("fragment 3: chunk " + selected[0] + " does not verify"), check.detail());
        assertEquals(List.of("failed " + check.bytesReceived()), outcomes);
    }

    @Test
    void damageOutsideTheSelectedChunksFailsTooWhenTheHolderProvesFromItsBytes() {
        // Every proof's siblings cover the rest of the fragment, so a holder that builds its proofs
        // from damaged bytes fails whichever chunks are selected (a holder that kept the tree's
        // values and dropped bytes is what the random selection catches).
        TESSERA.storeAllIn(store);
        long[] selected = ChunkSelection.select(nonce(10), 3, TESSERA.plan().plan().shardSize(), 1);
        long elsewhere = (selected[0] + 100) % 257;
        store.corrupt(TESSERA.tessera(), 3, (int) (elsewhere * 1024));
        client.handle(MessageTypes.CHALLENGE, unawareHolder());
        ChallengeCheck check = proofs(10, 64).challenge(holder, TESSERA.plan(), List.of(2, 3), 1);
        assertEquals(new TreeSet<>(Set.of(3)), check.failed());
        assertEquals(new TreeSet<>(Set.of(2)), check.passed());
    }

    @Test
    void aHolderAnsweringOtherChunksThanTheNonceSelectsFails() {
        TESSERA.storeAllIn(store);
        // Valid proofs of the chunks another nonce selects, under the right nonce.
        client.handle(MessageTypes.CHALLENGE, request -> {
            ChallengeRequest asked = ChallengeRequest.parse(request.payload());
            ChallengeProof chosen = honest.prove(new ChallengeRequest(asked.tessera(), new byte[32], asked.chunksPerFragment(),
                    asked.indices()));
            return new PeerMessage(MessageTypes.CHALLENGE_PROOF,
                    new ChallengeProof(asked.tessera(), asked.nonce(), chosen.fragments()).toBuffer());
        });
        ChallengeCheck check = proofs(1, 64).challenge(holder, TESSERA.plan(), List.of(0, 1), 4);
        assertEquals(Proof.FAILED, check.outcome());
        assertEquals(new TreeSet<>(Set.of(0, 1)), check.failed());
        assertTrue(check.detail().contains("fragment 0 answered chunks"), check.detail());
        assertTrue(check.detail().contains("the nonce selects"), check.detail());
    }

    @Test
    void aChunkClaimedUnderAnotherNumberFails() {
        TESSERA.storeAllIn(store);
        long[] selected = ChunkSelection.select(nonce(2), 0, TESSERA.plan().plan().shardSize(), 2);
        // Right chunk numbers, but the bytes and proof of another chunk under the first one.
        client.handle(MessageTypes.CHALLENGE, request -> {
            ChallengeRequest asked = ChallengeRequest.parse(request.payload());
            ChallengeProof real = honest.prove(asked);
            FragmentAnswer first = real.fragments().get(0);
            ChunkProof other = first.chunks().get(1);
            FragmentAnswer swapped = new FragmentAnswer(0, first.status(), first.size(),
                    List.of(new ChunkProof(selected[0], other.bytes(), other.siblings()), other));
            return new PeerMessage(MessageTypes.CHALLENGE_PROOF, new ChallengeProof(asked.tessera(), asked.nonce(), List.of(swapped)).toBuffer());
        });
        ChallengeCheck check = proofs(2, 64).challenge(holder, TESSERA.plan(), List.of(0), 2);
        assertEquals(Proof.FAILED, check.outcome());
        assertTrue(check.detail().contains("chunk " + selected[0] + " does not verify"), check.detail());
    }

    @Test
    void aReplayedAnswerFails() {
        TESSERA.storeAllIn(store);
        client.handle(MessageTypes.CHALLENGE, honest);
        PeerMessage[] first = new PeerMessage[1];
        client.tamper = answer -> {
            if (first[0] == null) {
                first[0] = new PeerMessage(answer.type(), ByteBuffer.wrap(LoopbackClient.bytes(answer)));
            }
            return new PeerMessage(first[0].type(), first[0].payload().duplicate());
        };
        PeerProofs proofs = proofs(3, 64);
        assertEquals(Proof.PASSED, proofs.challenge(holder, TESSERA.plan(), List.of(4), 2).outcome());
        ChallengeCheck replayed = proofs.challenge(holder, TESSERA.plan(), List.of(4), 2);
        assertEquals(Proof.FAILED, replayed.outcome());
        assertTrue(replayed.detail().contains("replayed"), replayed.detail());
    }

    @Test
    void anAnswerLeavingOutAFragmentFails() {
        TESSERA.storeAllIn(store);
        client.handle(MessageTypes.CHALLENGE, request -> {
            ChallengeRequest asked = ChallengeRequest.parse(request.payload());
            ChallengeProof real = honest.prove(asked);
            return new PeerMessage(MessageTypes.CHALLENGE_PROOF,
                    new ChallengeProof(asked.tessera(), asked.nonce(), real.fragments().subList(0, 1)).toBuffer());
        });
        ChallengeCheck check = proofs(4, 64).challenge(holder, TESSERA.plan(), List.of(1, 2), 1);
        assertEquals(new TreeSet<>(Set.of(1, 2)), check.failed());
        assertTrue(check.detail().contains("covers fragments [1], the challenge asked [1, 2]"), check.detail());
    }

    @Test
    void manyFragmentsGoInSeveralRequestsEachWithItsOwnNonce() {
        TESSERA.storeAllIn(store);
        List<String> nonces = new ArrayList<>();
        client.handle(MessageTypes.CHALLENGE, request -> {
            nonces.add(java.util.HexFormat.of().formatHex(ChallengeRequest.parse(request.payload()).nonce()));
            return honest.handle(request);
        });
        ChallengeCheck check = proofs(5, 5).challenge(holder, TESSERA.plan(), ALL, 1);
        assertEquals(Proof.PASSED, check.outcome(), check.detail());
        assertEquals(ALL.stream().collect(Collectors.toCollection(TreeSet::new)), check.passed());
        assertEquals(5, nonces.size());
        assertEquals(5, Set.copyOf(nonces).size());
    }

    @Test
    void noAnswerIsUnreachableAndAnErrorIsAFailure() {
        client.handle(MessageTypes.CHALLENGE, honest);
        client.failWith = ErrorCode.TIMEOUT;
        ChallengeCheck unreachable = proofs(6, 64).challenge(holder, TESSERA.plan(), List.of(0), 1);
        assertEquals(Proof.UNREACHABLE, unreachable.outcome());
        assertEquals(Set.of(), unreachable.failed());
        // A holder's INTERNAL error (its disk or database) is no evidence that the fragments are gone.
        client.failWith = ErrorCode.INTERNAL;
        ChallengeCheck internal = proofs(6, 64).challenge(holder, TESSERA.plan(), List.of(0, 1), 1);
        assertEquals(Proof.UNREACHABLE, internal.outcome());
        assertEquals(Set.of(), internal.failed());
        client.failWith = null;
        client.handle(MessageTypes.CHALLENGE, request -> {
            throw new PeerException(ErrorCode.TOO_LARGE, "this node hashes at most 1 byte per challenge");
        });
        ChallengeCheck refused = proofs(6, 64).challenge(holder, TESSERA.plan(), List.of(0, 1), 1);
        assertEquals(Proof.FAILED, refused.outcome());
        assertEquals(new TreeSet<>(Set.of(0, 1)), refused.failed());
        assertTrue(refused.detail().contains("TOO_LARGE"), refused.detail());
    }

    @Test
    void aChallengeOutsideThePlanIsAProgrammingError() {
        PeerProofs proofs = proofs(7, 64);
        assertThrows(IllegalArgumentException.class, () -> proofs.challenge(holder, TESSERA.plan(), List.of(24), 1));
        assertThrows(IllegalArgumentException.class, () -> proofs.challenge(holder, TESSERA.plan(), List.of(), 1));
        assertThrows(IllegalArgumentException.class, () -> proofs.challenge(holder, TESSERA.plan(), List.of(0), 0));
        assertThrows(IllegalArgumentException.class, () -> proofs.challenge(holder, TESSERA.plan(), List.of(0), 17));
        assertEquals(0, client.requests.get());
    }
}
