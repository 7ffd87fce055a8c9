package net.tesseras.transport.quic.internal;

import static net.tesseras.transport.quic.internal.TwoNodesTest.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.core.FragmentId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Larger datagrams where the network carries them: fragments cross whatever each end's
 * {@code max.udp.payload}, because a node never sends more than its peer said it accepts.
 */
class UdpPayloadTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "server {0} bytes, client {1} bytes")
    @CsvSource({"16384, 16384", "1350, 16384", "16384, 1350", "65507, 65507"})
    void fragmentsCrossInBothDirectionsWhateverEachEndAccepts(int serverPayload, int clientPayload) throws Exception {
        TransportSettings server = TransportSettings.builder().maxUdpPayload(serverPayload)
                .writePolicy(TransportSettings.WritePolicy.ANY, java.util.Set.of()).build();
        try (TestNode a = new TestNode(dir.resolve("a"), server);
                TestNode b = new TestNode(dir.resolve("b"), TransportSettings.builder().maxUdpPayload(clientPayload).build())) {
            FragmentId held = a.holdRandom(21, 0, 4 * 1024 * 1024 + 5);
            Path fetched = dir.resolve("fetched");
            assertEquals(held, await(b.client.fetch(a.address(), held.tessera(), 0, fetched)).id());
            assertEquals(held.checksum(), Blake3Hashing.hash(fetched));

            byte[] data = TestNode.random(22, 2 * 1024 * 1024 + 9);
            FragmentId sent = new FragmentId(Blake3Hashing.hash(new byte[] {22}), 3, false, Blake3Hashing.hash(data));
            await(b.client.put(a.address(), sent, ByteBuffer.wrap(data)));
            ByteBuffer stored = a.store.read(sent.tessera(), 3).orElseThrow();
            byte[] copy = new byte[stored.remaining()];
            stored.get(copy);
            assertArrayEquals(data, copy);
        }
    }

    @Test
    void payloadsOutsideWhatQuicAndUdpAllowAreRefused() {
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                () -> TransportSettings.builder().maxUdpPayload(1199).build());
        assertEquals("max.udp.payload must be between 1200 and 65507: 1199", small.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TransportSettings.builder().maxUdpPayload(65_508).build());
        assertEquals(1350, TransportSettings.defaults().maxUdpPayload());
    }

    @Test
    void onlySocketWorkerAndDatagramChangesNeedANewTransport() {
        TransportSettings running = TransportSettings.defaults();
        assertTrue(running.needRestartFor(running.toBuilder().maxUdpPayload(16384).build()));
        assertTrue(running.needRestartFor(running.toBuilder().listen(new java.net.InetSocketAddress("127.0.0.1", 4433)).build()));
        assertTrue(running.needRestartFor(running.toBuilder().limits(64 * 1024, 512L << 20, 256, 8, 1024).build()));
        assertFalse(running.needRestartFor(running.toBuilder().pool(8, java.time.Duration.ofSeconds(2), java.time.Duration.ofSeconds(1))
                .pipelined(false).build()));
    }
}
