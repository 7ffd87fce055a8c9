package net.tesseras.replication.internal.proof;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.identity.NodeIdentity;
import net.tesseras.replication.Peer;
import net.tesseras.replication.TesseraStatus.Proof;
import net.tesseras.replication.internal.ReplicationMetrics;
import net.tesseras.replication.internal.proof.Proofs.AttestationCheck;
import net.tesseras.replication.internal.wire.MessageTypes;
import net.tesseras.testkit.TestIdentity;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerMessage;
import org.junit.jupiter.api.Test;

class PeerProofsAttestTest {

    private static final TestTessera TESSERA = TestTessera.of(2, (4L << 20) + 1000);

    private final NodeIdentity holder = TestHolders.identity();
    private final Peer holderPeer = TestHolders.peer(holder);
    private final MemoryStore store = new MemoryStore();
    private final LoopbackClient client = new LoopbackClient(TestHolders.identity().nodeId());
    private final List<String> outcomes = new ArrayList<>();
    private final PeerProofs proofs = new PeerProofs(client, Duration.ofSeconds(5), new ReplicationMetrics() {
        @Override
        public void attestationChecked(String outcome) {
            outcomes.add(outcome);
        }
    });

    private AttestHandler handlerSigningAs(NodeIdentity identity) {
        return new AttestHandler(() -> store, () -> identity, Clock.systemUTC(), ReplicationMetrics.NONE);
    }

    private AttestationCheck attest() {
        return proofs.attest(holderPeer, TESSERA.plan());
    }

    @Test
    void anHonestHolderProvesWhatItHolds() {
        TESSERA.storeIn(store, 1, 4, 20);
        client.handle(MessageTypes.ATTEST, handlerSigningAs(holder));
        AttestationCheck check = attest();
        assertEquals(Proof.PASSED, check.outcome(), check.detail());
        assertEquals(new TreeSet<>(Set.of(1, 4, 20)), check.proven());
        assertEquals(List.of("passed"), outcomes);
    }

    @Test
    void aReplayedAttestationFails() {
        TESSERA.storeIn(store, 1);
        client.handle(MessageTypes.ATTEST, handlerSigningAs(holder));
        PeerMessage[] first = new PeerMessage[1];
        client.tamper = answer -> {
            if (first[0] == null) {
                first[0] = new PeerMessage(answer.type(), ByteBuffer.wrap(LoopbackClient.bytes(answer)));
            }
            return new PeerMessage(first[0].type(), first[0].payload().duplicate());
        };
        assertEquals(Proof.PASSED, attest().outcome());
        AttestationCheck replayed = attest();
        assertFailed(replayed, "replayed");
        assertEquals(List.of("passed", "failed"), outcomes);
    }

    @Test
    void aTamperedEntryFails() {
        TESSERA.storeIn(store, 1, 2);
        client.handle(MessageTypes.ATTEST, handlerSigningAs(holder));
        client.tamper = answer -> {
            byte[] bytes = LoopbackClient.bytes(answer);
            bytes[Attestation.HEADER_LENGTH + 2] ^= 0x01; // first entry's checksum
            return new PeerMessage(answer.type(), ByteBuffer.wrap(bytes));
        };
        assertFailed(attest(), "signature does not verify");
    }

    @Test
    void aTamperedSignatureFails() {
        TESSERA.storeIn(store, 1);
        client.handle(MessageTypes.ATTEST, handlerSigningAs(holder));
        client.tamper = answer -> {
            byte[] bytes = LoopbackClient.bytes(answer);
            bytes[bytes.length - 1] ^= 0x01;
            return new PeerMessage(answer.type(), ByteBuffer.wrap(bytes));
        };
        assertFailed(attest(), "signature does not verify");
    }

    @Test
    void anAttestationSignedByAnotherKeyFails() {
        TESSERA.storeIn(store, 1);
        // Another node's key claiming to be the holder.
        client.handle(MessageTypes.ATTEST, handlerSigningAs(TestHolders.signingAs(new TestIdentity(), holder.nodeId(), holder.nonce())));
        assertFailed(attest(), "signature does not verify");
    }

    @Test
    void anAttestationByAnotherHolderFails() {
        TESSERA.storeIn(store, 1);
        // Another node answering honestly as itself.
        client.handle(MessageTypes.ATTEST, handlerSigningAs(TestHolders.identity()));
        assertFailed(attest(), "names holder");
    }

    @Test
    void anAttestationOfAnotherTesseraFails() {
        TESSERA.storeIn(store, 1);
        AttestHandler honest = handlerSigningAs(holder);
        client.handle(MessageTypes.ATTEST, request -> {
            AttestRequest asked = AttestRequest.parse(request.payload());
            Attestation other = honest.attest(Blake3Hashing.hash(new byte[] {1}), asked.nonce());
            return new PeerMessage(MessageTypes.ATTESTATION, ByteBuffer.wrap(other.toBytes()));
        });
        assertFailed(attest(), "not " + TESSERA.tessera());
    }

