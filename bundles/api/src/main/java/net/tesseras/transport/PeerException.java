package net.tesseras.transport;

import java.util.Objects;

/** A request to a peer failed; {@link #code()} says why, the message says what and with which input. */
public class PeerException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public PeerException(ErrorCode code, String message) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
    }

    public PeerException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    public ErrorCode code() {
        return code;
    }
}
