package net.tesseras.transport.quic.internal;

import static net.tesseras.transport.quic.internal.TwoNodesTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import net.tesseras.identity.NodeIds;
import net.tesseras.core.FragmentId;
import net.tesseras.identity.NodeId;
import net.tesseras.identity.NodeIdentity;
import net.tesseras.identity.internal.KeyPairIdentity;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerException;
import net.tesseras.transport.quic.internal.wire.Frame;
import net.tesseras.transport.quic.internal.wire.FrameDecoder;
import net.tesseras.transport.quic.internal.wire.FrameType;
import net.tesseras.transport.quic.internal.wire.Payloads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad certificates, bad frames, saturation and idleness: each costs only what it must. */
class RobustnessTest {

    @TempDir
    Path dir;

    /** A real key whose certificate carries a nonce that is no proof of work for it. */
    private static NodeIdentity withoutProofOfWork(KeyPairIdentity real) {
        long bad = real.nonce() + 1;
        while (NodeIds.derive(real.publicKey(), bad).isPresent()) {
            bad++;
        }
        long nonce = bad;
        return new Impostor(real, real.publicKey(), nonce);
    }

    /** Presents someone else's public key while signing with its own. */
    private static NodeIdentity withAnotherKey(KeyPairIdentity real, KeyPairIdentity other) {
        return new Impostor(real, other.publicKey(), other.nonce());
    }

    private record Impostor(KeyPairIdentity signer, byte[] publicKey, long nonce) implements NodeIdentity {
        @Override
        public NodeId nodeId() {
            return signer.nodeId();
        }

        @Override
        public byte[] sign(byte[] message) {
            return signer.sign(message);
        }
    }

    @Test
    void peersWithInvalidCertificatesAreRefusedBothWays() throws Exception {
        // In TLS 1.3 a client finishes its side of the handshake before the server has checked its
        // certificate, so an impostor learns of the refusal from the server's close, or, when that
        // one packet does not reach it, from its own request timeout (short here): either way it
        // is never served.
        TransportSettings impostor = TransportSettings.builder().timeouts(Duration.ofSeconds(3), Duration.ofSeconds(3)).build();
        try (TestNode honest = new TestNode(dir.resolve("honest"), TransportSettings.defaults());
                TestNode noWork = new TestNode(dir.resolve("nowork"), impostor, withoutProofOfWork(KeyPairIdentity.generate()));
                TestNode wrongKey = new TestNode(dir.resolve("wrongkey"), impostor,
                        withAnotherKey(KeyPairIdentity.generate(), KeyPairIdentity.generate()))) {
            for (TestNode bad : List.of(noWork, wrongKey)) {
                PeerException asClient = assertThrows(PeerException.class, () -> await(bad.client.ping(honest.address())));
                assertTrue(asClient.code() == ErrorCode.UNAUTHENTICATED || asClient.code() == ErrorCode.CONNECTION
                        || asClient.code() == ErrorCode.TIMEOUT, asClient.toString());
                PeerException asServer = assertThrows(PeerException.class, () -> await(honest.client.ping(bad.address())));
                assertTrue(asServer.code() == ErrorCode.UNAUTHENTICATED || asServer.code() == ErrorCode.CONNECTION, asServer.toString());
            }
            assertTrue(honest.transport.pool().entries().stream().allMatch(e -> e.peer().isEmpty() || !e.connection().isOpen()),
                    "no authenticated connection to an impostor");
            assertEquals(0, honest.transport.pool().entries().stream().filter(e -> e.connection().isOpen()).count());
        }
    }

