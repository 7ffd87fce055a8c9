package net.tesseras.transport.quic.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Hands a fragment's chunks from the network thread that receives them to the worker that stores
 * or writes them, with bounded memory: above {@code highWater} queued bytes the stream stops
 * reading (QUIC flow control then holds the sender back), and reads resume once the worker has
 * drained below half of it. Netty has no blocking channel view of a stream; this is that view.
 */
final class ChunkPipe implements ReadableByteChannel {

    private final Channel stream;
    private final long size;
    private final long highWater;
    private final long timeoutNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition readable = lock.newCondition();
    private final ArrayDeque<ByteBuf> chunks = new ArrayDeque<>();
    private long queued;
    private long offered;
    private boolean finished;
    private IOException failure;
    private boolean closed;
    private boolean paused;

    /** A pipe for a fragment the peer announced as {@code size} bytes. */
    ChunkPipe(Channel stream, long size, long highWater, long timeoutNanos) {
        this.stream = stream;
        this.size = size;
        this.highWater = highWater;
        this.timeoutNanos = timeoutNanos;
    }

    /**
     * Network thread: queues a chunk (taking ownership of the reference). Bytes beyond the
     * announced size fail the pipe instead.
     */
    void offer(ByteBuf chunk) {
        offered += chunk.readableBytes();
        if (offered > size) {
            chunk.release();
            fail(new IOException("the peer sent more than the " + size + " bytes it announced"));
            return;
        }
        if (!chunk.isReadable()) {
            chunk.release();
            return;
        }
        lock.lock();
        try {
            if (closed || failure != null) {
                chunk.release();
                return;
            }
            chunks.add(chunk);
            queued += chunk.readableBytes();
            if (queued > highWater && !paused) {
                paused = true;
                stream.config().setAutoRead(false);
            }
            readable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Network thread: the last chunk has been offered. */
    void finish() {
        lock.lock();
        try {
            finished = true;
            readable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Network thread: bytes offered so far. */
    long offered() {
        return offered;
    }

    /** Network thread: the stream broke off; the reader sees this as an I/O error. */
    void fail(IOException cause) {
        lock.lock();
        try {
            if (failure == null) {
                failure = cause;
            }
            readable.signalAll();
        } finally {
            lock.unlock();
        }
        resume();
    }

    @Override
    public int read(ByteBuffer target) throws IOException {
        lock.lock();
        try {
            long deadline = System.nanoTime() + timeoutNanos;
            while (chunks.isEmpty()) {
                if (closed) {
                    throw new ClosedChannelException();
                }
                if (failure != null) {
                    throw failure;
                }
                if (finished) {
                    return -1;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IOException("no data from the peer for " + TimeUnit.NANOSECONDS.toSeconds(timeoutNanos) + " s");
                }
                try {
                    readable.awaitNanos(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for the peer's data");
                }
            }
            int copied = 0;
            while (target.hasRemaining() && !chunks.isEmpty()) {
                ByteBuf head = chunks.peek();
                int n = Math.min(target.remaining(), head.readableBytes());
                int limit = target.limit();
                target.limit(target.position() + n);
                head.readBytes(target);
                target.limit(limit);
                copied += n;
                if (!head.isReadable()) {
                    chunks.poll().release();
                }
            }
            queued -= copied;
            if (paused && queued <= highWater / 2) {
                paused = false;
                resume();
            }
            return copied;
        } finally {
            lock.unlock();
        }
    }

    private void resume() {
        if (stream.isActive()) {
            stream.eventLoop().execute(() -> stream.config().setAutoRead(true));
        }
    }

    @Override
    public boolean isOpen() {
        lock.lock();
        try {
            return !closed;
        } finally {
            lock.unlock();
        }
    }

    /** Releases whatever is still queued; later chunks are dropped. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            chunks.forEach(ByteBuf::release);
            chunks.clear();
            queued = 0;
            readable.signalAll();
        } finally {
            lock.unlock();
        }
        if (paused) {
            resume();
        }
    }
}
