package net.tesseras.storage.sqlite.internal;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import net.tesseras.common.config.internal.ConfigRules;
import net.tesseras.common.metrics.internal.InstrumentedStore;
import net.tesseras.common.metrics.internal.MeasuredFragmentStore;
import net.tesseras.database.Database;
import net.tesseras.storage.FragmentStore;
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
public final class SqliteFragmentStoreComponent {

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

    /** The one configuration rule (docs/OPERATOR.md, "Configuration errors") for this PID. */
    static final ConfigRules<Config> RULES = ConfigRules.of(PID, "the sqlite store", Config.class)
            .nonBlank("store.name")
            .check("store.name", v -> String.valueOf(v).matches("[A-Za-z0-9._-]+") ? null
                    : "use letters, digits, '.', '_' and '-' only")
            .range("max.fragment.mb", 1, 900);

    private final ServiceRegistration<?> registration;

    /**
     * Opens the store. DS re-creates this component for every change: a refused value keeps the
     * last good one; without one the activation fails naming key, value and file, and DS tries
     * again at the next change.
     */
    @Activate
    public SqliteFragmentStoreComponent(BundleContext context, Map<String, Object> raw, @Reference Database database) {
        ConfigRules<Config>.Checked checked = RULES.check(raw).log(LOG);
        if (!checked.usable()) {
            throw checked.down(null);
        }
        Config config = checked.config();
        SqliteFragmentStore opened;
        try {
            opened = SqliteFragmentStore.open(config.store_name(), database, config.max_fragment_mb() * 1024L * 1024L);
        } catch (RuntimeException e) {
            throw new IllegalStateException("sqlite store '" + config.store_name() + "' is not available: " + e.getMessage(), e);
        }
        checked.accepted();
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(FragmentStore.ROLE, FragmentStore.ROLE_BACKEND);
        properties.put(FragmentStore.NAME, config.store_name());
        properties.put(Constants.SERVICE_DESCRIPTION, "Tesseras SQLite fragment store");
        properties.put(Constants.SERVICE_RANKING, config.service_ranking());
        this.registration = context.registerService(
                new String[] {FragmentStore.class.getName(), InstrumentedStore.class.getName()},
                new MeasuredFragmentStore(config.store_name(), opened), properties);
    }

    @Deactivate
    void deactivate() {
        if (registration != null) {
            registration.unregister();
        }
    }
}
