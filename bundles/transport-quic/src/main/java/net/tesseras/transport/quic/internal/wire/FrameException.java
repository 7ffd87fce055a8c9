package net.tesseras.transport.quic.internal.wire;

import net.tesseras.transport.ErrorCode;

/**
 * A frame could not be accepted. {@link #fatal()} tells whether the stream can go on: after a
 * header that cannot be trusted the byte stream has no boundary to resume from.
 */
public final class FrameException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final int requestId;
    private final boolean fatal;

    public FrameException(ErrorCode code, int requestId, boolean fatal, String message) {
        super(message);
        this.code = code;
        this.requestId = requestId;
        this.fatal = fatal;
    }

    public ErrorCode code() {
        return code;
    }

    public int requestId() {
        return requestId;
    }

    public boolean fatal() {
        return fatal;
    }
}
