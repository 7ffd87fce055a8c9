package net.tesseras.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.options;

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
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The real metrics bundle in Felix with Micrometer and the servlet API it imports. HTTP itself
 * (Jetty, which needs SLF4J 2 where pax-exam brings 1.7) is covered end to end on the distribution.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class MetricsBundleIT {

    private static final String REGISTRY = "io.micrometer.core.instrument.MeterRegistry";

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() {
        String micrometer = System.getProperty("version.micrometer");
        String prometheus = System.getProperty("version.prometheus.metrics");
        return options(composite(TesserasOptions.node("metricsbundle")),
                mavenBundle("com.google.code.findbugs", "jsr305", "3.0.2"),
                mavenBundle("org.jspecify", "jspecify", "1.0.1"),
                mavenBundle("org.hdrhistogram", "HdrHistogram", "2.2.2"),
                mavenBundle("org.latencyutils", "LatencyUtils", "2.0.3"),
                mavenBundle("jakarta.activation", "jakarta.activation-api", "1.2.2"),
                mavenBundle("jakarta.xml.bind", "jakarta.xml.bind-api", "2.3.3"),
                mavenBundle("io.micrometer", "micrometer-commons", micrometer),
                mavenBundle("io.micrometer", "micrometer-observation", micrometer),
                mavenBundle("io.micrometer", "micrometer-core", micrometer),
                mavenBundle("io.prometheus", "prometheus-metrics-config", prometheus),
                mavenBundle("io.prometheus", "prometheus-metrics-model", prometheus),
                mavenBundle("io.prometheus", "prometheus-metrics-core", prometheus),
                mavenBundle("io.prometheus", "prometheus-metrics-tracer-common", prometheus),
                mavenBundle("io.prometheus", "prometheus-metrics-tracer-initializer", prometheus),
                mavenBundle("io.prometheus", "prometheus-metrics-tracer-otel", prometheus),
                mavenBundle("io.prometheus", "prometheus-metrics-tracer-otel-agent", prometheus),
                mavenBundle("io.prometheus", "prometheus-metrics-exposition-formats", prometheus),
                mavenBundle("io.prometheus", "prometheus-metrics-exposition-textformats", prometheus),
                mavenBundle("io.micrometer", "micrometer-registry-prometheus", micrometer),
                mavenBundle("org.apache.felix", "org.apache.felix.http.servlet-api", "6.1.0"),
                bundle(new File(System.getProperty("bundle.metrics")).toURI().toString()));
    }

    /** The node runs its QUIC transport, as a deployed node does, while the rest is tested. */
    @Before
    public void startTransport() throws Exception {
        TesserasOptions.startTransport(context);
    }

    @Test
    public void theRegistryAppearsStoresMoveItsCountersAndTheNodeOutlivesTheMetricsBundle() throws Exception {
        Object registry = awaitRegistry();
        FragmentStore front = front();
        byte[] bytes = StorageServiceIT.randomBytes(2048, 61);
        FragmentId id = StorageServiceIT.id(bytes, 0);
        double before = timerCount(registry, "tesseras.store.write", "fs");
        front.store(id, ByteBuffer.wrap(bytes));
        assertEquals(before + 1, timerCount(registry, "tesseras.store.write", "fs"), 0.0);

        Bundle metrics = installed("net.tesseras.metrics");
        metrics.stop();
        assertNull("the registry is gone", context.getServiceReference(REGISTRY));
        assertTrue("the node keeps serving", front().read(id.tessera(), 0).isPresent());

        metrics.start();
        Object again = awaitRegistry();
        front().read(id.tessera(), 0);
        byte[] more = StorageServiceIT.randomBytes(100, 62);
        front().store(StorageServiceIT.id(more, 1), ByteBuffer.wrap(more));
        assertEquals("meters are back, counting from the new registry", 1.0, timerCount(again, "tesseras.store.write", "fs"), 0.0);
    }

    private Object awaitRegistry() throws Exception {
        ServiceTracker<Object, Object> tracker = new ServiceTracker<>(context, context.createFilter("(objectClass=" + REGISTRY + ")"), null);
        tracker.open();
        try {
            Object registry = tracker.waitForService(30_000);
            assertNotNull("no MeterRegistry service", registry);
            Await.value("the fs store's write timer in the new registry", () -> findTimer(registry, "tesseras.store.write", "fs"));
            return registry;
        } finally {
            tracker.close();
        }
    }

    private static double timerCount(Object registry, String name, String store) throws Exception {
        Object timer = findTimer(registry, name, store);
        assertNotNull(name + " for " + store, timer);
        return ((Number) timer.getClass().getMethod("count").invoke(timer)).doubleValue();
    }

    /** registry.find(name).tag("store", store).timer(), by reflection: the probe does not import Micrometer. */
    private static Object findTimer(Object registry, String name, String store) throws Exception {
        Object search = registry.getClass().getMethod("find", String.class).invoke(registry, name);
        search = search.getClass().getMethod("tag", String.class, String.class).invoke(search, "store", store);
        return search.getClass().getMethod("timer").invoke(search);
    }

    private FragmentStore front() throws Exception {
        ServiceReference<FragmentStore> ref = context.getServiceReferences(FragmentStore.class, "(&(store.role=front)(!(front.refusing=*)))")
                .stream().findFirst().orElseThrow(() -> new AssertionError("no front store"));
        return context.getService(ref);
    }

    private Bundle installed(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("no bundle " + symbolicName);
    }
}
