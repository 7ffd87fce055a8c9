package net.tesseras.replication.internal.proof;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.core.ContentHash;
import net.tesseras.identity.Ed25519;
import net.tesseras.identity.NodeIdentity;
import net.tesseras.testkit.TestIdentity;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerException;
import org.junit.jupiter.api.Test;

class AttestationTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final NodeIdentity HOLDER = TestHolders.identity(TestIdentity.RFC8032_TEST1);
    private static final ContentHash TESSERA = Blake3Hashing.hash("tessera".getBytes(StandardCharsets.US_ASCII));
    private static final ContentHash F0 = Blake3Hashing.hash("fragment 0".getBytes(StandardCharsets.US_ASCII));
    private static final ContentHash F5 = Blake3Hashing.hash("fragment 5".getBytes(StandardCharsets.US_ASCII));
    private static final byte[] NONCE = HEX.parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    private static final long TIMESTAMP = 1_764_547_200_123L;

    private static Attestation sample() {
        return Attestation.sign(HOLDER, TESSERA, NONCE, TIMESTAMP,
                List.of(new Attestation.Entry(0, F0, 262_145), new Attestation.Entry(5, F5, 1)));
    }

    @Test
    void signsExactlyTheDocumentedBytes() {
        // Built by hand from docs/PROTOCOL.md ("Attestations and challenges"), not by the encoder.
        String expected = "7465737365726173206174746573746174696f6e207631" // "tesseras attestation v1"
                + TESSERA.toHex() + HOLDER.nodeId().toHex() + HEX.formatHex(NONCE)
                + "0000019ad735847b" // 1764547200123 ms
                + "0002"
                + "0000" + F0.toHex() + "0000000000040001"
                + "0005" + F5.toHex() + "0000000000000001";
        Attestation attestation = sample();
        assertEquals(expected, HEX.formatHex(attestation.signedBytes()));
        assertTrue(Ed25519.verify(HOLDER.publicKey(), HEX.parseHex(expected), attestation.signature()));
        // Wire bytes: the signed bytes without the domain prefix, then the signature.
        assertEquals(expected.substring(46) + HEX.formatHex(attestation.signature()), HEX.formatHex(attestation.toBytes()));
    }

    @Test
    void theTimestampIsTheOneWeExpect() {
        assertEquals("0000019ad735847b", String.format("%016x", TIMESTAMP));
        assertEquals("tesseras attestation v1", new String(HEX.parseHex("7465737365726173206174746573746174696f6e207631"),
                StandardCharsets.US_ASCII));
    }

    @Test
    void roundTripsAndVerifiesWithTheHoldersKeyOnly() {
        Attestation attestation = sample();
        Attestation parsed = Attestation.parse(ByteBuffer.wrap(attestation.toBytes()));
        assertEquals(attestation, parsed);
        assertTrue(parsed.signedBy(HOLDER.publicKey()));
        assertFalse(parsed.signedBy(new TestIdentity().publicKey()));
    }

    @Test
    void anAttestationOfNothingIsSignedToo() {
        Attestation empty = Attestation.sign(HOLDER, TESSERA, NONCE, TIMESTAMP, List.of());
        assertEquals(Attestation.HEADER_LENGTH + 64, empty.toBytes().length);
        assertTrue(Attestation.parse(ByteBuffer.wrap(empty.toBytes())).signedBy(HOLDER.publicKey()));
    }

    @Test
    void everyTruncationIsMalformed() {
        byte[] bytes = sample().toBytes();
        for (int length = 0; length < bytes.length; length++) {
            byte[] cut = Arrays.copyOf(bytes, length);
            PeerException e = assertThrows(PeerException.class, () -> Attestation.parse(ByteBuffer.wrap(cut)), "length " + length);
            assertEquals(ErrorCode.MALFORMED, e.code());
            assertTrue(e.getMessage().startsWith("ATTESTATION "), e.getMessage());
        }
    }

    @Test
    void trailingBytesAreMalformed() {
        byte[] bytes = Arrays.copyOf(sample().toBytes(), sample().toBytes().length + 1);
        PeerException e = assertThrows(PeerException.class, () -> Attestation.parse(ByteBuffer.wrap(bytes)));
        assertEquals(ErrorCode.MALFORMED, e.code());
        assertTrue(e.getMessage().contains("2 entries"), e.getMessage());
    }

    @Test
    void aCountThatDisagreesWithTheBytesIsMalformed() {
        byte[] bytes = sample().toBytes();
        bytes[Attestation.HEADER_LENGTH - 1] = 3;
        PeerException e = assertThrows(PeerException.class, () -> Attestation.parse(ByteBuffer.wrap(bytes)));
        assertTrue(e.getMessage().contains("announces 3 entries"), e.getMessage());
    }

    @Test
    void entriesOutOfOrderOrRepeatedAreMalformed() {
        byte[] bytes = sample().toBytes();
        int second = Attestation.HEADER_LENGTH + Attestation.ENTRY_LENGTH;
        bytes[second + 1] = 0; // index 5 -> 0, repeating entry 0
        PeerException e = assertThrows(PeerException.class, () -> Attestation.parse(ByteBuffer.wrap(bytes)));
        assertTrue(e.getMessage().contains("strictly increase"), e.getMessage());
    }

    @Test
    void aHolderThatIsNoNodeIdOrATimestampBeyondRangeIsMalformed() {
        byte[] noNodeId = sample().toBytes();
        noNodeId[32] = (byte) 0xff;
        assertEquals(ErrorCode.MALFORMED, assertThrows(PeerException.class, () -> Attestation.parse(ByteBuffer.wrap(noNodeId))).code());
        byte[] farFuture = sample().toBytes();
        farFuture[32 + 20 + 32] = (byte) 0x80;
        PeerException e = assertThrows(PeerException.class, () -> Attestation.parse(ByteBuffer.wrap(farFuture)));
        assertTrue(e.getMessage().contains("timestamp"), e.getMessage());
    }

    @Test
    void requestsAreExactly64Bytes() {
        AttestRequest request = new AttestRequest(TESSERA, NONCE);
        ByteBuffer payload = request.toBuffer();
        assertEquals(64, payload.remaining());
        assertEquals(request, AttestRequest.parse(payload));
        for (int length : new int[] {0, 63, 65}) {
            PeerException e = assertThrows(PeerException.class, () -> AttestRequest.parse(ByteBuffer.allocate(length)));
            assertEquals(ErrorCode.MALFORMED, e.code());
            assertTrue(e.getMessage().contains("payload is " + length + " bytes, not 64"), e.getMessage());
        }
        assertArrayEquals(NONCE, AttestRequest.parse(request.toBuffer()).nonce());
    }
}
