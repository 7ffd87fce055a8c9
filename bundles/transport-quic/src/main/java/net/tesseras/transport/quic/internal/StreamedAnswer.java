package net.tesseras.transport.quic.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerException;
import net.tesseras.transport.quic.internal.wire.Frame;
import net.tesseras.transport.quic.internal.wire.FrameType;
import net.tesseras.transport.quic.internal.wire.Payloads;

/**
 * A FRAGMENT answer streamed from a store's channel with bounded memory: workers read at most
 * {@link #WINDOW} frames ahead of what the stream has taken, the event loop writes them as the
 * stream is writable (QUIC flow control holds it back while the peer is slow), and a new read is
 * handed to a worker when half of them are gone. No file read runs on the event loop and no worker
 * waits for the network. Each read is one frame's payload, so every frame is exactly one chunk.
 *
 * <p>The last frame leaves only once the store's channel has reached its end without error (the
 * store checks the checksum there). A read that fails midway ends the message with an ERROR frame of
 * the same request id instead of its last frame, so the requester never takes a fragment that was
 * cut short or damaged for a whole one (docs/PROTOCOL.md).
 */
final class StreamedAnswer implements Outbound {

    /** Frames read ahead of the stream, per transfer. */
    static final int WINDOW = 4;

    private record Chunk(ByteBuf bytes, boolean last) {
    }

    private final int requestId;
    private final SeekableByteChannel source;
    private final long size;
    private final int framePayload;
    private final Executor executor;
    private final EventLoop loop;
    private final ByteBufAllocator alloc;
    private final TransportMetrics metrics;
    private final Runnable onWritten;
    private final AtomicBoolean sourceClosed = new AtomicBoolean();
    /** Set on the event loop when nobody wants the rest; workers stop reading at the next chunk. */
    private volatile boolean cancelled;

    // Worker only (one read task at a time, handed over through the executor and the event loop).
    private long read;

    // Event loop only.
    private final ArrayDeque<Chunk> chunks = new ArrayDeque<>();
    private Runnable wake = () -> {
    };
    private boolean reading;
    private boolean lastQueued;
    private PeerException failure;
    /** The fragment, as the peer asked for it: what an ERROR names instead of the store's own words. */
    private final String what;
    private boolean cutPending;
    private boolean started;
    private boolean done;
    private boolean finished;

    /**
     * @param what the fragment as the peer knows it, for the reason of an ERROR
     * @param source the fragment's bytes from position 0 (this answer owns and closes it)
     * @param size the fragment's size, announced in the first frame
     * @param framePayload the payload of each frame this answer writes
     * @param onWritten runs once, on the event loop, when the answer is written or dropped
     */
    StreamedAnswer(int requestId, String what, SeekableByteChannel source, long size, int framePayload, Executor executor,
            EventLoop loop, ByteBufAllocator alloc, TransportMetrics metrics, Runnable onWritten) {
        if (framePayload <= Payloads.FRAGMENT_HEADER_LENGTH) {
            throw new IllegalArgumentException("a frame of " + framePayload + " bytes cannot carry the FRAGMENT header");
        }
        this.requestId = requestId;
        this.what = what;
        this.source = source;
        this.size = size;
        this.framePayload = framePayload;
        this.executor = executor;
        this.loop = loop;
        this.alloc = alloc;
        this.metrics = metrics;
        this.onWritten = onWritten;
    }

    /**
     * Worker: reads the first frames, then hands this answer and them to the event loop, where
     * {@code send} queues it on the stream's writer and {@code writer} (its drain) is woken as
     * later frames arrive.
     */
    void begin(Consumer<StreamedAnswer> send, Runnable writer) {
        readTask(WINDOW, () -> {
            wake = writer;
            send.accept(this);
        });
    }

    /** Worker: reads up to {@code credit} frames and hands them to the event loop. */
    private void readTask(int credit, Runnable first) {
        List<Chunk> batch = new ArrayList<>(credit);
        Throwable failed = null;
        boolean end = false;
        try {
            while (batch.size() < credit && !end && !cancelled) {
                Chunk chunk = readChunk();
                batch.add(chunk);
                end = chunk.last;
            }
        } catch (Throwable e) {
            // An Error too (out of memory, say): the peer gets its ERROR, never a silence until its timeout.
            failed = e;
        }
        if (failed != null || end || cancelled) {
            closeSource();
        }
        Throwable failure = failed;
        try {
            loop.execute(() -> {
                first.run();
                arrived(batch, failure);
            });
        } catch (RejectedExecutionException e) {
            // The event loop is shutting down: nobody will write these.
            batch.forEach(chunk -> chunk.bytes.release());
            closeSource();
        }
        if (failure instanceof VirtualMachineError fatal) {
            throw fatal;
        }
    }

