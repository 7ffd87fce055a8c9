package net.tesseras.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.ByteBuffer;
import javax.inject.Inject;
import net.tesseras.core.FragmentId;
import net.tesseras.storage.FragmentStore;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The node runs without Micrometer; when Micrometer is installed later and a MeterRegistry service
 * appears, the meters of the cache and of the stores appear without restarting anything, and leave
 * with it.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class CacheMetricsIT {

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() {
        return TesserasOptions.node("metrics");
    }

    /** The node runs its QUIC transport, as a deployed node does, while the rest is tested. */
    @Before
    public void startTransport() throws Exception {
        TesserasOptions.startTransport(context);
    }

    @Test
    public void metersAppearWhenARegistryIsDeployedLaterAndLeaveWithIt() throws Exception {
        FragmentStore front = front();
        byte[] bytes = StorageServiceIT.randomBytes(3000, 31);
        FragmentId id = StorageServiceIT.id(bytes, 0);
        front.store(id, ByteBuffer.wrap(bytes));
        front.read(id.tessera(), 0); // works with no Micrometer in the framework at all
        for (Bundle b : context.getBundles()) {
            assertTrue("no Micrometer yet", b.getSymbolicName() == null || !b.getSymbolicName().startsWith("micrometer"));
        }

        install("bundle.jspecify");
        install("bundle.micrometer.commons");
        Bundle core = install("bundle.micrometer.core");
        Class<?> registryType = core.loadClass("io.micrometer.core.instrument.MeterRegistry");
        Object registry = core.loadClass("io.micrometer.core.instrument.simple.SimpleMeterRegistry")
                .getConstructor().newInstance();
        ServiceRegistration<?> registration = context.registerService(registryType.getName(), registry, null);
        try {
            front.read(id.tessera(), 0);
            front.read(id.tessera(), 0);
            Object hits = awaitMeter(registry, "tesseras.fragment.cache.hits", "functionCounter");
            assertNotNull("the cache's meters appear once a registry exists", hits);
            double count = (double) hits.getClass().getMethod("count").invoke(hits);
            assertTrue("hits counted: " + count, count >= 2);

            // The stores, running since before Micrometer existed, are measured too.
            assertNotNull(awaitMeter(registry, "tesseras.store.read", "timer"));
            byte[] more = StorageServiceIT.randomBytes(500, 32);
            front.store(StorageServiceIT.id(more, 1), ByteBuffer.wrap(more));
            Object writes = awaitMeter(registry, "tesseras.store.write", "timer");
            assertTrue((long) writes.getClass().getMethod("count").invoke(writes) >= 1);
        } finally {
            registration.unregister();
        }
        assertNull("meters are removed with the registry", find(registry, "tesseras.fragment.cache.hits", "functionCounter"));
        assertNull(find(registry, "tesseras.store.write", "timer"));
        front.read(id.tessera(), 0); // and the cache keeps serving
        assertEquals(Bundle.ACTIVE, core.getState());
    }

    private Bundle install(String property) throws Exception {
        Bundle bundle = context.installBundle(new File(System.getProperty(property)).toURI().toString());
        bundle.start();
        return bundle;
    }

    private static Object awaitMeter(Object registry, String name, String type) throws Exception {
        return Await.value("the " + type + " " + name + " in the registry", () -> find(registry, name, type));
    }

    /** registry.find(name).timer() and the like, by reflection: Micrometer was not there when this class loaded. */
    private static Object find(Object registry, String name, String type) throws Exception {
        Object search = registry.getClass().getMethod("find", String.class).invoke(registry, name);
        return search.getClass().getMethod(type).invoke(search);
    }

    private FragmentStore front() throws Exception {
        ServiceTracker<FragmentStore, FragmentStore> tracker = new ServiceTracker<>(context,
                context.createFilter("(&(objectClass=" + FragmentStore.class.getName() + ")(store.role=front)(!(front.refusing=*)))"), null);
        tracker.open();
        try {
            FragmentStore store = tracker.waitForService(30_000);
            assertNotNull("no front store", store);
            return store;
        } finally {
            tracker.close();
        }
    }
}
