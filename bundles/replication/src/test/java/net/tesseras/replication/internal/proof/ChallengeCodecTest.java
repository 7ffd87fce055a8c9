package net.tesseras.replication.internal.proof;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import net.tesseras.core.Blake3Tree.ChunkProof;
import net.tesseras.core.ContentHash;
import net.tesseras.replication.internal.proof.ChallengeProof.FragmentAnswer;
import net.tesseras.replication.internal.proof.ChallengeProof.Status;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerException;
import org.junit.jupiter.api.Test;

class ChallengeCodecTest {

    private static final ContentHash TESSERA = ContentHash.of(new byte[32]);
    private static final byte[] NONCE = new byte[32];

    @Test
    void requestsRoundTripInTheDocumentedLayout() {
        ChallengeRequest request = new ChallengeRequest(TESSERA, NONCE, 4, List.of(2, 7, 300));
        ByteBuffer payload = request.toBuffer();
        assertEquals(32 + 32 + 1 + 2 + 3 * 2, payload.remaining());
        assertEquals(4, payload.get(64));
        assertEquals(3, payload.getShort(65));
        assertEquals(300, payload.getShort(71));
        assertEquals(request, ChallengeRequest.parse(payload));
    }

    @Test
    void requestsAboveTheLimitsAreTooLarge() {
        ByteBuffer manyChunks = new ChallengeRequest(TESSERA, NONCE, 4, List.of(1)).toBuffer();
        manyChunks.put(64, (byte) 17);
        assertEquals(ErrorCode.TOO_LARGE, assertThrows(PeerException.class, () -> ChallengeRequest.parse(manyChunks)).code());

        ByteBuffer manyFragments = ByteBuffer.allocate(67 + 2 * 65).put(TESSERA.toBytes()).put(NONCE).put((byte) 1).putShort((short) 65);
        IntStream.range(0, 65).forEach(i -> manyFragments.putShort((short) i));
        PeerException e = assertThrows(PeerException.class, () -> ChallengeRequest.parse(manyFragments.flip()));
        assertEquals(ErrorCode.TOO_LARGE, e.code());
        assertTrue(e.getMessage().contains("at most 16 chunks of 64 fragments"), e.getMessage());
    }

    @Test
    void malformedRequestsAreRefusedNamingTheField() {
        byte[] good = bytes(new ChallengeRequest(TESSERA, NONCE, 4, List.of(2, 7)).toBuffer());
        for (int length = 0; length < good.length; length++) {
            byte[] cut = Arrays.copyOf(good, length);
            assertEquals(ErrorCode.MALFORMED, assertThrows(PeerException.class, () -> ChallengeRequest.parse(ByteBuffer.wrap(cut))).code());
        }
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        assertMalformed(() -> ChallengeRequest.parse(ByteBuffer.wrap(trailing)), "announces 2 indices");
        byte[] zeroChunks = good.clone();
        zeroChunks[64] = 0;
        assertMalformed(() -> ChallengeRequest.parse(ByteBuffer.wrap(zeroChunks)), "at least one");
        byte[] repeated = good.clone();
        repeated[70] = 2; // 7 -> 2
        assertMalformed(() -> ChallengeRequest.parse(ByteBuffer.wrap(repeated)), "strictly increase");
    }

    @Test
    void proofsRoundTrip() {
        List<byte[]> siblings = List.of(new byte[32], filled(32, 9));
        ChallengeProof proof = new ChallengeProof(TESSERA, NONCE, List.of(
                new FragmentAnswer(2, Status.HELD, 5000, List.of(new ChunkProof(3, filled(1024, 1), siblings),
                        new ChunkProof(4, filled(904, 2), List.of(filled(32, 3))))),
                FragmentAnswer.without(7, Status.NOT_HELD), FragmentAnswer.without(9, Status.UNREADABLE)));
        ByteBuffer payload = proof.toBuffer();
        assertEquals(66 + (3 + 9 + (4 + 2 + 1024 + 1 + 64) + (4 + 2 + 904 + 1 + 32)) + 3 + 3, payload.remaining());
        assertEquals(proof, ChallengeProof.parse(payload));
    }

    @Test
    void malformedProofsAreRefused() {
        ChallengeProof proof = new ChallengeProof(TESSERA, NONCE, List.of(
                new FragmentAnswer(2, Status.HELD, 5000, List.of(new ChunkProof(3, filled(1024, 1), List.of(new byte[32]))))));
        byte[] good = bytes(proof.toBuffer());
        for (int length = 0; length < good.length; length++) {
            byte[] cut = Arrays.copyOf(good, length);
            assertEquals(ErrorCode.MALFORMED, assertThrows(PeerException.class, () -> ChallengeProof.parse(ByteBuffer.wrap(cut))).code());
        }
        assertMalformed(() -> ChallengeProof.parse(ByteBuffer.wrap(Arrays.copyOf(good, good.length + 1))), "after its last field");
        byte[] badStatus = good.clone();
        badStatus[68] = 3;
        assertMalformed(() -> ChallengeProof.parse(ByteBuffer.wrap(badStatus)), "status 3");
        byte[] longChunk = good.clone();
        longChunk[69 + 9 + 4] = 0x04;
        longChunk[69 + 9 + 5] = 0x01; // 1025 bytes
        assertMalformed(() -> ChallengeProof.parse(ByteBuffer.wrap(longChunk)), "at most 1024");
    }

    private static void assertMalformed(org.junit.jupiter.api.function.Executable parse, String why) {
        PeerException e = assertThrows(PeerException.class, parse);
        assertEquals(ErrorCode.MALFORMED, e.code());
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }

    private static byte[] filled(int length, int value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