    /** Worker: the next frame's payload; the first starts with the FRAGMENT header. */
    private Chunk readChunk() throws IOException {
        boolean first = read == 0;
        int header = first ? Payloads.FRAGMENT_HEADER_LENGTH : 0;
        int want = (int) Math.min(framePayload - header, size - read);
        ByteBuf bytes = alloc.directBuffer(header + want);
        try {
            if (first) {
                Payloads.writeFragmentHeader(bytes, size);
            }
            ByteBuffer target = bytes.nioBuffer(bytes.writerIndex(), want);
            while (target.hasRemaining()) {
                if (source.read(target) < 0) {
                    throw new IOException("the store's fragment ended after " + (read + want - target.remaining()) + " of the " + size
                            + " bytes it announced");
                }
            }
            bytes.writerIndex(bytes.writerIndex() + want);
            read += want;
            boolean last = read == size;
            if (last) {
                confirmEnd();
            }
            return new Chunk(bytes, last);
        } catch (IOException | RuntimeException | Error e) {
            bytes.release();
            throw e;
        }
    }

    /** Worker: reads past the last byte, where the store checks the whole fragment against its checksum. */
    private void confirmEnd() throws IOException {
        ByteBuffer probe = ByteBuffer.allocate(1);
        int n;
        do {
            n = source.read(probe);
        } while (n == 0);
        if (n > 0) {
            throw new IOException("the store's fragment holds more than the " + size + " bytes it announced");
        }
    }

    /** Event loop: frames read by a worker (or its failure). */
    private void arrived(List<Chunk> batch, Throwable readFailure) {
        reading = false;
        if (cancelled) {
            batch.forEach(chunk -> chunk.bytes.release());
            closeSourceOffLoop();
            return;
        }
        for (Chunk chunk : batch) {
            chunks.add(chunk);
            lastQueued |= chunk.last;
        }
        if (readFailure != null) {
            fail(Errors.forPeer(readFailure, what));
        } else {
            refill();
        }
        wake.run();
    }

    /** Event loop: when half the window has been written, a worker reads the next frames. */
    private void refill() {
        if (reading || lastQueued || failure != null || cancelled || chunks.size() > WINDOW / 2) {
            return;
        }
        reading = true;
        int credit = WINDOW - chunks.size();
        try {
            executor.execute(() -> readTask(credit, () -> {
            }));
        } catch (RejectedExecutionException e) {
            reading = false;
            fail(new PeerException(ErrorCode.OVERLOADED, "every worker is busy; the transfer of " + size + " bytes stopped after "
                    + "the frames already sent; retry later"));
            closeSourceOffLoop();
        }
    }

    /** Event loop: the rest will not come; the next frame is an ERROR ending the message. */
    private void fail(PeerException cause) {
        releaseChunks();
        failure = cause;
        metrics.error(cause.code());
    }

    private void releaseChunks() {
        Chunk chunk;
        while ((chunk = chunks.poll()) != null) {
            chunk.bytes.release();
        }
    }

    @Override
    public int requestId() {
        return requestId;
    }

    @Override
    public boolean ready() {
        return !done && (cutPending || failure != null || !chunks.isEmpty());
    }

    @Override
    public Frame next(ByteBufAllocator allocator, int maxPayload) {
        started = true;
        if (cutPending) {
            done = true;
            return new Frame(FrameType.FRAGMENT, 0, requestId, Unpooled.EMPTY_BUFFER);
        }
        if (failure != null) {
            done = true;
            return new Frame(FrameType.ERROR, 0, requestId, Payloads.error(allocator, failure.code(), failure.getMessage()));
        }
        Chunk chunk = chunks.poll();
        done = chunk.last;
        refill();
        return new Frame(FrameType.FRAGMENT, chunk.last ? 0 : Frame.MORE, requestId, chunk.bytes);
    }

    @Override
    public boolean started() {
        return started;
    }

    @Override
    public boolean done() {
        return done;
    }

    @Override
    public void cut() {
        cancelled = true;
        cutPending = true;
        releaseChunks();
        if (!reading) {
            closeSourceOffLoop();
        }
    }

    @Override
    public void written() {
        finish();
    }

    @Override
    public void discard() {
        cancelled = true;
        releaseChunks();
        if (!reading) {
            closeSourceOffLoop();
        }
        finish();
    }

    private void finish() {
        if (!finished) {
            finished = true;
            onWritten.run();
        }
    }

    /** Event loop: closing a store's channel may block (a remote backend); a worker does it. */
    private void closeSourceOffLoop() {
        if (sourceClosed.get()) {
            return;
        }
        try {
            executor.execute(this::closeSource);
        } catch (RejectedExecutionException e) {
            closeSource();
        }
    }

    private void closeSource() {
        if (sourceClosed.compareAndSet(false, true)) {
            try {
                source.close();
            } catch (IOException | RuntimeException ignored) {
                // the fragment was read or abandoned; a failing close changes nothing for the peer
            }
        }
    }
}
