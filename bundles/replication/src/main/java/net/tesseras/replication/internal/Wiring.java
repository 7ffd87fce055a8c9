package net.tesseras.replication.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import net.tesseras.replication.PeerLookup;
import net.tesseras.replication.internal.ledger.Ledger;
import net.tesseras.replication.internal.peers.PeerDirectory;
import net.tesseras.replication.internal.peers.SelfDescription;
import net.tesseras.replication.internal.placement.AcceptedPlans;
import net.tesseras.replication.internal.placement.PeerPublisher;
import net.tesseras.replication.internal.placement.PlacementBook;
import net.tesseras.replication.internal.placement.PlacementRules;
import net.tesseras.replication.internal.placement.PlanOfferHandler;
import net.tesseras.replication.internal.placement.ReceiveGuard;
import net.tesseras.replication.internal.placement.Spread;
import net.tesseras.replication.internal.proof.PeerProofs;
import net.tesseras.replication.internal.repair.RepairPass;
import net.tesseras.replication.internal.repair.RepairScheduler;
import net.tesseras.replication.internal.repair.Restorer;
import net.tesseras.storage.FragmentStore;
import net.tesseras.tessera.TesseraService;
import net.tesseras.transport.PeerClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The collaborators that hold settings, built from one accepted configuration. A configuration
 * change builds a new Wiring and swaps it in; work already running finishes with the old one.
 */
final class Wiring {

    private static final Logger LOG = LoggerFactory.getLogger(Wiring.class);

    /** How long a proof request waits for the holder (the transport's own timeout applies too). */
    private static final Duration PROOF_TIMEOUT = Duration.ofSeconds(30);

    /** What outlives configuration changes: tables, bindings, executors. */
    record Collaborators(PeerDirectory directory, PeerLookup lookup, Ledger ledger, PlacementBook book, AcceptedPlans accepted,
            NodePlans plans, PeerClient client, FragmentStore store, TesseraService tesseras, ReplicationMetrics metrics,
            Clock clock, Executor transfers, Supplier<SelfDescription> self, LongSupplier freeBytes, Path workDirectory,
            Supplier<FragmentStore> boundStore) {
    }

    private final ReplicationConfig config;
    private final List<InetSocketAddress> seeds;
    private final PeerPublisher publisher;
    private final PlanOfferHandler offers;
    private final ReceiveGuard guard;
    private final RepairPass repairPass;
    private final Restorer restorer;

    /**
     * @param previous the wiring this one replaces, or null; its publisher is kept when the transfer
     *        settings did not change, so that transfers under way keep their limits and are not sent twice
     */
    Wiring(ReplicationConfig config, Supplier<Collaborators> collaborators, Wiring previous) {
        Collaborators c = collaborators.get();
        this.config = config;
        this.seeds = ReplicationConfig.Settings.bootstrap(config);
        long maxTessera = (long) config.max_tessera_gb() << 30;
        PeerPublisher.Settings transfers = new PeerPublisher.Settings(config.transfers_per_peer(), config.transfers_total(),
                config.transfer_attempts(), PeerPublisher.Settings.DEFAULT.firstRetry(), PeerPublisher.Settings.DEFAULT.maxRetry(),
                PeerPublisher.Settings.DEFAULT.lease(), PeerPublisher.Settings.DEFAULT.batchBytes());
        this.publisher = previous != null && sameTransfers(previous.config, config) ? previous.publisher : new PeerPublisher(c.lookup(), c.client(), c::store, c.plans(), c.book(), c.ledger(), new PlacementRules(),
                new Spread(config.replication_factor()), transfers, c.metrics(), c.clock(), c.transfers(), new Random());
        this.offers = new PlanOfferHandler(c.accepted(), c.ledger(), c.freeBytes(), maxTessera, c.metrics(), c.clock());
        this.guard = new ReceiveGuard(c.accepted(), c.ledger(), maxTessera, c.metrics(), c.boundStore());
        RepairPass.Settings repair = new RepairPass.Settings(config.replication_factor(), config.challenge_fragments(),
                config.challenge_chunks(), Duration.ofSeconds(config.holder_grace_seconds()),
                (long) config.repair_bandwidth_mb() << 20);
        this.repairPass = new RepairPass(c.book(), new PeerProofs(c.client(), PROOF_TIMEOUT, c.metrics()), c.lookup(), c.client(),
                c.store(), c.tesseras(), publisher, c.plans(), c.metrics(), c.clock(), repair, c.workDirectory());
        this.restorer = new Restorer(c.lookup(), c.client(), c.store(), c.tesseras(), c.metrics(), c.transfers(),
                Restorer.Settings.DEFAULT, c.workDirectory());
    }

    private static boolean sameTransfers(ReplicationConfig a, ReplicationConfig b) {
        return a.transfers_per_peer() == b.transfers_per_peer() && a.transfers_total() == b.transfers_total()
                && a.transfer_attempts() == b.transfer_attempts() && a.replication_factor() == b.replication_factor();
    }

    static RepairScheduler.Timing timing(ReplicationConfig config) {
        return new RepairScheduler.Timing(Duration.ofSeconds(config.repair_initial_delay_seconds()),
                Duration.ofSeconds(config.repair_interval_seconds()), Duration.ofSeconds(config.repair_jitter_seconds()));
    }

    ReplicationConfig config() {
        return config;
    }

    /** The bootstrap seeds, resolved now (a name that does not resolve is skipped, and logged). */
    List<InetSocketAddress> seeds() {
        List<InetSocketAddress> resolved = new ArrayList<>();
        for (InetSocketAddress seed : seeds) {
            try {
                resolved.add(new InetSocketAddress(InetAddress.getByName(seed.getHostString()), seed.getPort()));
            } catch (UnknownHostException e) {
                LOG.warn("bootstrap peer {}:{} in etc/net.tesseras.replication.cfg does not resolve: {}", seed.getHostString(),
                        seed.getPort(), e.getMessage());
            }
        }
        return resolved;
    }

    Duration refresh() {
        return Duration.ofSeconds(config.peer_refresh_seconds());
    }

    PeerPublisher publisher() {
        return publisher;
    }

    PlanOfferHandler offers() {
        return offers;
    }

    ReceiveGuard guard() {
        return guard;
    }

    RepairPass repairPass() {
        return repairPass;
    }

    Restorer restorer() {
        return restorer;
    }
}
