package net.tesseras.cache.internal;

import java.util.Dictionary;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.Map;
import java.util.Set;
import net.tesseras.storage.FragmentStore;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * While the cache bundle runs but its main front is gone (the backend {@code delegate.target}
 * names is down or does not exist, or the cache's configuration is refused), registers a {@link
 * RefusingFront} in its place: consumers (whose default target is the main front, else the fs
 * backend) bind it instead of falling back to fs, and every call says which backend is missing.
 * It is unregistered as soon as the real front is back, and when the cache bundle stops, so that
 * consumers then use the fs backend as documented.
 *
 * <p>The refusing front carries {@value #REFUSING}{@code =true}, which the reference to the real
 * front excludes, and ranks {@value #RANKING}: below the real front (100), above every backend.
 */
@Component(configurationPid = CacheComponent.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true,
        service = {})
public final class RefusingFrontComponent {

    /** Service property marking the refusing front. */
    static final String REFUSING = "front.refusing";

    /** Below the real front (100), above the backends (fs 10, sqlite 5). */
    static final int RANKING = 99;

    /** The node's main front: a front without front.name that is not this component's own. */
    static final String MAIN_FRONT = "(&(store.role=front)(!(front.name=*))(!(" + REFUSING + "=true)))";

    private static final Logger LOG = LoggerFactory.getLogger(RefusingFrontComponent.class);

    private final Set<FragmentStore> mainFronts = new HashSet<>();
    private BundleContext context;
    private RefusingFront refusing;
    private ServiceRegistration<FragmentStore> registration;

    @Reference(name = "front", service = FragmentStore.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, target = MAIN_FRONT)
    synchronized void bindFront(FragmentStore front) {
        mainFronts.add(front);
        update();
    }

    synchronized void unbindFront(FragmentStore front) {
        mainFronts.remove(front);
        update();
    }

    @Activate
    synchronized void activate(BundleContext context, Map<String, Object> properties) {
        this.context = context;
        this.refusing = new RefusingFront(delegateTarget(properties));
        update();
    }

    @Modified
    synchronized void modified(Map<String, Object> properties) {
        refusing.delegateTarget(delegateTarget(properties));
    }

    @Deactivate
    synchronized void deactivate() {
        context = null;
        update();
    }

    /** Registers the refusing front exactly while this component is active, the bundle not stopping, and no main front is there. */
    private void update() {
        boolean wanted = context != null && mainFronts.isEmpty() && (context.getBundle().getState() & (Bundle.STARTING | Bundle.ACTIVE)) != 0;
        if (wanted && registration == null) {
            Dictionary<String, Object> properties = new Hashtable<>();
            properties.put(FragmentStore.ROLE, FragmentStore.ROLE_FRONT);
            properties.put(REFUSING, Boolean.TRUE);
            properties.put(Front.DELEGATE_NAME, "unavailable");
            properties.put(Constants.SERVICE_RANKING, RANKING);
            properties.put(Constants.SERVICE_DESCRIPTION,
                    "Tesseras fragment cache refusing every call: its backend " + refusing.delegateTarget() + " is not available");
            registration = context.registerService(FragmentStore.class, refusing, properties);
            LOG.warn("{}; consumers are refused until it is back", refusing.message());
        } else if (!wanted && registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // The framework unregistered it with the bundle.
            }
            registration = null;
            if (context != null) {
                LOG.info("the fragment cache's front is back; the refusing front is withdrawn");
            }
        }
    }

    static String delegateTarget(Map<String, Object> properties) {
        Object target = properties.get("delegate.target");
        return target == null || String.valueOf(target).isBlank() ? CacheComponent.DEFAULT_DELEGATE : String.valueOf(target);
    }
}
