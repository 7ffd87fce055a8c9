package net.tesseras.transport.quic.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.util.concurrent.Future;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import net.tesseras.identity.NodeId;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerException;
import net.tesseras.transport.quic.internal.pool.ConnectionPool;
import net.tesseras.transport.quic.internal.pool.Pooled;
import net.tesseras.transport.quic.internal.wire.Frame;

/**
 * One QUIC connection to an authenticated peer, in either direction. It serves the peer's
 * streams and carries this node's requests: pipelined on one long-lived stream, or in the naive
 * mode on a new stream per request.
 */
final class NodeConnection implements Pooled {

    /** Opens a stream whose pipeline ends in the given client handler. */
    interface StreamFactory {
        ChannelHandler clientStream(NodeConnection connection, ClientStreamHandler handler);
    }

    private final QuicChannel channel;
    private final NodeId peer;
    private final boolean outbound;
    private final StreamFactory streams;
    private final AtomicInteger serving = new AtomicInteger();
    private final AtomicInteger awaiting = new AtomicInteger();
    private final AtomicInteger nextRequestId = new AtomicInteger();
    private volatile ConnectionPool.Entry<NodeConnection> entry;
    /** Event loop only: the stream pipelined requests share. */
    private Future<QuicStreamChannel> requestStream;

    NodeConnection(QuicChannel channel, NodeId peer, boolean outbound, StreamFactory streams) {
        this.channel = channel;
        this.peer = peer;
        this.outbound = outbound;
        this.streams = streams;
    }

    void entry(ConnectionPool.Entry<NodeConnection> entry) {
        this.entry = entry;
        entry.peer(peer);
    }

    NodeId peer() {
        return peer;
    }

    SocketAddress remoteAddress() {
        SocketAddress address = channel.remoteSocketAddress();
        return address != null ? address : channel.remoteAddress();
    }

    QuicChannel channel() {
        return channel;
    }

    void touch() {
        ConnectionPool.Entry<NodeConnection> current = entry;
        if (current != null) {
            current.touch();
        }
    }

    boolean tryStartServing(int max) {
        while (true) {
            int now = serving.get();
            if (now >= max) {
                return false;
            }
            if (serving.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    void doneServing() {
        serving.decrementAndGet();
    }

    @Override
    public int inFlight() {
        return serving.get() + awaiting.get();
    }

    @Override
    public boolean isOpen() {
        return channel.isActive();
    }

    @Override
    public void close(String reason) {
        channel.close(true, 0, Unpooled.copiedBuffer(reason, StandardCharsets.US_ASCII));
    }

    /**
     * Sends a request (taking ownership of {@code body}); the sink gets the answer's frames on the
     * event loop, or a failure.
     */
    void request(int type, ByteBuf body, ResponseSink sink, TransportSettings settings) {
        awaiting.incrementAndGet();
        ResponseSink counted = countedSink(sink);
        int id = nextRequestId.incrementAndGet();
        long timeout = settings.requestTimeout().toNanos();
        channel.eventLoop().execute(() -> withStream(settings, counted, stream -> {
            ClientStreamHandler handler = stream.pipeline().get(ClientStreamHandler.class);
            handler.send(id, type, body, counted, timeout);
        }, body));
    }

    private ResponseSink countedSink(ResponseSink sink) {
        return new ResponseSink() {
            private boolean done;

            @Override
            public boolean onFrame(Frame frame) {
                boolean complete = sink.onFrame(frame);
                if (complete) {
                    finish();
                }
                return complete;
            }

            @Override
            public void fail(Throwable cause) {
                finish();
                sink.fail(cause);
            }

            private void finish() {
                if (!done) {
                    done = true;
                    awaiting.decrementAndGet();
                }
            }
        };
    }

    private void withStream(TransportSettings settings, ResponseSink sink, Consumer<QuicStreamChannel> use, ByteBuf body) {
        Future<QuicStreamChannel> stream;
        if (settings.pipelined()) {
            if (requestStream == null || (requestStream.isDone() && (!requestStream.isSuccess() || !requestStream.getNow().isActive()))) {
                requestStream = channel.createStream(QuicStreamType.BIDIRECTIONAL,
                        streams.clientStream(this, new ClientStreamHandler(settings.maxFramePayload(), false)));
            }
            stream = requestStream;
        } else {
            stream = channel.createStream(QuicStreamType.BIDIRECTIONAL,
                    streams.clientStream(this, new ClientStreamHandler(settings.maxFramePayload(), true)));
        }
        stream.addListener(done -> {
            if (done.isSuccess()) {
                use.accept(stream.getNow());
            } else {
                body.release();
                sink.fail(new PeerException(ErrorCode.CONNECTION, "cannot open a stream to " + peer + ": " + done.cause().getMessage(),
                        done.cause()));
            }
        });
    }

    @Override
    public String toString() {
        return (outbound ? "to " : "from ") + peer + " at " + remoteAddress();
    }
}
