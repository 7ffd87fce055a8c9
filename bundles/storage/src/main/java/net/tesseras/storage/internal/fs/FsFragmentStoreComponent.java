package net.tesseras.storage.internal.fs;

import java.util.Map;
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

    @Activate
    void activate(BundleContext context, Config config) {
        long reserve = Math.max(0, config.free_space_reserve_mb()) * 1024 * 1024;
        Path root = DataDirectory.resolve(context, config.root());
        try {
            store = FsFragmentStore.open(config.store_name(), root, database, reserve, synchronousFull);
        } catch (RuntimeException e) {
            LOG.error("fs store '{}' is not available: {}", config.store_name(), e.getMessage());
            return;
        }
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
