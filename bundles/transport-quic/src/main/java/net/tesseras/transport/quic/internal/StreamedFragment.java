package net.tesseras.transport.quic.internal;

import io.netty.channel.Channel;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerException;
import net.tesseras.transport.quic.internal.wire.Frame;
import net.tesseras.transport.quic.internal.wire.FrameType;
import net.tesseras.transport.quic.internal.wire.Payloads;

/**
 * Receives a FRAGMENT answer as a stream: the future completes with the announced size and a
 * {@link ChunkPipe} as soon as the first frame arrives, and a worker reads the bytes from the
 * pipe while the rest is still on its way, with bounded memory.
 */
final class StreamedFragment implements ResponseSink {

    record Download(long size, ChunkPipe data) {
    }

    private Channel stream;
    private final long maxSize;
    private final long highWater;
    private final long timeoutNanos;
    private final CompletableFuture<Download> future = new CompletableFuture<>();
    private ChunkPipe pipe;

    StreamedFragment(long maxSize, long highWater, long timeoutNanos) {
        this.maxSize = maxSize;
        this.highWater = highWater;
        this.timeoutNanos = timeoutNanos;
    }

    CompletableFuture<Download> future() {
        return future;
    }

    /** The pipe pauses this stream (not the connection) while the worker is behind. */
    @Override
    public void sentOn(Channel requestStream) {
        this.stream = requestStream;
    }

    @Override
    public boolean onFrame(Frame frame) {
        if (pipe == null) {
            if (frame.type() == FrameType.ERROR) {
                future.completeExceptionally(Payloads.readError(frame.content()));
                return true;
            }
            if (frame.type() == FrameType.OVERLOADED) {
                future.completeExceptionally(new PeerException(ErrorCode.OVERLOADED, "the peer is overloaded"));
                return true;
            }
            if (frame.type() != FrameType.FRAGMENT) {
                future.completeExceptionally(new PeerException(ErrorCode.MALFORMED, "expected FRAGMENT, got " + FrameType.name(frame.type())));
                return true;
            }
            long expected = Payloads.readFragmentHeader(frame.content());
            if (expected > maxSize) {
                future.completeExceptionally(new PeerException(ErrorCode.TOO_LARGE,
                        "fragment of " + expected + " bytes exceeds max.fragment.mb (" + maxSize + " bytes)"));
                return true;
            }
            pipe = new ChunkPipe(stream, expected, highWater, timeoutNanos);
            future.complete(new Download(expected, pipe));
        }
        if (frame.type() == FrameType.ERROR) {
            // The server could not finish the fragment (a read error, damaged bytes): what came is discarded.
            PeerException error = Payloads.readError(frame.content());
            pipe.fail(new IOException("the peer stopped sending the fragment: " + error.getMessage(), error));
            return true;
        }
        pipe.offer(frame.content().retain());
        if (!frame.more()) {
            pipe.finish();
            return true;
        }
        return false;
    }

    @Override
    public void fail(Throwable cause) {
        if (pipe != null) {
            pipe.fail(cause instanceof IOException io ? io : new IOException(cause.getMessage(), cause));
        } else {
            future.completeExceptionally(cause);
        }
    }
}
