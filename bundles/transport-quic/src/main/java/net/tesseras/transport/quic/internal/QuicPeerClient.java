package net.tesseras.transport.quic.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import net.tesseras.core.Blake3;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerClient;
import net.tesseras.transport.PeerConnectionInfo;
import net.tesseras.transport.PeerException;
import net.tesseras.transport.PeerInfo;
import net.tesseras.transport.PeerMessage;
import net.tesseras.transport.quic.internal.BufferedResponse.Response;
import net.tesseras.transport.quic.internal.StreamedFragment.Download;
import net.tesseras.transport.quic.internal.wire.FrameType;
import net.tesseras.transport.quic.internal.wire.Payloads;

/**
 * {@link PeerClient} over the transport's pooled connections. Answers arrive on the event loop and
 * are decoded, verified and written to disk on a small client executor, never on the event loop.
 */
public final class QuicPeerClient implements PeerClient, AutoCloseable {

    private static final int COPY_CHUNK = 64 * 1024;

    private final QuicTransport transport;
    private final ExecutorService callbacks;

    public QuicPeerClient(QuicTransport transport) {
        this.transport = transport;
        this.callbacks = Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "tesseras-peer-client");
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public CompletionStage<PeerInfo> ping(InetSocketAddress peer) {
        return transport.connection(peer).thenCompose(connection -> {
            long sent = System.nanoTime();
            return send(connection, FrameType.PING, Unpooled.EMPTY_BUFFER, settings().maxMessageBytes()).thenApplyAsync(response -> {
                long roundTrip = System.nanoTime() - sent;
                Payloads.Pong pong = decode(response, FrameType.PONG, Payloads::readPong);
                if (!pong.nodeId().equals(connection.peer())) {
                    throw new PeerException(ErrorCode.UNAUTHENTICATED,
                            "the peer authenticated as " + connection.peer() + " but claims to be " + pong.nodeId());
                }
                return new PeerInfo(connection.peer(), pong.version(), pong.capabilities(), Duration.ofNanos(roundTrip));
            }, callbacks);
        });
    }

    @Override
    public CompletionStage<ByteBuffer> get(InetSocketAddress peer, FragmentId id) {
        ByteBuf request = Payloads.get(ByteBufAllocator.DEFAULT, id.tessera(), id.index());
        long limit = settings().maxFragmentBytes() + Payloads.FRAGMENT_HEADER_LENGTH;
        return call(peer, FrameType.GET_FRAGMENT, request, limit, true, response -> decode(response, FrameType.FRAGMENT, body -> {
            long size = Payloads.readFragmentHeader(body);
            if (size != body.readableBytes()) {
                throw new PeerException(ErrorCode.MALFORMED, "FRAGMENT announces " + size + " bytes and carries " + body.readableBytes());
            }
            ByteBuffer bytes = ByteBuffer.allocate((int) size);
            body.readBytes(bytes);
            bytes.flip();
            ContentHash actual = Blake3Hashing.hash(bytes);
            if (!actual.equals(id.checksum())) {
                throw new PeerException(ErrorCode.CHECKSUM_MISMATCH,
                        "fragment " + id + " from " + peer + " hashes to " + actual + ", expected " + id.checksum());
            }
            return bytes.asReadOnlyBuffer();
        }));
    }

    @Override
    public CompletionStage<FragmentInfo> fetch(InetSocketAddress peer, ContentHash tessera, int index, Path target) {
        return list(peer, tessera).thenCompose(fragments -> {
            FragmentInfo info = fragments.stream().filter(f -> f.id().index() == index).findFirst()
                    .orElseThrow(() -> new PeerException(ErrorCode.NOT_FOUND,
                            "the node at " + peer + " lists no fragment " + tessera.toShortHex(12) + "/" + index));
            long limit = settings().maxFragmentBytes();
            if (info.size() > limit) {
                // Refused before a byte of it is requested.
                throw new PeerException(ErrorCode.TOO_LARGE, "fragment " + tessera.toShortHex(12) + "/" + index + " at " + peer + " has "
                        + info.size() + " bytes, above this node's max.fragment.mb (" + limit + " bytes); raise max.fragment.mb in"
                        + " etc/net.tesseras.transport.cfg to fetch it");
            }
            return transport.connection(peer).thenCompose(connection -> {
                TransportSettings current = settings();
                StreamedFragment sink = new StreamedFragment(current.maxFragmentBytes(),
                        4L * current.maxFramePayload(), current.requestTimeout().toNanos());
                // A stream of its own: the transfer neither waits behind nor holds up other requests,
                // and a refusal midway stops only this stream.
                connection.request(FrameType.GET_FRAGMENT, Payloads.get(ByteBufAllocator.DEFAULT, tessera, index), sink, current, true);
                return sink.future().thenApplyAsync(download -> save(download, info, target), callbacks);
            });
        });
    }

