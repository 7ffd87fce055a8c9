package net.tesseras.transport.quic.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
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
import net.tesseras.transport.quic.internal.wire.FrameType;

/**
 * One QUIC connection to an authenticated peer, in either direction. It serves the peer's
 * streams and carries this node's requests: pipelined on one long-lived stream, or in the naive
 * mode (and for fragment transfers) on a new stream per request.
 *
 * <p>It also notices when the peer is gone: a request that times out while nothing at all was heard
 * from the peer since it was sent marks the connection dead, and it is evicted at once, so the
 * next request dials anew (a peer that was killed and restarted on the same port knows nothing of
 * this connection and drops its packets silently). Keep-alive PINGs on quiet connections keep
 * QUIC's idle timeout from closing healthy ones; they do not count as use for the pool's reaper.
 */
final class NodeConnection implements Pooled {

    /** The request id of keep-alive PINGs (and their PONGs); requests never use it. */
    static final int KEEPALIVE_ID = 0;

    /** Opens a stream whose pipeline ends in the given client handler. */
    interface StreamFactory {
        ChannelHandler clientStream(NodeConnection connection, ClientStreamHandler handler);
    }

    private final QuicChannel channel;
    private final NodeId peer;
    private final boolean outbound;
    private final StreamFactory streams;
    private final Consumer<NodeConnection> unresponsive;
    private final AtomicInteger serving = new AtomicInteger();
    private final AtomicInteger awaiting = new AtomicInteger();
    private final AtomicInteger nextRequestId = new AtomicInteger();
    private volatile ConnectionPool.Entry<NodeConnection> entry;
    /** When a byte from the peer last arrived on any stream (System.nanoTime). */
    private volatile long lastHeard = System.nanoTime();
    private volatile boolean dead;
    /** Event loop only: the stream pipelined requests share. */
    private Future<QuicStreamChannel> requestStream;
    /** Event loop only: a keep-alive is waiting for its answer. */
    private boolean keepAliveOut;

