package net.tesseras.replication.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.tesseras.common.config.internal.ComponentRetry;
import net.tesseras.common.config.internal.ConfigRules;
import net.tesseras.common.internal.DataDirectory;
import net.tesseras.common.internal.ForwardingFragmentStore;
import net.tesseras.common.internal.StoreBinding;
import net.tesseras.core.ContentHash;
import net.tesseras.database.Database;
import net.tesseras.identity.NodeIdentity;
import net.tesseras.replication.LedgerEntry;
import net.tesseras.replication.PeerLookup;
import net.tesseras.replication.PublishReport;
import net.tesseras.replication.RepairReport;
import net.tesseras.replication.ReplicationService;
import net.tesseras.replication.RestoreResult;
import net.tesseras.replication.TesseraStatus;
import net.tesseras.replication.internal.ledger.SqliteLedger;
import net.tesseras.replication.internal.peers.FindPeersHandler;
import net.tesseras.replication.internal.peers.PeerDirectory;
import net.tesseras.replication.internal.peers.PeerExchange;
import net.tesseras.replication.internal.peers.PeerTable;
import net.tesseras.replication.internal.peers.SelfDescription;
import net.tesseras.replication.internal.placement.AcceptedPlans;
import net.tesseras.replication.internal.placement.HealthRules;
import net.tesseras.replication.internal.placement.PlacementBook;
import net.tesseras.replication.internal.placement.SqlitePlacementBook;
import net.tesseras.replication.internal.proof.AttestHandler;
import net.tesseras.replication.internal.proof.ChallengeHandler;
import net.tesseras.replication.internal.repair.GetPlanHandler;
import net.tesseras.replication.internal.repair.RepairScheduler;
import net.tesseras.replication.internal.wire.MessageTypes;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.StoreUnavailableException;
import net.tesseras.tessera.TesseraProgress;
import net.tesseras.tessera.TesseraService;
import net.tesseras.transport.MessageHandler;
import net.tesseras.transport.PeerClient;
import net.tesseras.transport.WriteGuard;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replication bundle's one component: it owns the tables (peers, ledger, placements, accepted
 * plans), registers the message handlers, the write guard, the peer lookup and the
 * {@link ReplicationService}, and runs the background work (peer exchange, transfer retries,
 * publishing new tesseras, repair passes).
 *
 * <p>Only the database is required. The transport, the store, the identity and the tessera service
 * come and go (each bundle may be stopped or updated while the node runs); work that needs a missing
 * one fails like an unreachable peer and is retried, and commands name what is missing. A
 * configuration change is applied live: the collaborators that hold settings are rebuilt
 * ({@link Wiring}), the tables and the registrations stay.
 */
