package net.tesseras.storage.sqlite.internal;

import java.nio.ByteBuffer;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Optional;
import net.tesseras.common.metrics.internal.InstrumentedStore;
import net.tesseras.common.metrics.internal.StoreMetrics;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.database.Database;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.StoreStats;
import net.tesseras.storage.VerifyResult;
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
 * Publishes a {@link SqliteFragmentStore} as a {@code store.role=backend} {@link FragmentStore},
 * registered only once it opened (as the fs store does). Configuration {@value #PID}; factory
 * configurations add more stores.
 */
@Component(configurationPid = SqliteFragmentStoreComponent.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        immediate = true, service = {})
@Designate(ocd = SqliteFragmentStoreComponent.Config.class)
public final class SqliteFragmentStoreComponent implements FragmentStore, InstrumentedStore {

    public static final String PID = "net.tesseras.storage.sqlite";

    @ObjectClassDefinition(name = "Tesseras SQLite fragment store",
            description = "Fragment bytes kept inside the node's database: one transaction per fragment.")
    public @interface Config {
        @AttributeDefinition(name = "Store name", description = "Unique name of this store on the node (store.name).")
        String store_name() default "sqlite";

        @AttributeDefinition(name = "Ranking", description = "Among backends, consumers without a cache use the highest ranked.")
        int service_ranking() default 5;

        @AttributeDefinition(name = "Largest fragment (MiB)", min = "1", max = "900",
                description = "Larger fragments are refused; they belong in an fs store.")
        int max_fragment_mb() default 256;
    }

    private static final Logger LOG = LoggerFactory.getLogger(SqliteFragmentStoreComponent.class);

    private final SqliteFragmentStore store;
    private final ServiceRegistration<?> registration;
    private final String name;

    @Activate
    public SqliteFragmentStoreComponent(BundleContext context, Config config, @Reference Database database) {
        int maxMb = Math.max(1, Math.min(900, config.max_fragment_mb()));
        this.name = config.store_name();
        SqliteFragmentStore opened = null;
        try {
            opened = SqliteFragmentStore.open(config.store_name(), database, maxMb * 1024L * 1024L);
        } catch (RuntimeException e) {
            LOG.error("sqlite store '{}' is not available: {}", config.store_name(), e.getMessage());
        }
        this.store = opened;
        if (opened == null) {
            this.registration = null;
            return;
        }
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(FragmentStore.ROLE, FragmentStore.ROLE_BACKEND);
        properties.put(FragmentStore.NAME, config.store_name());
        properties.put(Constants.SERVICE_DESCRIPTION, "Tesseras SQLite fragment store");
        properties.put(Constants.SERVICE_RANKING, config.service_ranking());
        this.registration = context.registerService(
                new String[] {FragmentStore.class.getName(), InstrumentedStore.class.getName()}, this, properties);
    }

    @Deactivate
    void deactivate() {
        if (registration != null) {
            registration.unregister();
        }
    }

    @Override
    public String storeName() {
        return name;
    }

    @Override
    public void instrument(StoreMetrics metrics) {
        store.instrument(metrics);
    }

    @Override
    public FragmentInfo store(FragmentId id, ByteBuffer data) {
        return store.store(id, data);
    }

    @Override
    public Optional<ByteBuffer> read(ContentHash tessera, int index) {
        return store.read(tessera, index);
    }

    @Override
    public boolean delete(ContentHash tessera, int index) {
        return store.delete(tessera, index);
    }

    @Override
    public List<FragmentInfo> fragments(ContentHash tessera) {
        return store.fragments(tessera);
    }

    @Override
    public List<ContentHash> tesseras() {
        return store.tesseras();
    }

    @Override
    public List<VerifyResult> verify(ContentHash tessera) {
        return store.verify(tessera);
    }

    @Override
    public StoreStats stats() {
        return store.stats();
    }

    @Override
    public String toString() {
        return String.valueOf(store);
    }
}
