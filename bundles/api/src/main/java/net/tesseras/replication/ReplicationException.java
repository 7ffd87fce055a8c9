package net.tesseras.replication;

/** A replication command failed; the message names the input and says what to do. */
public class ReplicationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ReplicationException(String message) {
        super(message);
    }

    public ReplicationException(String message, Throwable cause) {
        super(message, cause);
    }
}