    /** Sends raw bytes on a new stream of an authenticated connection and collects the answer until the stream closes. */
    private static CompletableFuture<ByteBuf> raw(NodeConnection connection, ByteBuf bytes, boolean finish) throws Exception {
        CompletableFuture<ByteBuf> answer = new CompletableFuture<>();
        ByteBuf collected = Unpooled.buffer();
        QuicStreamChannel stream = connection.channel().createStream(QuicStreamType.BIDIRECTIONAL, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ByteBuf buf = (ByteBuf) msg;
                collected.writeBytes(buf);
                buf.release();
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                if (event instanceof ChannelInputShutdownEvent) {
                    answer.complete(collected); // the node ended its side of the stream
                }
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                answer.complete(collected);
            }
        }).get(5, TimeUnit.SECONDS);
        stream.writeAndFlush(bytes).addListener(f -> {
            if (finish) {
                stream.shutdownOutput();
            }
        });
        return answer;
    }

    private static PeerException errorIn(ByteBuf answer) {
        Frame frame = FrameDecoder.decodeOne(answer, 1 << 20);
        assertEquals(FrameType.ERROR, frame.type(), frame.toString());
        try {
            return Payloads.readError(frame.content());
        } finally {
            frame.release();
        }
    }

    @Test
    void malformedFramesCostOnlyTheirStreamWhileAnotherClientIsServed() throws Exception {
        try (TestNode a = new TestNode(dir.resolve("a"), TransportSettings.defaults());
                TestNode attacker = new TestNode(dir.resolve("attacker"), TransportSettings.defaults());
                TestNode client = new TestNode(dir.resolve("client"), TransportSettings.defaults())) {
            FragmentId id = a.holdRandom(11, 0, 4096);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger served = new AtomicInteger();
            List<Throwable> failures = new ArrayList<>();
            Thread wellFormed = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        await(client.client.get(a.address(), id));
                        served.incrementAndGet();
                    } catch (Exception e) {
                        failures.add(e);
                        return;
                    }
                }
            });
            wellFormed.start();
            NodeConnection connection = await(attacker.transport.connection(a.address()));

            ByteBuf badVersion = Unpooled.buffer().writeByte(9).writeByte(1).writeShort(0).writeInt(77).writeInt(0);
            assertEquals(ErrorCode.UNSUPPORTED_VERSION, errorIn(raw(connection, badVersion, false).get(10, TimeUnit.SECONDS)).code());

            ByteBuf oversized = Unpooled.buffer().writeByte(1).writeByte(3).writeShort(0).writeInt(78).writeInt(Integer.MAX_VALUE);
            PeerException tooLarge = errorIn(raw(connection, oversized, false).get(10, TimeUnit.SECONDS));
            assertEquals(ErrorCode.TOO_LARGE, tooLarge.code());

            ByteBuf truncated = Unpooled.buffer().writeByte(1).writeByte(3).writeShort(0).writeInt(79).writeInt(100).writeBytes(new byte[10]);
            PeerException cut = errorIn(raw(connection, truncated, true).get(10, TimeUnit.SECONDS));
            assertEquals(ErrorCode.MALFORMED, cut.code());

            ByteBuf shortGet = Unpooled.buffer().writeByte(1).writeByte(FrameType.GET_FRAGMENT).writeShort(0).writeInt(80).writeInt(3)
                    .writeBytes(new byte[3]);
            assertEquals(ErrorCode.MALFORMED, errorIn(raw(connection, shortGet, true).get(10, TimeUnit.SECONDS)).code(),
                    "a well-framed request with a bad payload gets an error for that request");

            assertEquals(id.checksum(), net.tesseras.core.Blake3Hashing.hash(await(attacker.client.get(a.address(), id))),
                    "the attacker's connection itself still works");
            Thread.sleep(200);
            stop.set(true);
            wellFormed.join(10_000);
            assertEquals(List.of(), failures);
            assertTrue(served.get() > 0, "the well-formed client was served throughout");
        }
    }

    @Test
    void aSaturatedExecutorAnswersOverloadedInsteadOfQueueing() throws Exception {
        List<BlockingReads> blocking = new ArrayList<>();
        TransportSettings tight = TransportSettings.builder().limits(64 * 1024, 1 << 20, 256, 1, 1).build();
        try (TestNode a = new TestNode(dir.resolve("a"), tight, KeyPairIdentity.generate(), store -> {
            BlockingReads b = new BlockingReads(store);
            blocking.add(b);
            return b;
        }, TransportMetrics.NONE); TestNode b = new TestNode(dir.resolve("b"), TransportSettings.defaults())) {
            FragmentId id = a.holdRandom(12, 0, 100);
            List<CompletableFuture<ByteBuffer>> gets = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                gets.add(b.client.get(a.address(), id).toCompletableFuture());
            }
            // Which requests are refused depends on the order they reach the node: count them.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (gets.stream().filter(CompletableFuture::isDone).count() < 4 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            List<CompletableFuture<ByteBuffer>> refused = gets.stream().filter(CompletableFuture::isDone).toList();
            assertEquals(4, refused.size(), "one running, one queued, the rest refused at once");
            for (CompletableFuture<ByteBuffer> get : refused) {
                assertEquals(ErrorCode.OVERLOADED, assertThrows(PeerException.class, () -> await(get)).code());
            }
            blocking.get(0).release.countDown();
            for (CompletableFuture<ByteBuffer> get : gets) {
                if (!refused.contains(get)) {
                    assertEquals(id.checksum(), net.tesseras.core.Blake3Hashing.hash(await(get)));
                }
            }
        }
    }

    @Test
    void theInFlightLimitPerConnectionIsEnforced() throws Exception {
        List<BlockingReads> blocking = new ArrayList<>();
        TransportSettings limited = TransportSettings.builder().limits(64 * 1024, 1 << 20, 2, 8, 64).build();
        try (TestNode a = new TestNode(dir.resolve("a"), limited, KeyPairIdentity.generate(), store -> {
            BlockingReads b = new BlockingReads(store);
            blocking.add(b);
            return b;
        }, TransportMetrics.NONE); TestNode b = new TestNode(dir.resolve("b"), TransportSettings.defaults())) {
            FragmentId id = a.holdRandom(13, 0, 100);
            CompletableFuture<ByteBuffer> first = b.client.get(a.address(), id).toCompletableFuture();
            CompletableFuture<ByteBuffer> second = b.client.get(a.address(), id).toCompletableFuture();
            Thread.sleep(300);
            PeerException third = assertThrows(PeerException.class, () -> await(b.client.get(a.address(), id)));
            assertEquals(ErrorCode.OVERLOADED, third.code());
            blocking.get(0).release.countDown();
            await(first);
            await(second);
            await(b.client.get(a.address(), id));
        }
    }

    @Test
    void theReaperClosesIdleConnectionsAndAnotherRequestReconnects() throws Exception {
        // The pool is checked right after each ping: an idle timeout of 300 ms let a loaded machine reap
        // the connection before the check (a flake); 2 s leaves the check ample time, the reaper still runs often.
        TransportSettings quickReaper = TransportSettings.builder().pool(16, Duration.ofSeconds(2), Duration.ofMillis(100)).build();
        try (TestNode a = new TestNode(dir.resolve("a"), TransportSettings.defaults());
                TestNode b = new TestNode(dir.resolve("b"), quickReaper)) {
            await(b.client.ping(a.address()));
            assertEquals(1, b.transport.pool().size());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (b.transport.pool().size() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(0, b.transport.pool().size(), "reaped after the idle timeout");
            assertEquals(a.identity.nodeId(), await(b.client.ping(a.address())).nodeId());
            assertEquals(1, b.transport.pool().size());
        }
    }
}
