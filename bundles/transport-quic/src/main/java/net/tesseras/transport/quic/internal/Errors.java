package net.tesseras.transport.quic.internal;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import net.tesseras.storage.ChecksumMismatchException;
import net.tesseras.storage.FragmentConflictException;
import net.tesseras.storage.InsufficientStorageException;
import net.tesseras.storage.StoreUnavailableException;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Maps what went wrong to the protocol's error codes, keeping the message. */
final class Errors {

    private static final Logger LOG = LoggerFactory.getLogger(Errors.class);

    private Errors() {
    }

    static PeerException of(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof PeerException peer) {
            return peer;
        }
        ErrorCode code;
        if (cause instanceof ChecksumMismatchException) {
            code = ErrorCode.CHECKSUM_MISMATCH;
        } else if (cause instanceof FragmentConflictException) {
            code = ErrorCode.CONFLICT;
        } else if (cause instanceof InsufficientStorageException) {
            code = ErrorCode.INSUFFICIENT_STORAGE;
        } else if (cause instanceof StoreUnavailableException) {
            code = ErrorCode.UNAVAILABLE;
        } else if (cause instanceof RejectedExecutionException) {
            code = ErrorCode.OVERLOADED;
        } else if (cause instanceof IllegalArgumentException) {
            code = ErrorCode.MALFORMED;
        } else {
            code = ErrorCode.INTERNAL;
        }
        String message = cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
        return new PeerException(code, message, cause);
    }

    /**
     * What a peer is told when serving its request failed: the codes above with their reasons, but
     * for an INTERNAL failure (an unreadable or damaged fragment, an exception, an Error) only what
     * failed, never local paths or exception text; the whole failure goes to this node's log (WARN).
     *
     * @param what the request, as the peer knows it ("fragment 1a2b…/3", "LIST_FRAGMENTS")
     */
    static PeerException forPeer(Throwable failure, String what) {
        Throwable cause = unwrap(failure);
        if (cause instanceof PeerException peer) {
            return peer;
        }
        PeerException mapped = cause instanceof Exception ? of(cause) : null;
        if (mapped != null && mapped.code() != ErrorCode.INTERNAL) {
            return mapped;
        }
        LOG.warn("serving {} to a peer failed; the peer was answered INTERNAL without these details: {}", what, cause.toString(), cause);
        return new PeerException(ErrorCode.INTERNAL, what + " could not be served: this node failed reading or processing it"
                + " (damaged or unreadable here, or an internal error); the details are in this node's log");
    }

    static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
