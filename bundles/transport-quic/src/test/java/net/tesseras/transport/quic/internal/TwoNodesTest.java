package net.tesseras.transport.quic.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.MessageHandler;
import net.tesseras.transport.PeerException;
import net.tesseras.transport.PeerInfo;
import net.tesseras.transport.PeerMessage;
import net.tesseras.transport.quic.internal.TransportSettings.WritePolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two nodes on loopback talking the protocol over mutually authenticated QUIC. */
class TwoNodesTest {

    @TempDir
    Path dir;

    private TestNode a;
    private TestNode b;

    @BeforeEach
    void start() throws Exception {
        a = new TestNode(dir.resolve("a"), TransportSettings.defaults());
        b = new TestNode(dir.resolve("b"), TransportSettings.defaults());
    }

    @AfterEach
    void stop() {
        b.close();
        a.close();
    }

    static <T> T await(CompletionStage<T> stage) throws Exception {
        try {
            return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = Errors.unwrap(e);
            if (cause instanceof Exception failure) {
                throw failure;
            }
            throw e;
        }
    }

    @Test
    void pingShowsThePeersAuthenticatedNodeId() throws Exception {
        PeerInfo info = await(b.client.ping(a.address()));
        assertEquals(a.identity.nodeId(), info.nodeId());
        assertEquals(1, info.protocolVersion());
        // The default write.policy = none refuses every PUT: the node does not announce it.
        assertEquals(Set.of("get", "list"), info.capabilities());
        a.transport.update(a.transport.settings().toBuilder().writePolicy(WritePolicy.ANY, Set.of()).build());
        assertTrue(await(b.client.ping(a.address())).capabilities().containsAll(List.of("get", "put", "list")));
        assertEquals(1, b.transport.pool().size(), "one pooled connection");
        assertEquals(1, a.transport.pool().size(), "the inbound side pools it too");
        assertEquals(b.identity.nodeId(), a.transport.pool().entries().get(0).peer().orElseThrow(),
                "A attributes the connection to B's NodeId");
    }

    @Test
    void getListAndFetchAFragmentTheOtherNodeHolds(@TempDir Path out) throws Exception {
        FragmentId small = a.holdRandom(1, 0, 4096);
        FragmentId large = a.holdRandom(1, 1, 3 * 1024 * 1024 + 17);

        ByteBuffer bytes = await(b.client.get(a.address(), small));
        assertEquals(small.checksum(), Blake3Hashing.hash(bytes));

        List<FragmentInfo> listed = await(b.client.list(a.address(), small.tessera()));
        assertEquals(List.of(0, 1), listed.stream().map(f -> f.id().index()).toList());
        assertEquals(large.checksum(), listed.get(1).id().checksum());

        Path target = out.resolve("large.shard");
        FragmentInfo fetched = await(b.client.fetch(a.address(), large.tessera(), 1, target));
        assertEquals(large, fetched.id());
        assertEquals(large.checksum(), Blake3Hashing.hash(target));
        assertEquals(1, b.transport.pool().size(), "every request reused the pooled connection");
    }

    @Test
    void getVerifiesAgainstTheExpectedChecksum() throws Exception {
        FragmentId held = a.holdRandom(2, 0, 1000);
        FragmentId wrong = new FragmentId(held.tessera(), 0, false, Blake3Hashing.hash(new byte[] {1}));
        PeerException failure = assertThrows(PeerException.class, () -> await(b.client.get(a.address(), wrong)));
        assertEquals(ErrorCode.CHECKSUM_MISMATCH, failure.code());
    }

    @Test
    void missingFragmentIsNotFound() throws Exception {
        FragmentId absent = new FragmentId(Blake3Hashing.hash(new byte[] {9}), 3, false, Blake3Hashing.hash(new byte[] {9}));
        PeerException failure = assertThrows(PeerException.class, () -> await(b.client.get(a.address(), absent)));
        assertEquals(ErrorCode.NOT_FOUND, failure.code());
    }

    @Test
    void putStoresLargeFragmentsOnThePeerAndRefusesABadChecksum() throws Exception {
        a.transport.update(a.transport.settings().toBuilder().writePolicy(WritePolicy.ANY, Set.of()).build());
        byte[] data = TestNode.random(3, 5 * 1024 * 1024 + 3);
        ContentHash tessera = Blake3Hashing.hash(new byte[] {3});
        FragmentId id = new FragmentId(tessera, 7, true, Blake3Hashing.hash(data));
        await(b.client.put(a.address(), id, ByteBuffer.wrap(data)));
        ByteBuffer stored = a.store.read(tessera, 7).orElseThrow();
        byte[] copy = new byte[stored.remaining()];
        stored.get(copy);
        assertArrayEquals(data, copy);
        assertTrue(a.store.fragments(tessera).get(0).id().parity());

        FragmentId lying = new FragmentId(tessera, 8, false, Blake3Hashing.hash(new byte[] {4}));
        PeerException refused = assertThrows(PeerException.class, () -> await(b.client.put(a.address(), lying, ByteBuffer.wrap(data))));
        assertEquals(ErrorCode.CHECKSUM_MISMATCH, refused.code());
        assertTrue(a.store.read(tessera, 8).isEmpty(), "nothing stored under a wrong checksum");
    }

