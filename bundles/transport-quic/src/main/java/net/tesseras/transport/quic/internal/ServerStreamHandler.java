package net.tesseras.transport.quic.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.DecoderException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerException;
import net.tesseras.transport.PeerMessage;
import net.tesseras.transport.PeerRequest;
import net.tesseras.transport.WriteGuard;
import net.tesseras.transport.quic.internal.wire.Frame;
import net.tesseras.transport.quic.internal.wire.FrameException;
import net.tesseras.transport.quic.internal.wire.FrameType;
import net.tesseras.transport.quic.internal.wire.Payloads;
import net.tesseras.transport.quic.internal.wire.Payloads.PutHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the requests a peer sends on one stream: each frame is parsed on the event loop, the
 * work runs on the bounded request executor (a GET of a fragment the store holds in memory is
 * answered on the event loop at once; any other is streamed from the store's channel by workers
 * with bounded memory, see {@link StreamedAnswer}), and answers go back through the stream's
 * {@link MessageWriter} in whatever order they finish. A message spread over several frames is
 * assembled (bounded) or, for PUT, streamed to the store. A malformed frame costs the request or,
 * if the stream cannot be resynchronised, the stream; never the connection.
 */
final class ServerStreamHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(ServerStreamHandler.class);

    /** Continuation frames of a message in progress. */
    private interface Continuation {
        void accept(Frame frame);

        void end();

        void abort();
    }

    private static final Continuation DISCARD = new Continuation() {
        @Override
        public void accept(Frame frame) {
        }

        @Override
        public void end() {
        }

        @Override
        public void abort() {
        }
    };

    private final NodeConnection connection;
    private final RequestRouter router;
    private final RequestExecutor executor;
    private final TransportMetrics metrics;
    private final Map<Integer, Continuation> partial = new HashMap<>();
    private ChannelHandlerContext ctx;
    private MessageWriter writer;
    private int open;
    private boolean inputShutdown;

    ServerStreamHandler(NodeConnection connection, RequestRouter router, RequestExecutor executor, TransportMetrics metrics) {
        this.connection = connection;
        this.router = router;
        this.executor = executor;
        this.metrics = metrics;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.writer = new MessageWriter(ctx, router.settings().maxFramePayload());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Frame frame = (Frame) msg;
        try {
            Continuation ongoing = partial.get(frame.requestId());
            if (ongoing != null) {
                continueMessage(frame, ongoing);
            } else {
                start(frame);
            }
        } finally {
            frame.release();
        }
    }

    private void continueMessage(Frame frame, Continuation ongoing) {
        ongoing.accept(frame);
        if (!frame.more()) {
            partial.remove(frame.requestId());
            ongoing.end();
        }
    }

    private void start(Frame frame) {
        int id = frame.requestId();
        long started = System.nanoTime();
        if (!connection.tryStartServing(router.settings().maxInFlight())) {
            dropRest(frame);
            overloaded(id);
            return;
        }
        open++;
        Request request = new Request(id, frame.type(), started);
        try {
            switch (frame.type()) {
                case FrameType.PING -> {
                    if (frame.content().isReadable() || frame.more()) {
                        throw new PeerException(ErrorCode.MALFORMED, "PING carries no payload");
                    }
                    request.reply(FrameType.PONG, router.pong(ctx.alloc()));
                }
                case FrameType.PUT_FRAGMENT -> startUpload(frame, request);
                case FrameType.GET_FRAGMENT, FrameType.LIST_FRAGMENTS -> whole(frame, request);
                default -> {
                    if (!router.handles(frame.type())) {
                        throw new PeerException(ErrorCode.UNKNOWN_TYPE, "message type 0x" + Integer.toHexString(frame.type())
                                + " is not served here" + (isResponseType(frame.type()) ? " (it is an answer, not a request)" : ""));
                    }
                    whole(frame, request);
                }
            }
        } catch (RuntimeException e) {
            dropRest(frame);
            request.fail(e);
        }
    }

    /** Runs a request once all its frames are in (most fit in one). */
    private void whole(Frame frame, Request request) {
        if (!frame.more()) {
            dispatch(request, frame.content().retain());
            return;
        }
        long limit = router.settings().maxMessageBytes();
        CompositeByteBuf body = ctx.alloc().compositeBuffer(Integer.MAX_VALUE);
        body.addComponent(true, frame.content().retain());
        partial.put(request.id, new Continuation() {
            private boolean tooLarge;

            @Override
            public void accept(Frame next) {
                if (tooLarge) {
                    return;
                }
                if ((long) body.readableBytes() + next.content().readableBytes() > limit) {
                    tooLarge = true;
                    body.release();
                    request.fail(new PeerException(ErrorCode.TOO_LARGE, "message exceeds max.message.kb (" + limit + " bytes)"));
                    return;
                }
                body.addComponent(true, next.content().retain());
            }

            @Override
            public void end() {
                if (!tooLarge) {
                    dispatch(request, body);
                }
            }

            @Override
            public void abort() {
                if (!tooLarge) {
                    body.release();
                }
            }
        });
    }

    private void dispatch(Request request, ByteBuf payload) {
        if (request.type == FrameType.GET_FRAGMENT) {
            get(request, payload);
            return;
        }
        try {
            executor.execute(() -> {
                try {
                    request.reply(answer(request, payload));
                } catch (Throwable e) {
                    request.failThenRethrowFatal(e);
                } finally {
                    payload.release();
                }
            });
        } catch (RejectedExecutionException e) {
            payload.release();
            request.overloaded();
        }
    }

    /**
     * Event loop: a fragment the store holds in memory is answered at once, without the hop to a
     * worker; any other is opened and streamed by workers.
     */
    private void get(Request request, ByteBuf payload) {
        Payloads.FragmentRef ref;
        ByteBuf hit;
        try {
            ref = Payloads.readGet(payload);
        } catch (RuntimeException e) {
            request.fail(e);
            payload.release();
            return;
        }
        try {
            hit = router.getIfInMemory(ctx.alloc(), ref);
        } catch (Throwable e) {
            // On the event loop even an Error is only answered: thrown on, it would close the stream before the answer.
            request.what = fragment(ref);
            request.fail(e);
            return;
        } finally {
            payload.release();
        }
        if (hit != null) {
            request.reply(FrameType.FRAGMENT, hit);
            return;
        }
        try {
            executor.execute(() -> stream(request, ref));
        } catch (RejectedExecutionException e) {
            request.overloaded();
        }
    }

    /** Worker thread: opens the fragment and starts streaming it. */
    private void stream(Request request, Payloads.FragmentRef ref) {
        SeekableByteChannel channel = null;
        request.what = fragment(ref);
        try {
            channel = router.open(ref);
            StreamedAnswer answer = new StreamedAnswer(request.id, request.what, channel, channel.size(), router.settings().maxFramePayload(), executor,
                    ctx.channel().eventLoop(), ctx.alloc(), metrics, request::finished);
            channel = null;
            answer.begin(writer::send, writer::drain);
        } catch (Throwable e) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException | RuntimeException ignored) {
                    // the request already failed; the close changes nothing for the peer
                }
            }
            request.failThenRethrowFatal(e);
        }
    }

    /** A fragment as the peer asked for it, for the reason of an ERROR. */
    private static String fragment(Payloads.FragmentRef ref) {
        return "fragment " + ref.tessera().toHex() + "/" + ref.index();
    }

    /** Worker thread: the answer to a whole request. */
    private Outgoing answer(Request request, ByteBuf payload) {
        switch (request.type) {
            case FrameType.LIST_FRAGMENTS:
                return request.outgoing(FrameType.FRAGMENT_LIST, router.list(ctx.alloc(), Payloads.readList(payload)));
            default:
                byte[] bytes = new byte[payload.readableBytes()];
                payload.readBytes(bytes);
                PeerMessage message = new PeerMessage(request.type, ByteBuffer.wrap(bytes).asReadOnlyBuffer());
                PeerMessage response = router.extension(new PeerRequest(connection.peer(), connection.remoteAddress(), message));
                return request.outgoing(response.type(), Unpooled.wrappedBuffer(response.payload()));
        }
    }

    private void startUpload(Frame frame, Request request) {
        ByteBuf content = frame.content();
        PutHeader header = Payloads.readPutHeader(content);
        WriteGuard guard = router.admitPut(connection.peer(), header);
        TransportSettings settings = router.settings();
        ChunkPipe pipe = new ChunkPipe(ctx.channel(), header.size(), 4L * settings.maxFramePayload(), settings.requestTimeout().toNanos());
        Upload upload = new Upload(header.size(), pipe);
        upload.accept(frame);
        if (frame.more()) {
            partial.put(request.id, upload);
        } else {
            upload.end();
        }
        try {
            executor.execute(() -> {
                try (pipe) {
                    if (guard != null) {
                        // Before the store reads a byte: a refusal's code and reason go to the sender.
                        guard.admit(connection.peer(), header.id(), header.size());
                    }
                    FragmentInfo stored = router.store(header, pipe);
                    if (guard != null) {
                        tellStored(guard, stored);
                    }
                    request.reply(FrameType.PUT_OK, Unpooled.EMPTY_BUFFER);
                } catch (Throwable e) {
                    request.failThenRethrowFatal(e);
                }
            });
        } catch (RejectedExecutionException e) {
            pipe.close();
            partial.replace(request.id, DISCARD);
            request.overloaded();
        }
    }

    /**
     * Tells the guard the fragment is stored (before the sender is answered, so its credit is recorded
     * when the sender sees PUT_OK). The fragment is stored whatever the guard does with it, so a guard
     * failure is logged, not turned into an ERROR the sender would retry.
     */
    private void tellStored(WriteGuard guard, FragmentInfo stored) {
        try {
            guard.stored(connection.peer(), stored);
        } catch (RuntimeException e) {
            LOG.error("the replication service failed to record fragment {}/{} stored for {}: {}", stored.id().tessera().toHex(),
                    stored.id().index(), connection.peer(), e.toString(), e);
        }
    }

    /** The bytes of one PUT, handed to the storing worker as they arrive. */
    private static final class Upload implements Continuation {
        private final long size;
        private final ChunkPipe pipe;

        Upload(long size, ChunkPipe pipe) {
            this.size = size;
            this.pipe = pipe;
        }

        @Override
        public void accept(Frame frame) {
            pipe.offer(frame.content().retain());
        }

        @Override
        public void end() {
            pipe.finish();
        }

        @Override
        public void abort() {
            pipe.fail(new IOException("the stream closed after " + pipe.offered() + " of " + size + " bytes"));
        }
    }

    private void dropRest(Frame frame) {
        if (frame.more()) {
            partial.put(frame.requestId(), DISCARD);
        }
    }

    private void overloaded(int id) {
        metrics.error(ErrorCode.OVERLOADED);
        writer.send(Outgoing.empty(FrameType.OVERLOADED, id, null));
    }

    private static boolean isResponseType(int type) {
        return switch (type) {
            case FrameType.PONG, FrameType.FRAGMENT, FrameType.PUT_OK, FrameType.FRAGMENT_LIST, FrameType.ERROR,
                    FrameType.OVERLOADED -> true;
            default -> false;
        };
    }

    /** One request being served: answers from any thread are handed to the event loop. */
    private final class Request {
        private final int id;
        private final int type;
        private final long started;
        /** What failed, for the peer: the request type unless a fragment is known. */
        volatile String what;

        Request(int id, int type, long started) {
            this.id = id;
            this.type = type;
            this.started = started;
            this.what = FrameType.name(type);
        }

        Outgoing outgoing(int responseType, ByteBuf body) {
            return new Outgoing(responseType, id, body, this::finished);
        }

        void reply(int responseType, ByteBuf body) {
            reply(outgoing(responseType, body));
        }

        void reply(Outgoing answer) {
            if (ctx.executor().inEventLoop()) {
                writer.send(answer);
            } else {
                ctx.executor().execute(() -> writer.send(answer));
            }
        }

        /**
         * Any thread: answers ERROR, INTERNAL for an Error (out of memory, say), so the peer never
         * waits for its timeout; an Error of the virtual machine is thrown on once answered.
         */
        void failThenRethrowFatal(Throwable failure) {
            fail(failure);
            if (failure instanceof VirtualMachineError fatal) {
                throw fatal;
            }
        }

        void fail(Throwable failure) {
            PeerException error = Errors.forPeer(failure, what);
            metrics.error(error.code());
            reply(FrameType.ERROR, Payloads.error(ctx.alloc(), error.code(), error.getMessage()));
        }

        void overloaded() {
            metrics.error(ErrorCode.OVERLOADED);
            reply(Outgoing.empty(FrameType.OVERLOADED, id, this::finished));
        }

        /** Event loop: the answer is written (or dropped with the stream). */
        private void finished() {
            connection.doneServing();
            if (!(type == FrameType.PING && id == NodeConnection.KEEPALIVE_ID)) {
                metrics.served(type, System.nanoTime() - started);
            }
            open--;
            closeIfDone();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        writer.drain();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof ChannelInputShutdownEvent) {
            inputShutdown = true;
            partial.values().forEach(Continuation::abort);
            partial.clear();
            closeIfDone();
        }
        ctx.fireUserEventTriggered(event);
    }

    /** The peer finished sending (the naive mode's single request) and every answer is out: end our side too. */
    private void closeIfDone() {
        if (inputShutdown && open == 0 && ctx.channel().isActive()) {
            writer.endWhenWritten();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable reason = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (reason instanceof FrameException bad) {
            // The byte stream has no boundary to resume from: answer, then end this stream only.
            metrics.error(bad.code());
            ByteBuf error = Payloads.error(ctx.alloc(), bad.code(), bad.getMessage());
            ctx.writeAndFlush(new Frame(FrameType.ERROR, 0, bad.requestId(), error)).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        partial.values().forEach(Continuation::abort);
        partial.clear();
        writer.discardAll();
        ctx.fireChannelInactive();
    }
}