    @Test
    void truncatedOrTrailingBytesFail() {
        TESSERA.storeIn(store, 1);
        client.handle(MessageTypes.ATTEST, handlerSigningAs(holder));
        client.tamper = answer -> {
            byte[] bytes = LoopbackClient.bytes(answer);
            return new PeerMessage(answer.type(), ByteBuffer.wrap(Arrays.copyOf(bytes, bytes.length - 1)));
        };
        assertFailed(attest(), "ATTESTATION announces 1 entries");
        client.tamper = answer -> {
            byte[] bytes = LoopbackClient.bytes(answer);
            return new PeerMessage(answer.type(), ByteBuffer.wrap(Arrays.copyOf(bytes, bytes.length + 1)));
        };
        assertFailed(attest(), "ATTESTATION announces 1 entries");
    }

    @Test
    void anotherAnswerTypeFails() {
        client.handle(MessageTypes.ATTEST, request -> new PeerMessage(MessageTypes.PEERS, ByteBuffer.allocate(0)));
        assertFailed(attest(), "instead of ATTESTATION");
    }

    @Test
    void entriesOutsideThePlanOrDifferentFromItAreNotProven() {
        TestTessera impostor = TestTessera.of(3, (4L << 20) + 1000);
        TESSERA.storeIn(store, 2);
        // Index 5 held with other bytes than the plan's fragment 5: stored under a FragmentId with its own checksum.
        store.store(new net.tesseras.core.FragmentId(TESSERA.tessera(), 5, false, impostor.plan().plan().checksums().get(5)),
                ByteBuffer.wrap(impostor.fragments().get(5)));
        store.store(new net.tesseras.core.FragmentId(TESSERA.tessera(), 99, true, impostor.plan().plan().checksums().get(6)),
                ByteBuffer.wrap(impostor.fragments().get(6)));
        client.handle(MessageTypes.ATTEST, handlerSigningAs(holder));
        AttestationCheck check = attest();
        assertEquals(Proof.PASSED, check.outcome(), check.detail());
        assertEquals(new TreeSet<>(Set.of(2)), check.proven());
        assertTrue(check.detail().contains("entry 5 has checksum"), check.detail());
        assertTrue(check.detail().contains("entry 99 is not in the plan"), check.detail());
    }

    @Test
    void aHolderOfNothingFromThePlanFails() {
        client.handle(MessageTypes.ATTEST, handlerSigningAs(holder));
        assertFailed(attest(), "none of the plan's fragments (0 entries");
    }

    @Test
    void noAnswerIsUnreachableNotFailed() {
        client.handle(MessageTypes.ATTEST, handlerSigningAs(holder));
        for (ErrorCode code : List.of(ErrorCode.CONNECTION, ErrorCode.TIMEOUT, ErrorCode.UNAUTHENTICATED, ErrorCode.OVERLOADED,
                ErrorCode.UNAVAILABLE, ErrorCode.INTERNAL)) {
            client.failWith = code;
            AttestationCheck check = attest();
            assertEquals(Proof.UNREACHABLE, check.outcome(), code.name());
            assertTrue(check.detail().contains(code.name()), check.detail());
        }
    }

    @Test
    void anAnswerThatNeverComesIsUnreachableAfterTheTimeout() {
        LoopbackClient silent = new LoopbackClient(holder.nodeId()) {
            @Override
            public CompletableFuture<PeerMessage> request(java.net.InetSocketAddress peer, PeerMessage message) {
                return new CompletableFuture<>();
            }
        };
        AttestationCheck check = new PeerProofs(silent, Duration.ofMillis(50), ReplicationMetrics.NONE).attest(holderPeer, TESSERA.plan());
        assertEquals(Proof.UNREACHABLE, check.outcome());
        assertTrue(check.detail().contains("did not answer within PT0.05S"), check.detail());
    }

    @Test
    void anInterruptedCallerGetsNoVerdictAndKeepsItsInterrupt() {
        LoopbackClient silent = new LoopbackClient(holder.nodeId()) {
            @Override
            public CompletableFuture<PeerMessage> request(java.net.InetSocketAddress peer, PeerMessage message) {
                return new CompletableFuture<>();
            }
        };
        Thread.currentThread().interrupt();
        try {
            AttestationCheck check = new PeerProofs(silent, Duration.ofSeconds(30), ReplicationMetrics.NONE)
                    .attest(holderPeer, TESSERA.plan());
            assertEquals(Proof.UNREACHABLE, check.outcome());
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept for the caller to stop on");
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void anotherErrorIsAFailure() {
        // No ATTEST handler: the holder does not speak replication.
        AttestationCheck check = attest();
        assertFailed(check, "UNKNOWN_TYPE");
    }

    private static void assertFailed(AttestationCheck check, String why) {
        assertEquals(Proof.FAILED, check.outcome(), check.detail());
        assertTrue(check.proven().isEmpty());
        assertTrue(check.detail().contains(why), check.detail());
    }
}