    /** Client worker: streams the download to a temporary file, hashing as it goes, then moves it in place. */
    private static FragmentInfo save(Download download, FragmentInfo expected, Path target) {
        Path directory = target.toAbsolutePath().getParent();
        Path temp = null;
        try (ChunkPipe data = download.data()) {
            Files.createDirectories(directory);
            temp = Files.createTempFile(directory, "." + target.getFileName(), ".part");
            Blake3 hasher = new Blake3();
            long written = 0;
            ByteBuffer buffer = ByteBuffer.allocate(COPY_CHUNK);
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                while (data.read(buffer) >= 0) {
                    buffer.flip();
                    hasher.update(buffer.duplicate());
                    written += buffer.remaining();
                    while (buffer.hasRemaining()) {
                        out.write(buffer);
                    }
                    buffer.clear();
                }
                out.force(true);
            }
            ContentHash actual = Blake3Hashing.finish(hasher);
            if (written != expected.size() || !actual.equals(expected.id().checksum())) {
                throw new PeerException(ErrorCode.CHECKSUM_MISMATCH, "fragment " + expected.id() + ": received " + written + " bytes hashing to "
                        + actual + ", the peer's index lists " + expected.size() + " bytes with checksum " + expected.id().checksum());
            }
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            temp = null;
            return expected;
        } catch (IOException e) {
            ErrorCode code = e.getCause() instanceof PeerException peer ? peer.code() : ErrorCode.CONNECTION;
            throw new PeerException(code, "fetching " + expected.id() + " into " + target + " failed: " + e.getMessage(), e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // best effort: a stray .part file is harmless and named after its target
                }
            }
        }
    }

    @Override
    public CompletionStage<Void> put(InetSocketAddress peer, FragmentId id, ByteBuffer data) {
        ByteBuf header = ByteBufAllocator.DEFAULT.buffer(Payloads.PUT_HEADER_LENGTH);
        Payloads.writePutHeader(header, id, data.remaining());
        ByteBuf body = Unpooled.wrappedBuffer(header, Unpooled.wrappedBuffer(data.duplicate()));
        return call(peer, FrameType.PUT_FRAGMENT, body, settings().maxMessageBytes(),
                response -> decode(response, FrameType.PUT_OK, ignored -> null));
    }

    @Override
    public CompletionStage<List<FragmentInfo>> list(InetSocketAddress peer, ContentHash tessera) {
        return call(peer, FrameType.LIST_FRAGMENTS, Payloads.list(ByteBufAllocator.DEFAULT, tessera), settings().maxMessageBytes(),
                response -> decode(response, FrameType.FRAGMENT_LIST, body -> Payloads.readFragmentList(body, tessera)));
    }

    @Override
    public CompletionStage<PeerMessage> request(InetSocketAddress peer, PeerMessage message) {
        return call(peer, message.type(), Unpooled.wrappedBuffer(message.payload().duplicate()), settings().maxMessageBytes(), response -> {
            // Copied out and released, as decode() does for the core answers (it was leaked before).
            try {
                throwIfError(response);
                byte[] bytes = new byte[response.body().readableBytes()];
                response.body().readBytes(bytes);
                return new PeerMessage(response.type(), ByteBuffer.wrap(bytes).asReadOnlyBuffer());
            } finally {
                response.body().release();
            }
        });
    }

    @Override
    public List<PeerConnectionInfo> connections() {
        return transport.pool().entries().stream()
                .map(e -> new PeerConnectionInfo(e.peer(), e.address(), e.outbound(), e.idle(), e.connection().inFlight()))
                .toList();
    }

    private <T> CompletableFuture<T> call(InetSocketAddress peer, int type, ByteBuf body, long limit, Function<Response, T> decoder) {
        return call(peer, type, body, limit, false, decoder);
    }

    private <T> CompletableFuture<T> call(InetSocketAddress peer, int type, ByteBuf body, long limit, boolean ownStream,
            Function<Response, T> decoder) {
        return transport.connection(peer)
                .whenComplete((connection, failure) -> {
                    if (failure != null) {
                        body.release();
                    }
                })
                .thenCompose(connection -> send(connection, type, body, limit, ownStream))
                .thenApplyAsync(decoder, callbacks);
    }

    private CompletableFuture<Response> send(NodeConnection connection, int type, ByteBuf body, long limit) {
        return send(connection, type, body, limit, false);
    }

    private CompletableFuture<Response> send(NodeConnection connection, int type, ByteBuf body, long limit, boolean ownStream) {
        BufferedResponse sink = new BufferedResponse(limit);
        connection.request(type, body, sink, settings(), ownStream);
        return sink.future();
    }

    private static <T> T decode(Response response, int expectedType, Function<ByteBuf, T> reader) {
        try {
            throwIfError(response);
            if (response.type() != expectedType) {
                throw new PeerException(ErrorCode.MALFORMED,
                        "expected " + FrameType.name(expectedType) + ", the peer answered " + FrameType.name(response.type()));
            }
            return reader.apply(response.body());
        } finally {
            response.body().release();
        }
    }

    private static void throwIfError(Response response) {
        if (response.type() == FrameType.ERROR) {
            throw Payloads.readError(response.body());
        }
        if (response.type() == FrameType.OVERLOADED) {
            throw new PeerException(ErrorCode.OVERLOADED, "the peer is overloaded; retry later");
        }
    }

    private TransportSettings settings() {
        return transport.settings();
    }

    @Override
    public void close() {
        callbacks.shutdownNow();
    }
}
