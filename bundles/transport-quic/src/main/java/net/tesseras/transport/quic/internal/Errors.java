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

/** Maps what went wrong to the protocol's error codes, keeping the message. */
final class Errors {

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

    static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
