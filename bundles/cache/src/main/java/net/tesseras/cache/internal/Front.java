package net.tesseras.cache.internal;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import net.tesseras.common.internal.ForwardingFragmentStore;
import net.tesseras.storage.FragmentStore;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;

/**
 * A front store ({@code store.role=front}) serving one backend through the node's cache. The
 * registered service object stays the same while the backend is swapped underneath it, so
 * consumers never see a failed read; after {@link #unregister()} it keeps serving through its last
 * backend for consumers that still hold it for a moment.
 */
final class Front extends ForwardingFragmentStore {

    /** Service property of a front: the name of the store it currently serves from. */
    static final String DELEGATE_NAME = "delegate.store.name";

    private final FragmentCache cache;
    private final Map<String, Object> extraProperties;
    private volatile CachingFragmentStore current;
    private ServiceRegistration<FragmentStore> registration;

    Front(FragmentCache cache, Map<String, Object> extraProperties) {
        this.cache = cache;
        this.extraProperties = Map.copyOf(extraProperties);
    }

    /**
     * Serves from {@code backend} from now on. The old backend's entries leave the cache, even when
     * the new backend has the same name (a store re-opened on another root may not hold them).
     */
    synchronized void serveFrom(FragmentStore backend, Map<String, Object> properties) {
        if (backend == null || backend == this || backend instanceof Front || backend instanceof RefusingFront) {
            return; // never front a front, least of all ourselves
        }
        CachingFragmentStore previous = current;
        if (previous != null && previous.backend() == backend) {
            return;
        }
        current = new CachingFragmentStore(String.valueOf(properties.getOrDefault(FragmentStore.NAME, "?")), backend, cache);
        if (previous != null) {
            cache.invalidateStore(previous.storeName());
        }
        if (registration != null) {
            registration.setProperties(properties());
        }
    }

    synchronized void register(BundleContext context) {
        registration = context.registerService(FragmentStore.class, this, properties());
    }

    synchronized void unregister() {
        if (registration != null) {
            registration.unregister();
            registration = null;
        }
    }

    String delegateName() {
        CachingFragmentStore c = current;
        return c == null ? "none" : c.storeName();
    }

    private Dictionary<String, Object> properties() {
        Dictionary<String, Object> properties = new Hashtable<>(extraProperties);
        properties.put(FragmentStore.ROLE, FragmentStore.ROLE_FRONT);
        properties.put(DELEGATE_NAME, delegateName());
        properties.put(Constants.SERVICE_DESCRIPTION, "Tesseras fragment cache in front of " + delegateName());
        return properties;
    }

    @Override
    protected FragmentStore delegate() {
        return current;
    }
}
