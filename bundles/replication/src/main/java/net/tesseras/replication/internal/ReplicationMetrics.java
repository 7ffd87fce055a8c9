package net.tesseras.replication.internal;

/**
 * What replication counts (docs/METRICS.md): {@code tesseras_replication_*}, {@code
 * tesseras_attestation_*}, {@code tesseras_challenge_*}, {@code tesseras_repair_*}. Implementations
 * are thread safe and cheap; {@link #NONE} when the metrics bundle is absent.
 */
public interface ReplicationMetrics {

    ReplicationMetrics NONE = new ReplicationMetrics() {
    };

    /** A fragment went to a peer and was acknowledged. */
    default void fragmentSent(long bytes) {
    }

    /** A peer's fragment was stored here. */
    default void fragmentReceived(long bytes) {
    }

    /** A plan offer or PUT from a peer was refused; {@code reason} is a short stable word (size, checksum, length, balance, plan, space, signature). */
    default void refused(String reason) {
    }

    /** A placement to a peer failed (will be retried). */
    default void sendFailed() {
    }

    /** This node answered an attestation request, built in {@code nanos}. */
    default void attestationServed(long nanos) {
    }

    /** An attestation asked of a holder: outcome passed, failed or unreachable. */
    default void attestationChecked(String outcome) {
    }

    /** This node answered a challenge with {@code bytes} of proof. */
    default void challengeServed(long bytes, long nanos) {
    }

    /** A challenge asked of a holder. */
    default void challengeChecked(String outcome, long bytes) {
    }

    /** A repair pass finished. */
    default void repairPass(long nanos) {
    }

    /** Fragments rebuilt (from Reed-Solomon) by repair. */
    default void rebuilt(int fragments) {
    }

    /** Fragments placed on new holders by repair. */
    default void repairPlaced(int fragments, long bytes) {
    }

    /** Fragments fetched from peers (restore or repair). */
    default void fetched(int fragments, long bytes) {
    }
}
