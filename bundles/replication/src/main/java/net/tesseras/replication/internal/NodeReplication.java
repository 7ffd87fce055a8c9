package net.tesseras.replication.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import net.tesseras.core.ContentHash;
import net.tesseras.replication.LedgerEntry;
import net.tesseras.replication.PeerLookup;
import net.tesseras.replication.PublishReport;
import net.tesseras.replication.RepairReport;
import net.tesseras.replication.ReplicationException;
import net.tesseras.replication.ReplicationService;
import net.tesseras.replication.RestoreResult;
import net.tesseras.replication.TesseraStatus;
import net.tesseras.replication.internal.ledger.Ledger;
import net.tesseras.replication.internal.placement.PlacementBook;
import net.tesseras.replication.internal.placement.Publisher;
import net.tesseras.tessera.SignedFragmentPlan;
import net.tesseras.tessera.TesseraProgress;

/**
 * The node's {@link ReplicationService}: commands in front of the placement book, the publisher,
 * the repair scheduler, the restorer and the ledger.
 */
final class NodeReplication implements ReplicationService {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(NodeReplication.class);

    /** A tessera's standing from its plan and placement records. */
    interface StatusRule {
        TesseraStatus status(SignedFragmentPlan plan, List<PlacementBook.Placement> placements, Optional<java.time.Instant> lastRepair);
    }

    /** Runs a repair pass now (waiting for a running one), over one tessera or every one. */
    interface RepairRunner {
        RepairReport repair(Optional<ContentHash> tessera, TesseraProgress progress);
    }

    /** Restores a tessera from peers. */
    interface RestoreRunner {
        RestoreResult restore(ContentHash tessera, Path destination, TesseraProgress progress);
    }

    private final NodePlans plans;
    private final PlacementBook book;
    private final Publisher publisher;
    private final Ledger ledger;
    private final PeerLookup peers;
    private final StatusRule statusRule;
    private final RepairRunner repair;
    private final RestoreRunner restore;
    private final java.util.function.BooleanSupplier tesserasRunning;

    NodeReplication(NodePlans plans, PlacementBook book, Publisher publisher, Ledger ledger, PeerLookup peers,
            StatusRule statusRule, RepairRunner repair, RestoreRunner restore, java.util.function.BooleanSupplier tesserasRunning) {
        this.tesserasRunning = tesserasRunning;
        this.plans = plans;
        this.book = book;
        this.publisher = publisher;
        this.ledger = ledger;
        this.peers = peers;
        this.statusRule = statusRule;
        this.repair = repair;
        this.restore = restore;
    }

    @Override
    public PublishReport publish(ContentHash tessera, TesseraProgress progress) {
        requireTesseras();
        SignedFragmentPlan plan = plans.own(tessera).orElseThrow(() -> new ReplicationException("this node holds no tessera "
                + tessera + " to publish: tesseras:tesseras lists the tesseras created or restored here"));
        if (peers.peers().isEmpty()) {
            throw new ReplicationException("no peers are known to publish tessera " + tessera + " to: list nodes in bootstrap"
                    + " in etc/net.tesseras.replication.cfg (host:port, ...) and check tesseras:peers");
        }
        Set<Integer> all = IntStream.range(0, plan.plan().totalShards()).boxed().collect(Collectors.toCollection(TreeSet::new));
        Publisher.PlaceResult result = publisher.place(plan, all, Set.of(), progress);
        TesseraStatus status = status(plan);
        for (String note : result.notes()) {
            LOG.warn("Publishing tessera {}: {}", tessera, note);
        }
        if (result.placed() == 0 && status.placedFragments() == 0 && status.pendingPlacements() == 0) {
            throw new ReplicationException("no peer accepted tessera " + tessera + (result.notes().isEmpty() ? ""
                    : ": " + String.join("; ", result.notes())) + " (tesseras:peers lists the peers)");
        }
        return new PublishReport(status, result.placed(), result.notes());
    }

    /** Without the tessera service the node's own plans are unknown: say so rather than "no such tessera". */
    private void requireTesseras() {
        if (!tesserasRunning.getAsBoolean()) {
            throw new ReplicationException("the tessera service is not running on this node, and with it the plans of the"
                    + " tesseras made here (try: lb tessera)");
        }
    }

    @Override
    public TesseraStatus status(ContentHash tessera) {
        requireTesseras();
        Optional<SignedFragmentPlan> plan = plans.own(tessera);
        if (plan.isEmpty() && !book.tesseras().contains(tessera)) {
            throw new ReplicationException("this node neither holds nor publishes tessera " + tessera
                    + ": tesseras:tesseras lists the tesseras created or restored here");
        }
        return status(plan.or(() -> plans.accepted(tessera)).orElseThrow(() -> new ReplicationException(
                "the fragment plan of tessera " + tessera + " is no longer on this node (it was deleted)")));
    }

    private TesseraStatus status(SignedFragmentPlan plan) {
        ContentHash hash = plan.plan().tessera();
        return statusRule.status(plan, book.of(hash), book.lastRepair(hash));
    }

    @Override
    public List<TesseraStatus> statuses() {
        List<TesseraStatus> statuses = new ArrayList<>();
        for (ContentHash hash : book.tesseras()) {
            plans.plan(hash).ifPresent(plan -> statuses.add(status(plan)));
        }
        return statuses;
    }

    @Override
    public RepairReport repair(Optional<ContentHash> tessera, TesseraProgress progress) {
        requireTesseras();
        tessera.ifPresent(hash -> {
            if (!book.tesseras().contains(hash)) {
                throw new ReplicationException("tessera " + hash + " is not published from this node, so there is nothing"
                        + " to repair: tesseras:publish " + hash.toShortHex(12) + " places it on peers");
            }
        });
        return repair.repair(tessera, progress);
    }

    @Override
    public RestoreResult restore(ContentHash tessera, Path destination, TesseraProgress progress) {
        requireTesseras();
        return restore.restore(tessera, destination, progress);
    }

    @Override
    public List<LedgerEntry> ledger() {
        return ledger.entries();
    }
}
