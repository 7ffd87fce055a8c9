package net.tesseras.transport.quic.internal;

import io.netty.buffer.ByteBufAllocator;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import net.tesseras.core.ContentHash;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerException;
import net.tesseras.transport.quic.internal.wire.FrameType;
import net.tesseras.transport.quic.internal.wire.Payloads;

/**
 * GET requests without verification or copying, over connections of their own: what the load
 * generator in bench/ measures the server with. Not for the node's own use ({@link QuicPeerClient}
 * verifies what it reads).
 */
public final class RawRequests {

    private final QuicTransport transport;

    public RawRequests(QuicTransport transport) {
        this.transport = transport;
    }

    /** A dedicated connection to {@code address}. */
    public CompletableFuture<Object> connect(InetSocketAddress address) {
        return transport.openDedicated(address).thenApply(connection -> connection);
    }

    /**
     * One GET on {@code connection} (from {@link #connect}); completes on the network thread with
     * the number of fragment bytes received.
     */
    public CompletableFuture<Integer> get(Object connection, ContentHash tessera, int index) {
        BufferedResponse sink = new BufferedResponse(transport.settings().maxFragmentBytes() + Payloads.FRAGMENT_HEADER_LENGTH);
        ((NodeConnection) connection).request(FrameType.GET_FRAGMENT, Payloads.get(ByteBufAllocator.DEFAULT, tessera, index), sink,
                transport.settings());
        return sink.future().thenApply(response -> {
            try {
                if (response.type() != FrameType.FRAGMENT) {
                    throw new PeerException(ErrorCode.MALFORMED, "answer " + FrameType.name(response.type()));
                }
                return response.body().readableBytes() - Payloads.FRAGMENT_HEADER_LENGTH;
            } finally {
                response.body().release();
            }
        });
    }
}
