package net.tesseras.storage.internal.fs;

import java.util.Map;
import java.util.Optional;
import net.tesseras.common.config.internal.ConfigRules;
import net.tesseras.database.Database;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.internal.db.DatabaseComponent;
import net.tesseras.common.internal.DataDirectory;
import net.tesseras.common.internal.PublishedProblem;
import net.tesseras.common.metrics.internal.InstrumentedStore;
import net.tesseras.common.metrics.internal.MeasuredFragmentStore;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes an {@link FsFragmentStore} as a {@code store.role=backend} {@link FragmentStore}.
 *
 * <p>Configuration {@value #PID} configures the default store; factory configurations of the same
 * PID (for example {@code etc/net.tesseras.storage.fs-volume2.cfg}) add more stores, each with its
 * own name and root.
 *
 * <p>A change applies in place when it leaves the store where it is ({@code free.space.reserve.mb},
 * {@code service.ranking}, a refused or unchanged value): the same store keeps serving, nothing is
 * reconciled again and no call in flight notices. Only a new root or name re-opens it: the old
 * service is withdrawn, calls in flight finish ({@link DrainingStore}; later ones get a retryable
 * {@code StoreUnavailableException}), then the store opens at its new place and is published again.
 *
 * <p>The service is registered by hand, and only once the store opened: a store that refuses to
 * open (its directory and its index do not belong together, the disk is unreadable) must not look
 * available to anyone. Then the component stays active without a store and publishes the reason
 * as a {@link PublishedProblem} ({@code /health} names it); the next configuration change (through
 * the modified method: a failed activation would not get one) or database change tries again.
 */
@Component(configurationPid = FsFragmentStoreComponent.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        immediate = true, service = {})
@Designate(ocd = FsFragmentStoreComponent.Config.class, factory = false)
public final class FsFragmentStoreComponent {

    public static final String PID = "net.tesseras.storage.fs";

    @ObjectClassDefinition(name = "Tesseras fs fragment store",
            description = "Fragments as files under a directory, indexed in the node's database.")
    public @interface Config {
        @AttributeDefinition(name = "Store name", description = "Unique name of this store on the node (store.name).")
        String store_name() default "fs";

        @AttributeDefinition(name = "Root directory",
                description = "Where fragment files live; a relative path is resolved against the node's data directory.")
        String root() default "fragments";

        @AttributeDefinition(name = "Ranking", description = "Among backends, consumers without a cache use the highest ranked.")
        int service_ranking() default 10;

        @AttributeDefinition(name = "Free space reserve (MiB)", min = "0",
                description = "Space always left free on the volume; stores that would use it are refused.")
        long free_space_reserve_mb() default 64;
    }

    /** How long a re-open waits for calls in flight on the old store (a large put) before closing it anyway. */
    static final long DRAIN_SECONDS = 120;

    private Database database;
    private volatile boolean synchronousFull;
    private volatile FsFragmentStore store;
    private BundleContext context;
    private Config inUse;
    private DrainingStore gate;
    private ServiceRegistration<?> registration;
    private PublishedProblem problem;

    private static final Logger LOG = LoggerFactory.getLogger(FsFragmentStoreComponent.class);

    @Reference(name = "database", updated = "updatedDatabase")
    void bindDatabase(Database db, Map<String, Object> properties) {
        this.database = db;
        this.synchronousFull = isFull(properties);
    }

    /** The database's synchronous mode changed live: follow it. */
    void updatedDatabase(Map<String, Object> properties) {
        synchronousFull = isFull(properties);
        FsFragmentStore current = store;
        if (current != null) {
            current.syncDirectories(synchronousFull);
        }
    }

    /** The one configuration rule (docs/OPERATOR.md, "Configuration errors") for this PID and its factory configurations. */
    static final ConfigRules<Config> RULES = ConfigRules.of(PID, "the fs store", Config.class)
            .nonBlank("store.name")
            .check("store.name", v -> String.valueOf(v).matches("[A-Za-z0-9._-]+") ? null
                    : "use letters, digits, '.', '_' and '-' only")
            .nonBlank("root")
            .range("free.space.reserve.mb", 0, Long.MAX_VALUE >> 20);

    /** Opens the store, or stays down naming why (see the class comment). */
    @Activate
    synchronized void activate(BundleContext bundleContext, Map<String, Object> raw) {
        this.context = bundleContext;
        this.problem = new PublishedProblem(bundleContext, true);
        apply(raw);
    }

    /** A configuration change: applied in place unless the root or the name changed (see the class comment). */
    @Modified
    synchronized void modified(Map<String, Object> raw) {
        apply(raw);
    }

    private void apply(Map<String, Object> raw) {
        ConfigRules<Config>.Checked checked = RULES.check(raw).log(LOG);
        if (!checked.usable()) {
            if (store == null) {
                stayDown(checked.down(null).getMessage());
            }
            return;
        }
        Config config = checked.config();
        if (store != null && samePlace(inUse, config)) {
            applyInPlace(config);
            checked.accepted();
            return;
        }
        if (store != null) {
            retire("fs store '" + inUse.store_name() + "' is re-opening for its new "
                    + (inUse.store_name().equals(config.store_name()) ? "root " + root(config) : "name '" + config.store_name() + "'"));
        }
        try {
            open(config);
        } catch (RuntimeException e) {
            ConfigRules<Config>.Checked refused = checked;
            Optional<ConfigRules<Config>.Checked> back = changedKey(checked, raw)
                    .flatMap(key -> refused.without(key, e.getMessage(), LOG));
            if (back.isEmpty()) {
                LOG.error("fs store '{}' is not available: {}; it stays down until {} is fixed", config.store_name(),
                        e.getMessage(), checked.file());
                stayDown("fs store '" + config.store_name() + "' is down: " + e.getMessage() + "; it stays down until "
                        + checked.file() + " is fixed");
                return;
            }
            checked = back.get();
            config = checked.config();
            try {
                open(config);
            } catch (RuntimeException again) {
                LOG.error("fs store '{}' is not available at its last good root either: {}", config.store_name(), again.getMessage());
                stayDown("fs store '" + config.store_name() + "' is down: " + again.getMessage());
                return;
            }
        }
        checked.accepted();
    }

    private void open(Config config) {
        FsFragmentStore opened = FsFragmentStore.open(config.store_name(), root(config), database,
                config.free_space_reserve_mb() * 1024 * 1024, synchronousFull);
        store = opened;
        inUse = config;
        gate = new DrainingStore(opened);
        registration = context.registerService(
                new String[] {FragmentStore.class.getName(), InstrumentedStore.class.getName()},
                new MeasuredFragmentStore(config.store_name(), gate), serviceProperties(config, opened));
        problem.clear();
    }

    private Dictionary<String, Object> serviceProperties(Config config, FsFragmentStore opened) {
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(FragmentStore.ROLE, FragmentStore.ROLE_BACKEND);
        properties.put(FragmentStore.NAME, config.store_name());
        properties.put(Constants.SERVICE_DESCRIPTION, "Tesseras fs fragment store at " + root(config));
        properties.put(Constants.SERVICE_RANKING, config.service_ranking());
        // What the start found, for the metrics component (tesseras_store_reconcile_findings).
        opened.reconcileReport().serviceProperties().forEach(properties::put);
        return properties;
    }

    /** Values that leave the store where it is: the same store goes on serving. */
    private void applyInPlace(Config config) {
        Config before = inUse;
        inUse = config;
        if (before.free_space_reserve_mb() != config.free_space_reserve_mb()) {
            store.reserveBytes(config.free_space_reserve_mb() * 1024 * 1024);
            LOG.info("fs store '{}': free.space.reserve.mb = {} applied", config.store_name(), config.free_space_reserve_mb());
        }
        if (before.service_ranking() != config.service_ranking()) {
            registration.setProperties(serviceProperties(config, store));
            LOG.info("fs store '{}': service.ranking = {} applied", config.store_name(), config.service_ranking());
        }
    }

    /** Withdraws the store in use, lets calls in flight finish, and closes it. */
    private void retire(String reason) {
        registration.unregister();
        registration = null;
        try {
            if (!gate.drain(reason, DRAIN_SECONDS, TimeUnit.SECONDS)) {
                LOG.warn("fs store '{}': {} call(s) still running after {} s are cut short by the re-open", inUse.store_name(),
                        gate.inFlight(), DRAIN_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        store.close();
        store = null;
        gate = null;
    }

    private void stayDown(String reason) {
        problem.set(reason);
    }

    private boolean samePlace(Config a, Config b) {
        return a.store_name().equals(b.store_name()) && root(a).equals(root(b));
    }

    private Path root(Config config) {
        return DataDirectory.resolve(context, config.root().trim());
    }

    /** The key whose new value made opening fail: the root, else the name (it names the store's rows). */
    private static Optional<String> changedKey(ConfigRules<Config>.Checked checked, Map<String, Object> raw) {
        Optional<Config> last = RULES.lastGood(raw);
        if (last.isEmpty()) {
            return Optional.empty();
        }
        if (!last.get().root().equals(checked.config().root())) {
            return Optional.of("root");
        }
        if (!last.get().store_name().equals(checked.config().store_name())) {
            return Optional.of("store.name");
        }
        return Optional.empty(); // not a configuration change (the database changed): nothing to go back to
    }

    @Deactivate
    synchronized void deactivate() {
        if (store != null) {
            retire("fs store '" + inUse.store_name() + "' is stopping (its bundle, or the database it indexes in, went away)");
        }
        problem.clear();
    }

    /** The store being served, for tests. */
    FsFragmentStore store() {
        return store;
    }

    private static boolean isFull(Map<String, Object> databaseProperties) {
        return "FULL".equals(databaseProperties.get(DatabaseComponent.SYNCHRONOUS_PROPERTY));
    }
}
