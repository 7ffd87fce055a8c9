package net.tesseras.replication.internal.peers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import net.tesseras.replication.internal.wire.MessageTypes;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerException;
import net.tesseras.transport.PeerMessage;
import org.junit.jupiter.api.Test;

/** The exact bytes of FIND_PEERS and PEERS, and the strict parse of hostile payloads. */
class PeerWireTest {

    private static final MintedIdentity ALICE = new MintedIdentity();
    private static final MintedIdentity BOB = new MintedIdentity();

    static PeerDescription describe(MintedIdentity identity, boolean institutional, InetSocketAddress... addresses) {
        return new PeerDescription(identity.publicKey(), identity.nonce(), institutional, List.of(addresses));
    }

    private static byte[] bytes(PeerMessage message) {
        ByteBuffer payload = message.payload().duplicate();
        byte[] bytes = new byte[payload.remaining()];
        payload.get(bytes);
        return bytes;
    }

    private static byte[] target(int fill) {
        byte[] target = new byte[20];
        Arrays.fill(target, (byte) fill);
        return target;
    }

    @Test
    void findPeersHasTheDocumentedLayoutAndRoundTrips() throws Exception {
        PeerDescription sender = describe(ALICE, true, new InetSocketAddress("192.0.2.7", 4433),
                new InetSocketAddress("2001:db8::1", 443));
        PeerMessage message = PeerWire.encode(new PeerWire.FindPeers(target(0xab), 20, sender));

        assertEquals(MessageTypes.FIND_PEERS, message.type());
        byte[] b = bytes(message);
        assertEquals(20 + 1 + 32 + 8 + 1 + 1 + (1 + 4 + 2) + (1 + 16 + 2), b.length);
        assertArrayEquals(target(0xab), Arrays.copyOfRange(b, 0, 20));
        assertEquals(20, b[20]);
        assertArrayEquals(ALICE.publicKey(), Arrays.copyOfRange(b, 21, 53));
        assertEquals(ALICE.nonce(), ByteBuffer.wrap(b, 53, 8).getLong(), "nonce, big-endian");
        assertEquals(1, b[61], "flags: institutional");
        assertEquals(2, b[62], "address count");
        assertEquals("04c00002071151", HexFormat.of().formatHex(b, 63, 70), "family 4, 192.0.2.7, port 4433");
        assertEquals("0620010db800000000000000000000000101bb", HexFormat.of().formatHex(b, 70, 89), "family 6, 2001:db8::1, 443");

        PeerWire.FindPeers parsed = PeerWire.decodeFindPeers(message.payload());
        assertArrayEquals(target(0xab), parsed.target());
        assertEquals(20, parsed.maxCount());
        assertEquals(sender, parsed.sender());
        assertEquals(ALICE.nodeId(), parsed.sender().nodeId().orElseThrow());
    }

    @Test
    void peersRoundTripsWithTheAnswererFirst() {
        PeerDescription answerer = describe(ALICE, false);
        PeerWire.ListedPeer bob = new PeerWire.ListedPeer(BOB.nodeId().toBytes(),
                describe(BOB, true, new InetSocketAddress("198.51.100.3", 9000)));
        PeerMessage message = PeerWire.encode(new PeerWire.Peers(answerer, List.of(bob)));

        assertEquals(MessageTypes.PEERS, message.type());
        byte[] b = bytes(message);
        assertEquals(42 + 1 + 20 + 42 + 7, b.length);
        assertEquals(0, b[41], "the answerer announces no address");
        assertEquals(1, b[42], "peer count");
        assertArrayEquals(BOB.nodeId().toBytes(), Arrays.copyOfRange(b, 43, 63));

        PeerWire.Peers parsed = PeerWire.decodePeers(message.payload(), 20);
        assertEquals(answerer, parsed.answerer());
        assertEquals(1, parsed.peers().size());
        assertArrayEquals(BOB.nodeId().toBytes(), parsed.peers().get(0).nodeId());
        assertEquals(bob.description(), parsed.peers().get(0).description());
        assertTrue(parsed.peers().get(0).consistent());
    }

    @Test
    void aListedPeerWhoseKeyDoesNotDeriveItsNodeIdIsInconsistent() {
        PeerWire.ListedPeer forged = new PeerWire.ListedPeer(BOB.nodeId().toBytes(), describe(ALICE, false));
        assertFalse(forged.consistent());
        PeerWire.ListedPeer noWork = new PeerWire.ListedPeer(BOB.nodeId().toBytes(),
                new PeerDescription(BOB.publicKey(), BOB.nonce() + 1, false, List.of()));
        assertFalse(noWork.consistent(), "another nonce is (almost surely) no proof of work, or another NodeId");
    }