    /**
     * @param unresponsive called once when a request finds the peer gone (the transport evicts the
     *     connection)
     */
    NodeConnection(QuicChannel channel, NodeId peer, boolean outbound, StreamFactory streams, Consumer<NodeConnection> unresponsive) {
        this.channel = channel;
        this.peer = peer;
        this.outbound = outbound;
        this.streams = streams;
        this.unresponsive = unresponsive;
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

    /** Bytes arrived from the peer: it is alive. */
    void heard() {
        lastHeard = System.nanoTime();
    }

    /** When a byte from the peer last arrived (System.nanoTime). */
    long lastHeardNanos() {
        return lastHeard;
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
        return !dead && channel.isActive();
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
        request(type, body, sink, settings, false);
    }

    /**
     * Sends a request, on a stream of its own if {@code ownStream} (a fragment transfer, which the
     * requester may then refuse midway by stopping that stream without touching other requests).
     */
    void request(int type, ByteBuf body, ResponseSink sink, TransportSettings settings, boolean ownStream) {
        awaiting.incrementAndGet();
        ResponseSink counted = watched(countedSink(sink), System.nanoTime());
        int id = nextRequestId.incrementAndGet();
        if (id == KEEPALIVE_ID) {
            id = nextRequestId.incrementAndGet();
        }
        int requestId = id;
        long timeout = settings.requestTimeout().toNanos();
        StreamKind kind = ownStream ? StreamKind.OWN : settings.pipelined() ? StreamKind.SHARED : StreamKind.SINGLE;
        channel.eventLoop().execute(() -> withStream(kind, settings, counted, stream -> {
            ClientStreamHandler handler = stream.pipeline().get(ClientStreamHandler.class);
            handler.send(requestId, type, body, counted, timeout);
        }, body));
    }

    /**
     * From the transport's keep-alive timer: when nothing was heard from the peer for the
     * keep-alive interval, a PING on a stream of its own (so it never waits behind a transfer). Its
     * PONG keeps both ends' QUIC idle timers from closing a quiet, healthy connection; a dead peer
     * never answers, and QUIC's idle timeout (the peer timeout) closes the connection.
     */
    void keepAlive(TransportSettings settings) {
        channel.eventLoop().execute(() -> {
            if (keepAliveOut || !isOpen() || System.nanoTime() - lastHeard < settings.keepAliveInterval().toNanos()) {
                return;
            }
            keepAliveOut = true;
            // Not watched like a request: a keep-alive waits only a third of the peer timeout, and a busy
            // but live peer may answer later than that. Silence for the whole peer timeout is what closes
            // the connection (QUIC's idle timeout), not a late answer.
            ResponseSink sink = new ResponseSink() {
                @Override
                public boolean onFrame(Frame frame) {
                    keepAliveOut = false;
                    return true;
                }

                @Override
                public void fail(Throwable cause) {
                    keepAliveOut = false;
                }
            };
            // A third of the peer timeout: answered at once by a live peer (PING needs no storage).
            long timeout = settings.keepAliveInterval().toNanos();
            withStream(StreamKind.SINGLE, settings, sink, stream -> {
                ClientStreamHandler handler = stream.pipeline().get(ClientStreamHandler.class);
                handler.send(KEEPALIVE_ID, FrameType.PING, Unpooled.EMPTY_BUFFER, sink, timeout);
            }, Unpooled.EMPTY_BUFFER);
        });
    }

    /** Whether a frame is a keep-alive (a PING or PONG with the keep-alive id): not use of the connection. */
    static boolean isKeepAlive(Frame frame) {
        return frame.requestId() == KEEPALIVE_ID && (frame.type() == FrameType.PING || frame.type() == FrameType.PONG);
    }

    /** A sink that marks the connection dead when its request timed out with the peer silent since it was sent. */
    private ResponseSink watched(ResponseSink sink, long sentAt) {
        return new ResponseSink() {
            @Override
            public boolean onFrame(Frame frame) {
                return sink.onFrame(frame);
            }

            @Override
            public void sentOn(Channel stream) {
                sink.sentOn(stream);
            }

            @Override
            public void fail(Throwable cause) {
                if (cause instanceof PeerException failure && failure.code() == ErrorCode.TIMEOUT && lastHeard - sentAt < 0 && !dead) {
                    dead = true;
                    unresponsive.accept(NodeConnection.this);
                }
                sink.fail(cause);
            }
        };
    }

    private ResponseSink countedSink(ResponseSink sink) {
        return new ResponseSink() {
            private boolean done;

            @Override
            public void sentOn(Channel stream) {
                sink.sentOn(stream);
            }

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

    /** Where a request travels. */
    private enum StreamKind {
        /** The long-lived stream pipelined requests share. */
        SHARED,
        /** A stream of its own, ended (FIN) after the request: the naive mode, keep-alives. */
        SINGLE,
        /** A stream of its own kept open until the answer is in, so the requester can still reset it to refuse the answer. */
        OWN
    }

    private void withStream(StreamKind kind, TransportSettings settings, ResponseSink sink, Consumer<QuicStreamChannel> use, ByteBuf body) {
        Future<QuicStreamChannel> stream;
        if (kind == StreamKind.SHARED) {
            if (requestStream == null || (requestStream.isDone() && (!requestStream.isSuccess() || !requestStream.getNow().isActive()))) {
                requestStream = channel.createStream(QuicStreamType.BIDIRECTIONAL,
                        streams.clientStream(this, new ClientStreamHandler(settings.maxFramePayload(), false, false)));
            }
            stream = requestStream;
        } else {
            stream = channel.createStream(QuicStreamType.BIDIRECTIONAL,
                    streams.clientStream(this, new ClientStreamHandler(settings.maxFramePayload(), true, kind == StreamKind.SINGLE)));
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
