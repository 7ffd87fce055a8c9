package net.tesseras.replication;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import net.tesseras.core.ContentHash;
import net.tesseras.tessera.TesseraProgress;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Spreads the node's tesseras over peers and keeps them there. Long operations report to a
 * {@link TesseraProgress} and stop when the calling thread is interrupted (placements not yet
 * acknowledged stay pending and are resumed). Failures are {@link ReplicationException}s whose
 * messages name the input and say what to do.
 */
@ProviderType
public interface ReplicationService {

    /**
     * Places a tessera this node holds on peers: chooses holders under the placement rules, offers
     * each its signed fragment plan, sends the fragments it accepted, and records every placement.
     * Returns once every placement is acknowledged or has failed; failed ones are retried with
     * backoff in the background. Publishing a published tessera places only what is missing. The
     * report names every refusal (peer and reason).
     *
     * @throws ReplicationException when the node does not hold the tessera or knows no peer
     */
    PublishReport publish(ContentHash tessera, TesseraProgress progress);

    /** The tessera's standing in the network, from the placement records and the last proofs. */
    TesseraStatus status(ContentHash tessera);

    /** The standing of every tessera this node publishes or created, in hash order. */
    List<TesseraStatus> statuses();

    /**
     * Runs a repair pass now, over one tessera or (empty) every one this node manages: proofs from
     * holders, local fragments checked, lost fragments rebuilt and placed on new peers.
     */
    RepairReport repair(Optional<ContentHash> tessera, TesseraProgress progress);

    /**
     * Restores a tessera by hash from peers into {@code destination} (new or empty): finds holders,
     * fetches any {@code dataShards} good fragments in parallel, rebuilds, checks the plan's and the
     * manifest's signatures and every file's hash, and writes the files.
     *
     * @throws ReplicationException when no peer holds enough of it, or a check fails
     */
    RestoreResult restore(ContentHash tessera, Path destination, TesseraProgress progress);

    /** The reciprocity ledger, one entry per peer, in NodeId order. */
    List<LedgerEntry> ledger();
}