    @Test
    void unresolvedAddressesDoNotTravel() {
        PeerDescription sender = describe(ALICE, false, InetSocketAddress.createUnresolved("seed.example", 4433),
                new InetSocketAddress("192.0.2.7", 4433));
        PeerWire.FindPeers parsed = PeerWire.decodeFindPeers(
                PeerWire.encode(new PeerWire.FindPeers(target(0), 1, sender)).payload());
        assertEquals(List.of(new InetSocketAddress("192.0.2.7", 4433)), parsed.sender().addresses());
    }

    private static byte[] findPeers() {
        return bytes(PeerWire.encode(new PeerWire.FindPeers(target(1), 5,
                describe(ALICE, false, new InetSocketAddress("192.0.2.7", 4433)))));
    }

    private static String refusal(byte[] payload) {
        PeerException e = assertThrows(PeerException.class, () -> PeerWire.decodeFindPeers(ByteBuffer.wrap(payload)));
        assertEquals(ErrorCode.MALFORMED, e.code());
        return e.getMessage();
    }

    @Test
    void trailingBytesAreRefused() {
        byte[] b = Arrays.copyOf(findPeers(), findPeers().length + 1);
        assertEquals("FIND_PEERS: 1 trailing bytes after the last field (payload of 71 bytes); the message ends there", refusal(b));
    }

    @Test
    void everyTruncationIsRefusedNamingTheField() {
        byte[] whole = findPeers();
        for (int length = 0; length < whole.length; length++) {
            String reason = refusal(Arrays.copyOf(whole, length));
            assertTrue(reason.startsWith("FIND_PEERS: payload of " + length + " bytes ends inside the "), reason);
        }
        assertTrue(refusal(Arrays.copyOf(whole, 30)).contains("public key of the sender"));
    }

    @Test
    void tooManyAddressesAreRefused() {
        byte[] b = findPeers();
        b[62] = 9;
        assertEquals("FIND_PEERS: the sender announces 9 addresses, at most 8 are allowed", refusal(b));
    }

    @Test
    void unknownFamilyZeroPortAndUnknownFlagsAreRefused() {
        byte[] family = findPeers();
        family[63] = 5;
        assertEquals("FIND_PEERS: family of address 0 of the sender is 5: 4 (IPv4) or 6 (IPv6) expected", refusal(family));
        byte[] port = findPeers();
        port[68] = 0;
        port[69] = 0;
        assertEquals("FIND_PEERS: port of address 0 of the sender is 0", refusal(port));
        byte[] flags = findPeers();
        flags[61] = 3;
        assertTrue(refusal(flags).contains("flags of the sender are 0x03"));
    }

    @Test
    void aPeersAnswerListingMoreThanAskedIsRefused() {
        List<PeerWire.ListedPeer> three = List.of(new MintedIdentity(), new MintedIdentity(), new MintedIdentity()).stream()
                .map(i -> new PeerWire.ListedPeer(i.nodeId().toBytes(), describe(i, false))).toList();
        PeerMessage answer = PeerWire.encode(new PeerWire.Peers(describe(ALICE, false), three));
        assertEquals(3, PeerWire.decodePeers(answer.payload(), 3).peers().size());
        PeerException e = assertThrows(PeerException.class, () -> PeerWire.decodePeers(answer.payload(), 2));
        assertEquals(ErrorCode.MALFORMED, e.code());
        assertEquals("PEERS: lists 3 peers, more than the 2 asked for", e.getMessage());
    }

    @Test
    void aPeersAnswerWithTrailingBytesIsRefused() {
        byte[] b = bytes(PeerWire.encode(new PeerWire.Peers(describe(ALICE, false), List.of())));
        byte[] longer = Arrays.copyOf(b, b.length + 3);
        PeerException e = assertThrows(PeerException.class, () -> PeerWire.decodePeers(ByteBuffer.wrap(longer), 20));
        assertEquals("PEERS: 3 trailing bytes after the last field (payload of 46 bytes); the message ends there", e.getMessage());
    }

    @Test
    void theCallersBufferIsNotConsumed() {
        PeerMessage message = PeerWire.encode(new PeerWire.FindPeers(target(1), 5, describe(ALICE, false)));
        int before = message.payload().remaining();
        PeerWire.decodeFindPeers(message.payload());
        assertEquals(before, message.payload().remaining());
    }
}