@Component(service = {ReplicationService.class, ReplicationComponent.class}, configurationPid = ReplicationConfig.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true)
@Designate(ocd = ReplicationConfig.class)
public final class ReplicationComponent implements ReplicationService {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicationComponent.class);

    /** How often the maintenance thread looks whether peer exchange, retries or publishing are due. */
    private static final Duration TICK = Duration.ofSeconds(2);
    /** Bootstrap retries while no seed has answered (the transport may still be starting). */
    private static final Duration BOOTSTRAP_RETRY = Duration.ofSeconds(10);
    private static final Duration RESUME_EVERY = Duration.ofSeconds(5);
    private static final Duration PUBLISH_SCAN_EVERY = Duration.ofSeconds(15);
    private static final int RESUME_BATCH = 256;

    private final BundleContext context;
    private final Path dataDirectory;
    private final StoreBinding stores;
    /** Challenges are answered from the backend's bytes, never from the cache. */
    private final DiskStores disks;
    private final BoundPeerClient client = new BoundPeerClient();
    private final BoundTesseras tesseras = new BoundTesseras();
    private final SwitchableMetrics metrics = new SwitchableMetrics();
    private final Clock clock = Clock.systemUTC();
    /** Static: the peer table, attestations and offers all speak for this one identity. */
    private final NodeIdentity identity;
    private volatile Map<String, Object> transportProperties = Map.of();

    private final PeerDirectory directory;
    private final BestPeerLookup lookup;
    /** Settings-free and keeps the seeds it bootstrapped from, so it outlives configuration changes. */
    private final PeerExchange exchange;
    private final SqliteLedger ledger;
    private final SqlitePlacementBook book;
    private final AcceptedPlans accepted;
    private final NodePlans plans;
    private final FragmentStore store;
    private final ExecutorService transfers;
    private final ScheduledExecutorService maintenance;
    private final RepairScheduler scheduler;
    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();
    private volatile Wiring wiring;

    /** Maintenance bookkeeping, touched only by the maintenance thread. */
    private long nextPeerExchange;
    private boolean bootstrapped;
    private long nextResume;
    private long nextPublishScan;

    @Activate
    public ReplicationComponent(BundleContext context, @Reference Database database, @Reference NodeIdentity identity,
            Map<String, Object> properties) {
        this.context = context;
        this.identity = identity;
        this.dataDirectory = DataDirectory.of(context);
        this.stores = new StoreBinding(context, ReplicationConfig.PID, "replication", LOG);
        this.disks = new DiskStores(context, stores);
        ConfigRules<ReplicationConfig>.Checked checked = ReplicationConfig.RULES.check(properties).log(LOG);
        if (!checked.usable()) {
            disks.close();
            stores.close();
            throw checked.down(new ComponentRetry(context, ReplicationConfig.PID, ReplicationComponent.class.getName()));
        }
        ReplicationConfig config = checked.config();
        this.store = new ForwardingFragmentStore() {
            @Override
            protected FragmentStore delegate() {
                FragmentStore current = stores.store();
                if (current == null) {
                    throw new StoreUnavailableException("replication has no fragment store: " + stores.missing());
                }
                return current;
            }
        };
        this.transfers = Executors.newCachedThreadPool(threads("tesseras-replication-transfer-"));
        this.maintenance = Executors.newSingleThreadScheduledExecutor(threads("tesseras-replication-maintenance-"));
        try {
            PeerTable peerTable = new PeerTable(database);
            this.directory = new PeerDirectory(peerTable, identity.nodeId(), clock, config.peer_failure_limit(),
                    ReplicationConfig.Settings.institutional(config));
            this.lookup = new BestPeerLookup(context, directory);
            this.exchange = new PeerExchange(client, directory, this::selfDescription);
            this.ledger = new SqliteLedger(database, clock, (long) config.ledger_deficit_limit_mb() << 20,
                    ReplicationConfig.Settings.institutional(config));
            this.book = new SqlitePlacementBook(database);
            this.accepted = new AcceptedPlans(database, stores::store, clock);
            this.plans = new NodePlans(tesseras::targetOrNull, accepted);
            stores.configure(properties);
            checked.accepted();
            this.wiring = new Wiring(config, this::collaborators, null);
            this.scheduler = new RepairScheduler(this::repairPass, Wiring.timing(config),
                    RepairScheduler.Sleeper.REAL, () -> ThreadLocalRandom.current().nextDouble(),
                    threads("tesseras-replication-repair-"));
            register();
            scheduler.start();
            maintenance.scheduleWithFixedDelay(this::maintain, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            shutdown();
            throw e;
        }
        LOG.info("Replication started: {} peers known, {} tesseras published from here", directory.size(), book.tesseras().size());
    }

    /** A bad value is refused and the last good configuration kept; tables and registrations stay. */
    @Modified
    void modified(Map<String, Object> properties) {
        ConfigRules<ReplicationConfig>.Checked checked = ReplicationConfig.RULES.check(properties).log(LOG);
        if (!checked.usable()) {
            return;
        }
        ReplicationConfig config = checked.config();
        stores.configure(properties);
        checked.accepted();
        directory.setDeadAfterFailures(config.peer_failure_limit());
        directory.setInstitutional(ReplicationConfig.Settings.institutional(config));
        ledger.setDeficitLimit((long) config.ledger_deficit_limit_mb() << 20);
        ledger.setInstitutional(ReplicationConfig.Settings.institutional(config));
        boolean newSeeds = !ReplicationConfig.Settings.nonBlank(wiring.config().bootstrap())
                .equals(ReplicationConfig.Settings.nonBlank(config.bootstrap()));
        wiring = new Wiring(config, this::collaborators, wiring);
        scheduler.reconfigure(Wiring.timing(config));
        if (newSeeds) {
            // New seeds are asked at once rather than at the next refresh.
            maintenance.execute(() -> {
                bootstrapped = false;
                nextPeerExchange = System.nanoTime();
            });
        }
    }

    @Deactivate
    void deactivate() {
        shutdown();
        LOG.info("Replication stopped; pending placements resume at the next start");
    }

    private void shutdown() {
        for (ServiceRegistration<?> registration : registrations) {
            try {
                registration.unregister();
            } catch (IllegalStateException e) {
                // Already gone with the bundle.
            }
        }
        registrations.clear();
        maintenance.shutdownNow();
        transfers.shutdownNow();
        try {
            if (scheduler != null) {
                scheduler.close();
            }
            if (!transfers.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("Transfers still running 10 s after replication stopped; they stay pending in the placement table");
            }
            maintenance.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (lookup != null) {
            lookup.close();
        }
        disks.close();
        stores.close();
    }

    /**
     * One repair pass, only while this node can reach its holders and knows its plans: with its own
     * transport stopped every holder would look unreachable and, after the grace, lose its fragments.
     */
    private RepairReport repairPass(Optional<ContentHash> only) throws InterruptedException {
        if (client.targetOrNull() == null) {
            throw new net.tesseras.replication.ReplicationException("repair needs the QUIC transport, which is not running on"
                    + " this node (try: lb transport); holders are not judged while this node cannot reach them");
        }
        if (tesseras.targetOrNull() == null) {
            throw new net.tesseras.replication.ReplicationException("repair needs the tessera service, which is not running"
                    + " on this node (try: lb tessera)");
        }
        forgetDeleted();
        return wiring.repairPass().run(only);
    }

    /** Tesseras deleted here are no longer published from here (their copies on peers stay: there is no remote delete). */
    private void forgetDeleted() {
        for (ContentHash hash : book.tesseras()) {
            if (plans.own(hash).isEmpty() && tesseras.targetOrNull() != null) {
                LOG.info("Tessera {} was deleted on this node: no longer repaired from here (peers keep their fragments)", hash);
                book.forget(hash);
            }
        }
    }

    /** What every Wiring is built from: the tables and bindings that outlive configuration changes. */
    Wiring.Collaborators collaborators() {
        return new Wiring.Collaborators(directory, lookup, ledger, book, accepted, plans, client, store, tesseras, metrics, clock,
                transfers, this::selfDescription, this::freeBytes, dataDirectory.resolve("tmp").resolve("replication"),
                stores::store);
    }

    private void register() {
        register(MessageTypes.FIND_PEERS, new FindPeersHandler(directory, this::selfDescription));
        register(MessageTypes.PLAN_OFFER, request -> wiring.offers().handle(request));
        register(MessageTypes.ATTEST, new AttestHandler(() -> stores.store(), () -> identity, clock, metrics));
        register(MessageTypes.CHALLENGE, new ChallengeHandler(disks, metrics));
        register(MessageTypes.GET_PLAN, new GetPlanHandler(plans));
        registrations.add(context.registerService(WriteGuard.class, new WriteGuard() {
            @Override
            public void admit(net.tesseras.identity.NodeId sender, net.tesseras.core.FragmentId id, long size) {
                wiring.guard().admit(sender, id, size);
            }

            @Override
            public void stored(net.tesseras.identity.NodeId sender, net.tesseras.storage.FragmentInfo stored) {
                wiring.guard().stored(sender, stored);
            }
        }, null));
        registrations.add(context.registerService(PeerLookup.class, directory, null));
    }

    private void register(int type, MessageHandler handler) {
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(MessageHandler.TYPE_PROPERTY, type);
        registrations.add(context.registerService(MessageHandler.class, handler, properties));
    }

    /**
     * How this node tells peers where to reach it: the configured advertise.address, else the
     * transport's listen address and port (a wildcard one: peers put in the address they see).
     */
    SelfDescription selfDescription() {
        NodeIdentity self = identity;
        Map<String, Object> transport = transportProperties;
        Object listenPort = transport.get(PeerClient.LISTEN_PORT_PROPERTY);
        Object listenAddress = transport.get(PeerClient.LISTEN_ADDRESS_PROPERTY);
        int port = listenPort instanceof Number n ? n.intValue() : 0;
        List<InetSocketAddress> advertised = new ArrayList<>();
        String configured = wiring.config().advertise_address();
        if (!configured.isBlank()) {
            // Checked by the configuration rule: an IP literal, so no lookup here.
            InetSocketAddress given = ReplicationConfig.Settings.advertised(configured);
            int p = given.getPort() != 0 ? given.getPort() : port;
            if (p != 0) {
                advertised.add(new InetSocketAddress(given.getAddress(), p));
            }
        } else if (listenAddress != null && port != 0) {
            try {
                advertised.add(new InetSocketAddress(InetAddress.getByName(String.valueOf(listenAddress)), port));
            } catch (UnknownHostException e) {
                // The transport's own listen address, already bound: an IP literal in practice.
                LOG.debug("listen address {} does not parse: {}", listenAddress, e.getMessage());
            }
        }
        return new SelfDescription(self, advertised, false);
    }

    /** Free space where the store keeps its data, for plan offers (the store still enforces its own reserve). */
    private long freeBytes() {
        try {
            return Files.getFileStore(dataDirectory).getUsableSpace();
        } catch (IOException e) {
            return 0;
        }
    }

    /** Peer exchange, transfer retries and publishing new tesseras, each when due; never throws. */
    private void maintain() {
        long now = System.nanoTime();
        Wiring current = wiring;
        try {
            if (now - nextPeerExchange >= 0 && client.targetOrNull() != null) {
                if (!bootstrapped) {
                    PeerExchange.Report report = exchange.bootstrap(current.seeds());
                    bootstrapped = report.answered() > 0 || current.seeds().isEmpty();
                    LOG.debug("Peer bootstrap: {}", report);
                    nextPeerExchange = now + (bootstrapped ? current.refresh() : BOOTSTRAP_RETRY).toNanos();
                } else {
                    exchange.refresh();
                    nextPeerExchange = now + current.refresh().toNanos();
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("Peer exchange failed: {}", e.getMessage(), e);
            nextPeerExchange = now + BOOTSTRAP_RETRY.toNanos();
        }
        try {
            if (now - nextResume >= 0) {
                nextResume = now + RESUME_EVERY.toNanos();
                // Without the tessera service the plans of this node's tesseras are unknown, and a due
                // placement would be given up as "no longer knows the plan": wait for it instead.
                if (client.targetOrNull() != null && stores.store() != null && tesseras.targetOrNull() != null) {
                    current.publisher().resumeDue(RESUME_BATCH);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("Retrying pending placements failed: {}", e.getMessage(), e);
        }
        try {
            if (current.config().publish_on_create() && now - nextPublishScan >= 0 && tesseras.targetOrNull() != null
                    && !lookup.peers().isEmpty()) {
                nextPublishScan = now + PUBLISH_SCAN_EVERY.toNanos();
                new NewTesseras(tesseras, book, identity, current.publisher(), plans).publish();
            }
        } catch (RuntimeException e) {
            LOG.warn("Publishing new tesseras failed: {}", e.getMessage(), e);
        }
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    // --- references ----------------------------------------------------------------------------

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindClient(PeerClient peerClient, Map<String, Object> properties) {
        transportProperties = Map.copyOf(properties);
        client.target(peerClient);
    }

    void updatedClient(PeerClient peerClient, Map<String, Object> properties) {
        transportProperties = Map.copyOf(properties);
    }

    void unbindClient(PeerClient peerClient) {
        if (client.targetOrNull() == peerClient) {
            client.target(null);
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindTesseras(TesseraService service) {
        tesseras.target(service);
    }

    void unbindTesseras(TesseraService service) {
        if (tesseras.targetOrNull() == service) {
            tesseras.target(null);
        }
    }

    /** The metrics component hands over its meters (null: none). */
    void metrics(ReplicationMetrics target) {
        metrics.target(target);
    }

    /** The totals the gauges read. */
    MicrometerReplicationMetrics.Totals totals() {
        return new MicrometerReplicationMetrics.Totals() {
            @Override
            public long deficitPeers() {
                return ledger.entries().stream().filter(e -> e.balance() < 0).count();
            }

            @Override
            public long worstBalanceBytes() {
                return ledger.entries().stream().mapToLong(LedgerEntry::balance).min().orElse(0);
            }

            @Override
            public long pendingPlacements() {
                return book.pendingCount();
            }
        };
    }

    // --- the service ---------------------------------------------------------------------------

    private NodeReplication service() {
        Wiring current = wiring;
        HealthRules health = new HealthRules();
        int r = current.config().replication_factor();
        return new NodeReplication(plans, book, current.publisher(), ledger, lookup,
                (plan, placements, lastRepair) -> health.status(plan, placements, lastRepair, r),
                (only, progress) -> scheduler.runNow(only),
                (hash, destination, progress) -> current.restorer().restore(hash, destination, progress),
                () -> tesseras.targetOrNull() != null);
    }

    @Override
    public PublishReport publish(ContentHash tessera, TesseraProgress progress) {
        return service().publish(tessera, progress);
    }

    @Override
    public TesseraStatus status(ContentHash tessera) {
        return service().status(tessera);
    }

    @Override
    public List<TesseraStatus> statuses() {
        return service().statuses();
    }

    @Override
    public RepairReport repair(Optional<ContentHash> tessera, TesseraProgress progress) {
        return service().repair(tessera, progress);
    }

    @Override
    public RestoreResult restore(ContentHash tessera, Path destination, TesseraProgress progress) {
        return service().restore(tessera, destination, progress);
    }

    @Override
    public List<LedgerEntry> ledger() {
        return service().ledger();
    }

    PlacementBook book() {
        return book;
    }
}
