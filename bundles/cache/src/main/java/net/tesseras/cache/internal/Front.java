package net.tesseras.cache.internal;

import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.StoreStats;
import net.tesseras.storage.VerifyResult;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;

/**
 * A front store ({@code store.role=front}) serving one backend through the node's cache. The
 * registered service object stays the same while the backend is swapped underneath it, so
 * consumers never see a failed read; after {@link #unregister()} it keeps serving through its last
 * backend for consumers that still hold it for a moment.
 */
final class Front implements FragmentStore {

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
        if (backend == null || backend == this || backend instanceof Front) {
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

    private CachingFragmentStore target() {
        return current;
    }

    @Override
    public FragmentInfo store(FragmentId id, ByteBuffer data) {
        return target().store(id, data);
    }

    @Override
    public FragmentInfo store(FragmentId id, ReadableByteChannel source, long size) {
        return target().store(id, source, size);
    }

    @Override
    public Optional<ByteBuffer> read(ContentHash tessera, int index) {
        return target().read(tessera, index);
    }

    @Override
    public boolean delete(ContentHash tessera, int index) {
        return target().delete(tessera, index);
    }

    @Override
    public List<FragmentInfo> fragments(ContentHash tessera) {
        return target().fragments(tessera);
    }

    @Override
    public List<ContentHash> tesseras() {
        return target().tesseras();
    }

    @Override
    public List<VerifyResult> verify(ContentHash tessera) {
        return target().verify(tessera);
    }

    @Override
    public StoreStats stats() {
        return target().stats();
    }

    @Override
    public String toString() {
        return String.valueOf(target());
    }
}
