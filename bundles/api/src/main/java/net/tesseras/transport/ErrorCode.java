package net.tesseras.transport;

/**
 * Why a request failed. The numeric {@link #wire() code} travels in ERROR frames
 * (docs/PROTOCOL.md); codes are never reused for another meaning.
 */
public enum ErrorCode {
    /** The frame could not be parsed: bad header, truncated or inconsistent payload. */
    MALFORMED(1),
    /** The frame names a protocol version this node does not speak. */
    UNSUPPORTED_VERSION(2),
    /** No handler for the message type. */
    UNKNOWN_TYPE(3),
    /** A frame, message or fragment is larger than the receiver accepts. */
    TOO_LARGE(4),
    /** The fragment is not held by the peer. */
    NOT_FOUND(5),
    /** The bytes do not match the announced checksum. */
    CHECKSUM_MISMATCH(6),
    /** The peer's write policy does not accept writes from this node. */
    FORBIDDEN(7),
    /** A different fragment is already stored under the same tessera and index. */
    CONFLICT(8),
    /** The peer's storage is full. */
    INSUFFICIENT_STORAGE(9),
    /** The peer is saturated (its request executor or the in-flight limit); retry later. */
    OVERLOADED(10),
    /** The peer has no storage to serve from right now. */
    UNAVAILABLE(11),
    /** The peer failed in a way it could not describe better. */
    INTERNAL(12),
    /** No answer in time (raised locally). */
    TIMEOUT(13),
    /** The connection could not be opened, or was lost (raised locally). */
    CONNECTION(14),
    /** The peer's certificate is not a valid node certificate (raised locally). */
    UNAUTHENTICATED(15);

    private final int wire;

    ErrorCode(int wire) {
        this.wire = wire;
    }

    public int wire() {
        return wire;
    }

    /** The code for a wire value; unknown values (from a newer peer) map to {@link #INTERNAL}. */
    public static ErrorCode ofWire(int wire) {
        for (ErrorCode code : values()) {
            if (code.wire == wire) {
                return code;
            }
        }
        return INTERNAL;
    }
}