    @Test
    void theDefaultWritePolicyRefusesEveryPutAndStoresNothing() throws Exception {
        byte[] data = TestNode.random(15, 100_000);
        FragmentId id = new FragmentId(Blake3Hashing.hash(new byte[] {15}), 0, false, Blake3Hashing.hash(data));
        PeerException refused = assertThrows(PeerException.class, () -> await(b.client.put(a.address(), id, ByteBuffer.wrap(data))));
        assertEquals(ErrorCode.FORBIDDEN, refused.code());
        assertTrue(refused.getMessage().contains("write.policy"), "the reason names the setting: " + refused.getMessage());
        assertTrue(a.store.read(id.tessera(), 0).isEmpty(), "nothing stored");
        assertEquals(List.of(), a.store.fragments(id.tessera()));
        assertEquals(a.identity.nodeId(), await(b.client.ping(a.address())).nodeId(), "the connection still serves");
    }

    @Test
    void writePolicyRefusesPeersOffTheAllowList() throws Exception {
        a.transport.update(a.transport.settings().toBuilder().writePolicy(WritePolicy.ALLOW_LIST, Set.of(a.identity.nodeId())).build());
        byte[] data = {1, 2, 3};
        FragmentId id = new FragmentId(Blake3Hashing.hash(new byte[] {5}), 0, false, Blake3Hashing.hash(data));
        PeerException refused = assertThrows(PeerException.class, () -> await(b.client.put(a.address(), id, ByteBuffer.wrap(data))));
        assertEquals(ErrorCode.FORBIDDEN, refused.code());

        a.transport.update(a.transport.settings().toBuilder().writePolicy(WritePolicy.ALLOW_LIST, Set.of(b.identity.nodeId())).build());
        await(b.client.put(a.address(), id, ByteBuffer.wrap(data)));
        assertTrue(a.store.read(id.tessera(), 0).isPresent());
    }

    @Test
    void extensionHandlersServeTheirTypeAttributedToTheSender() throws Exception {
        int echo = MessageHandler.FIRST_EXTENSION_TYPE + 1;
        a.transport.addHandler(echo, request -> new PeerMessage(echo,
                ByteBuffer.wrap((request.peer().toHex() + ":" + StandardCharsets.UTF_8.decode(request.payload())).getBytes(StandardCharsets.UTF_8))));
        PeerMessage answer = await(b.client.request(a.address(), new PeerMessage(echo, ByteBuffer.wrap("hello".getBytes(StandardCharsets.UTF_8)))));
        assertEquals(b.identity.nodeId().toHex() + ":hello", StandardCharsets.UTF_8.decode(answer.payload()).toString());
        assertTrue(await(b.client.ping(a.address())).capabilities().contains("ext_0x21"));

        PeerException unknown = assertThrows(PeerException.class,
                () -> await(b.client.request(a.address(), new PeerMessage(echo + 1, ByteBuffer.allocate(1)))));
        assertEquals(ErrorCode.UNKNOWN_TYPE, unknown.code());
    }

    @Test
    void naiveModeAnswersTheSame() throws Exception {
        b.transport.update(b.transport.settings().toBuilder().pipelined(false).build());
        FragmentId id = a.holdRandom(6, 2, 70_000);
        for (int i = 0; i < 20; i++) {
            assertEquals(id.checksum(), Blake3Hashing.hash(await(b.client.get(a.address(), id))));
        }
    }

    @Test
    void connectingToNoNodeFailsWithConnection() throws Exception {
        java.net.InetSocketAddress nowhere;
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            nowhere = new java.net.InetSocketAddress("127.0.0.1", socket.getLocalPort());
        }
        b.transport.update(b.transport.settings());
        PeerException failure = assertThrows(PeerException.class, () -> await(b.client.ping(nowhere)));
        assertTrue(failure.code() == ErrorCode.CONNECTION || failure.code() == ErrorCode.TIMEOUT, failure.code().toString());
        assertTrue(Files.isDirectory(dir));
    }
}
