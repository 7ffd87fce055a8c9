package net.tesseras.cache.internal;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import net.tesseras.common.config.internal.ComponentRetry;
import net.tesseras.common.config.internal.ConfigRules;
import net.tesseras.storage.FragmentStore;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's fragment cache and the front store that serves through it.
 *
 * <p>The front ({@code store.role=front}, ranked above every backend) is registered once and
 * stays registered while its backend, bound through the {@code delegate} reference whose target
 * is the configuration property {@code delegate.target}, is swapped underneath it: consumers keep
 * the same service and never see a failed read. When no backend matches, DS deactivates this
 * component and the front disappears; {@link RefusingFrontComponent} then registers a front that
 * refuses every call naming that backend, so that consumers (whose default is the main front, else
 * the fs backend) do not fall back to fs: writes are refused until that backend returns.
 */
@Component(configurationPid = CacheComponent.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true,
        service = CacheComponent.class)
@Designate(ocd = CacheComponent.Config.class)
public final class CacheComponent {

    public static final String PID = "net.tesseras.cache";

    @ObjectClassDefinition(name = "Tesseras fragment cache",
            description = "One byte budget for every store; policy, size and backend change live.")
    public @interface Config {
        @AttributeDefinition(name = "Policy", options = {@Option(label = "lru", value = "lru"),
                @Option(label = "tiered", value = "tiered"), @Option(label = "none", value = "none")},
                description = "lru: size-bounded eviction; tiered: hot and warm tiers with time-to-live; none: pass-through.")
        String policy() default "lru";

        @AttributeDefinition(name = "Budget (MiB)", min = "0", description = "Memory for cached fragments, for all stores together.")
        long size_mb() default 128;

        @AttributeDefinition(name = "Largest cached fragment (MiB)", min = "0",
                description = "Larger fragments are served but never cached.")
        long max_entry_mb() default 16;

        @AttributeDefinition(name = "Hot tier share", description = "Share of the budget for the hot tier (tiered policy), between 0 and 1.")
        double hot_fraction() default 0.2;

        @AttributeDefinition(name = "Hot time-to-live (s)", min = "1")
        long hot_ttl_seconds() default 600;

        @AttributeDefinition(name = "Warm time-to-live (s)", min = "1")
        long warm_ttl_seconds() default 3600;

        @AttributeDefinition(name = "Backend", description = "LDAP filter selecting the backend served through the cache.")
        String delegate_target() default "(&(store.role=backend)(store.name=fs))";
    }

    private static final Logger LOG = LoggerFactory.getLogger(CacheComponent.class);

    /** The backend served when etc/ names none. Never "any backend": another one than configured would lose writes. */
    static final String DEFAULT_DELEGATE = "(&(store.role=backend)(store.name=fs))";

    /**
     * The one configuration rule (docs/OPERATOR.md, "Configuration errors") for this PID.
     * delegate.target is read by DS itself: a filter that matches no store leaves the cache waiting
     * for that store (health DOWN, consumers refuse writes), never serving another one.
     */
    static final ConfigRules<Config> RULES = ConfigRules.of(PID, "the fragment cache", Config.class)
            .oneOf("policy", "lru", "tiered", "none")
            .range("size.mb", 0, 1L << 30)
            .range("max.entry.mb", 0, 1L << 30)
            .check("hot.fraction", v -> ((Double) v) > 0 && ((Double) v) < 1 ? null : "must lie between 0 and 1 (exclusive)")
            .range("hot.ttl.seconds", 1, Long.MAX_VALUE / 1_000_000_000L)
            .range("warm.ttl.seconds", 1, Long.MAX_VALUE / 1_000_000_000L);

    private volatile FragmentCache cache;
    private volatile Front front;
    private FragmentStore pendingBackend;
    private Map<String, Object> pendingProperties;

    /**
     * The backend served through the cache. Dynamic and greedy: DS binds a better or newly
     * targeted backend before unbinding the old one, so there is always one to read from.
     */
    @Reference(name = "delegate", policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            target = DEFAULT_DELEGATE, updated = "updatedDelegate")
    synchronized void bindDelegate(FragmentStore backend, Map<String, Object> properties) {
        if (front == null) {
            // Bound before activation: remembered until the front exists.
            pendingBackend = backend;
            pendingProperties = properties;
            return;
        }
        front.serveFrom(backend, properties);
    }

    synchronized void updatedDelegate(FragmentStore backend, Map<String, Object> properties) {
        bindDelegate(backend, properties);
    }

    void unbindDelegate(FragmentStore backend) {
        // Nothing to do: a replacement was bound first, or DS deactivates this component.
    }

    @Activate
    synchronized void activate(BundleContext context, Map<String, Object> properties) {
        ConfigRules<Config>.Checked checked = RULES.check(properties).log(LOG);
        if (!checked.usable()) {
            throw checked.down(new ComponentRetry(context, PID, CacheComponent.class.getName()));
        }
        checked.accepted();
        cache = new FragmentCache(settings(checked.config()));
        front = new Front(cache, Map.of(Constants.SERVICE_RANKING, 100));
        front.serveFrom(pendingBackend, pendingProperties);
        pendingBackend = null;
        pendingProperties = null;
        front.register(context);
        LOG.info("fragment cache {} in front of {}", describe(cache.settings()), delegateName());
    }

    @Modified
    void modified(Map<String, Object> properties) {
        ConfigRules<Config>.Checked checked = RULES.check(properties).log(LOG);
        checked.accepted();
        cache.configure(settings(checked.config()));
        LOG.info("fragment cache reconfigured live: {}", describe(cache.settings()));
    }

    @Deactivate
    synchronized void deactivate() {
        // The front keeps serving through its last backend: a consumer may still hold it for a
        // moment before its reference is rebound to a backend.
        front.unregister();
    }

    FragmentCache cache() {
        return cache;
    }

    String delegateName() {
        Front f = front;
        return f == null ? "none" : f.delegateName();
    }

    /** Settings from a configuration whose values passed {@link #RULES}. */
    static CacheSettings settings(Config config) {
        return new CacheSettings(CacheSettings.Policy.valueOf(config.policy().toUpperCase(Locale.ROOT)), config.size_mb() << 20,
                config.max_entry_mb() << 20, config.hot_fraction(), Duration.ofSeconds(config.hot_ttl_seconds()),
                Duration.ofSeconds(config.warm_ttl_seconds()));
    }

    private static String describe(CacheSettings s) {
        return "policy=" + s.policy().name().toLowerCase(Locale.ROOT) + ", budget=" + (s.budgetBytes() >> 20)
                + "MiB, largest entry=" + (s.maxEntryBytes() >> 20) + "MiB";
    }
}
