package net.tesseras.replication.internal;

import java.util.Map;
import java.util.function.Supplier;
import net.tesseras.common.internal.StoreBinding;
import net.tesseras.storage.FragmentStore;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The store whose bytes are on disk behind the one replication binds: a challenge must be answered
 * from the bytes the node keeps, never from a copy in the fragment cache (a fragment cached before
 * it rotted on disk would pass every challenge until evicted). The cache front names its backend in
 * its service property {@value #DELEGATE_NAME}; without a cache the bound store is the backend.
 */
final class DiskStores implements Supplier<FragmentStore>, AutoCloseable {

    /** The cache front's service property naming the backend it reads through to. */
    static final String DELEGATE_NAME = "delegate.store.name";

    private final StoreBinding stores;
    private final ServiceTracker<FragmentStore, FragmentStore> backends;

    DiskStores(BundleContext context, StoreBinding stores) {
        this.stores = stores;
        this.backends = new ServiceTracker<>(context, FragmentStore.class, null);
        backends.open();
    }

    /** The backend behind the bound store, the bound store when it is one, or null when there is none now. */
    @Override
    public FragmentStore get() {
        StoreBinding.Bound bound = stores.current();
        if (bound == null) {
            return null;
        }
        Map<String, Object> properties = bound.properties();
        if (!FragmentStore.ROLE_FRONT.equals(properties.get(FragmentStore.ROLE))) {
            return bound.store();
        }
        Object backend = properties.get(DELEGATE_NAME);
        ServiceReference<FragmentStore>[] references = backends.getServiceReferences();
        if (backend == null || references == null) {
            return null;
        }
        ServiceReference<FragmentStore> best = null;
        for (ServiceReference<FragmentStore> reference : references) {
            if (FragmentStore.ROLE_BACKEND.equals(reference.getProperty(FragmentStore.ROLE))
                    && backend.equals(reference.getProperty(FragmentStore.NAME))
                    && (best == null || reference.compareTo(best) > 0)) {
                best = reference;
            }
        }
        return best == null ? null : backends.getService(best);
    }

    @Override
    public void close() {
        backends.close();
    }
}
