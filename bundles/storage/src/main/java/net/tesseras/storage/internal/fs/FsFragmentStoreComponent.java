package net.tesseras.storage.internal.fs;

import java.util.Map;
import java.util.Optional;
import net.tesseras.common.config.internal.ConfigRules;
import net.tesseras.database.Database;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.internal.db.DatabaseComponent;
import net.tesseras.common.internal.DataDirectory;
import net.tesseras.common.metrics.internal.InstrumentedStore;
import net.tesseras.common.metrics.internal.MeasuredFragmentStore;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
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
 * own name and root. Any change re-creates the store, so consumers rebind to the new one.
 *
 * <p>The service is registered by hand, and only once the store opened: a store that refuses to
 * open (its directory and its index do not belong together, the disk is unreadable) must not look
 * available to anyone. The reason is logged, and the next configuration or database change
 * tries again.
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

    private Database database;
    private volatile boolean synchronousFull;
    private volatile FsFragmentStore store;
    private ServiceRegistration<?> registration;

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

    /**
     * Opens the store. DS re-creates this component for every change of its configuration: a
     * refused value, or a root that cannot be opened, goes back to the last good value of this
     * configuration; without one the activation fails, naming key, value and file, and DS tries
     * again at the next change.
     */
    @Activate
    void activate(BundleContext context, Map<String, Object> raw) {
        ConfigRules<Config>.Checked checked = RULES.check(raw).log(LOG);
        if (!checked.usable()) {
            throw checked.down(null);
        }
        Config config = checked.config();
        try {
            store = open(context, config);
        } catch (RuntimeException e) {
            ConfigRules<Config>.Checked refused = checked;
            Optional<ConfigRules<Config>.Checked> back = changedKey(checked, raw)
                    .flatMap(key -> refused.without(key, e.getMessage(), LOG));
            if (back.isEmpty()) {
                LOG.error("fs store '{}' is not available: {}; it stays down until {} is fixed", config.store_name(),
                        e.getMessage(), checked.file());
                throw checked.down("root", e.getMessage(), null);
            }
            checked = back.get();
            config = checked.config();
            store = open(context, config);
        }
        checked.accepted();
        Path root = DataDirectory.resolve(context, config.root());
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(FragmentStore.ROLE, FragmentStore.ROLE_BACKEND);
        properties.put(FragmentStore.NAME, config.store_name());
        properties.put(Constants.SERVICE_DESCRIPTION, "Tesseras fs fragment store at " + root);
        properties.put(Constants.SERVICE_RANKING, config.service_ranking());
        // What the start found, for the metrics component (tesseras_store_reconcile_findings).
        store.reconcileReport().serviceProperties().forEach(properties::put);
        registration = context.registerService(
                new String[] {FragmentStore.class.getName(), InstrumentedStore.class.getName()},
                new MeasuredFragmentStore(config.store_name(), store), properties);
    }

    private FsFragmentStore open(BundleContext context, Config config) {
        return FsFragmentStore.open(config.store_name(), DataDirectory.resolve(context, config.root()), database,
                config.free_space_reserve_mb() * 1024 * 1024, synchronousFull);
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
    void deactivate() {
        if (registration != null) {
            registration.unregister();
        }
        if (store != null) {
            store.close();
        }
    }

    private static boolean isFull(Map<String, Object> databaseProperties) {
        return "FULL".equals(databaseProperties.get(DatabaseComponent.SYNCHRONOUS_PROPERTY));
    }
}
