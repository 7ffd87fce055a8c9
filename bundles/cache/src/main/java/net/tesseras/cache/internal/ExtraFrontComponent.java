package net.tesseras.cache.internal;

import java.util.Map;
import net.tesseras.common.config.internal.ConfigRules;
import net.tesseras.storage.FragmentStore;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A further front on the node's one cache, one per factory configuration of {@value #PID} (for
 * example {@code etc/net.tesseras.cache.front-volume2.cfg}): several backends served through the
 * same cache at once, all within the one budget. Each is found by its {@code front.name}.
 */
@Component(configurationPid = ExtraFrontComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = ExtraFrontComponent.Config.class, factory = true)
public final class ExtraFrontComponent {

    public static final String PID = "net.tesseras.cache.front";

    @ObjectClassDefinition(name = "Tesseras additional cache front",
            description = "Serves one more backend through the node's one fragment cache.")
    public @interface Config {
        @AttributeDefinition(name = "Name", description = "front.name of this front, for consumers that select it.")
        String front_name();

        @AttributeDefinition(name = "Backend", description = "LDAP filter selecting the backend served through the cache.")
        String delegate_target();

        @AttributeDefinition(name = "Ranking", description = "Below the main front (100) unless you want it preferred.")
        int service_ranking() default 50;
    }

    /** The one configuration rule (docs/OPERATOR.md, "Configuration errors") for these factory configurations. */
    static final ConfigRules<Config> RULES = ConfigRules.of(PID, "this cache front", Config.class)
            .nonBlank("front.name")
            .nonBlank("delegate.target");

    private static final Logger LOG = LoggerFactory.getLogger(ExtraFrontComponent.class);

    private final Object lock = new Object();
    private Front front;
    private FragmentStore pendingBackend;
    private Map<String, Object> pendingProperties;

    @Reference
    private CacheComponent cache;

    @Reference(name = "delegate", policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            target = "(store.role=backend)", updated = "updatedDelegate")
    void bindDelegate(FragmentStore backend, Map<String, Object> properties) {
        synchronized (lock) {
            if (front == null) {
                pendingBackend = backend;
                pendingProperties = properties;
                return;
            }
            front.serveFrom(backend, properties);
        }
    }

    void updatedDelegate(FragmentStore backend, Map<String, Object> properties) {
        bindDelegate(backend, properties);
    }

    void unbindDelegate(FragmentStore backend) {
        // A replacement was bound first, or DS deactivates this component.
    }

    /** DS re-creates this component for every change; a refused value keeps the last good one, else activation fails. */
    @Activate
    void activate(BundleContext context, Map<String, Object> properties) {
        ConfigRules<Config>.Checked checked = RULES.check(properties).log(LOG);
        if (!checked.usable()) {
            throw checked.down(null);
        }
        checked.accepted();
        Config config = checked.config();
        synchronized (lock) {
            front = new Front(cache.cache(), Map.of(Constants.SERVICE_RANKING, config.service_ranking(),
                    "front.name", config.front_name()));
            front.serveFrom(pendingBackend, pendingProperties);
            pendingBackend = null;
            pendingProperties = null;
            front.register(context);
        }
    }

    @Deactivate
    void deactivate() {
        synchronized (lock) {
            front.unregister();
        }
    }
}
