package net.tesseras.itest;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
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
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;

@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class CacheSwapIT {

    private static final int FRAGMENTS = 64;
    private static final int READS_PER_STEP = 50;

    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configurationAdmin;

    @Configuration
    public Option[] config() {
        return TesserasOptions.node("cache");
    }

    /** The node runs its QUIC transport, as a deployed node does, while the rest is tested. */
    @Before
    public void startTransport() throws Exception {
        TesserasOptions.startTransport(context);
    }

    @Test
    public void policyAndBackendSwapLiveWithoutAFailedReadAndTheCacheBundleCanComeAndGo() throws Exception {
        FragmentStore fs = backend("fs");
        FragmentStore sqlite = backend("sqlite");
        List<FragmentId> ids = new ArrayList<>();
        List<byte[]> contents = new ArrayList<>();
        for (int i = 0; i < FRAGMENTS; i++) {
            byte[] bytes = StorageServiceIT.randomBytes(2048 + i, 100 + i);
            FragmentId id = StorageServiceIT.id(bytes, i);
            // Both backends hold the same fragments, so every read must succeed whichever serves.
            fs.store(id, ByteBuffer.wrap(bytes));
            sqlite.store(id, ByteBuffer.wrap(bytes));
            ids.add(id);
            contents.add(bytes);
        }
        byte[] onlyInSqlite = StorageServiceIT.randomBytes(999, 7);
        FragmentId sqliteOnly = StorageServiceIT.id(onlyInSqlite, 0);
        sqlite.store(sqliteOnly, ByteBuffer.wrap(onlyInSqlite));

        // A consumer that, like the shell, always uses the best-ranked FragmentStore.
        ServiceTracker<FragmentStore, FragmentStore> best = new ServiceTracker<>(context, FragmentStore.class, null);
        best.open();
        try {
            awaitRole(best, FragmentStore.ROLE_FRONT);
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong reads = new AtomicLong();
            ExecutorService readers = Executors.newFixedThreadPool(4);
            List<Future<?>> failures = new ArrayList<>();
            for (int r = 0; r < 4; r++) {
                int seed = r;
                failures.add(readers.submit(() -> {
                    Random pick = new Random(seed);
                    while (running.get()) {
                        int i = pick.nextInt(FRAGMENTS);
                        FragmentStore store = best.getService();
                        ByteBuffer read = store.read(ids.get(i).tessera(), i).orElseThrow(
                                () -> new AssertionError("fragment " + ids.get(i).index() + " not found through " + store));
                        assertArrayEquals(contents.get(i), StorageServiceIT.array(read));
                        reads.incrementAndGet();
                    }
                    return null;
                }));
            }
            awaitMoreReads(reads, failures);
            for (String policy : new String[] {"tiered", "none", "lru"}) {
                configureCache(policy, "(&(store.role=backend)(store.name=fs))");
                Await.until("the cache applies policy " + policy, () -> gogo("tesseras:cache").lines()
                        .anyMatch(l -> l.startsWith("Policy") && l.trim().endsWith(" " + policy)));
                awaitMoreReads(reads, failures);
            }
            assertFalse("served from fs: the sqlite-only fragment is not visible",
                    best.getService().read(sqliteOnly.tessera(), 0).isPresent());

            configureCache("lru", "(&(store.role=backend)(store.name=sqlite))");
            Await.until("after the swap, reads come from sqlite", () -> best.getService().read(sqliteOnly.tessera(), 0).isPresent());
            awaitMoreReads(reads, failures);
            assertEquals(FragmentStore.ROLE_FRONT, best.getServiceReference().getProperty(FragmentStore.ROLE));

            Bundle cache = bundle("net.tesseras.cache");
            cache.stop();
            assertEquals("without the cache, consumers fall back to the best backend", "fs",
                    best.getServiceReference().getProperty(FragmentStore.NAME));
            awaitMoreReads(reads, failures);
            cache.start();
            awaitRole(best, FragmentStore.ROLE_FRONT);
            awaitMoreReads(reads, failures);

            running.set(false);
            for (Future<?> f : failures) {
                f.get(); // any failed read fails the test here
            }
            readers.shutdown();
            assertTrue("reads happened: " + reads.get(), reads.get() > 100);
        } finally {
            best.close();
            configureCache("lru", "(&(store.role=backend)(store.name=fs))");
        }
    }

    @Test
    public void aSecondFrontSharesTheOneCacheAndItsBudget() throws Exception {
        configureCache("lru", "(&(store.role=backend)(store.name=fs))");
        org.osgi.service.cm.Configuration extra = configurationAdmin.getFactoryConfiguration(
                "net.tesseras.cache.front", "archive", "?");
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put("front.name", "archive");
        properties.put("delegate.target", "(&(store.role=backend)(store.name=sqlite))");
        extra.update(properties);
        try {
            FragmentStore archive = await("(front.name=archive)");
            FragmentStore main = await("(&(store.role=front)(delegate.store.name=fs))");
            byte[] a = StorageServiceIT.randomBytes(1500, 41);
            byte[] b = StorageServiceIT.randomBytes(1600, 42);
            FragmentId inFs = StorageServiceIT.id(a, 3);
            FragmentId inSqlite = StorageServiceIT.id(b, 4);
            main.store(inFs, ByteBuffer.wrap(a));
            archive.store(inSqlite, ByteBuffer.wrap(b));
            for (int i = 0; i < 3; i++) {
                main.read(inFs.tessera(), 3).orElseThrow();
                archive.read(inSqlite.tessera(), 4).orElseThrow();
            }
            assertFalse("each front serves its own backend", archive.read(inFs.tessera(), 3).isPresent());

            String report = gogo("tesseras:cache");
            assertTrue(report, report.lines().anyMatch(l -> l.startsWith("fs ")));
            assertTrue(report, report.lines().anyMatch(l -> l.startsWith("sqlite ")));
        } finally {
            extra.delete();
        }
    }

    private String gogo(String command) throws Exception {
        ServiceReference<org.apache.felix.service.command.CommandProcessor> ref =
                context.getServiceReference(org.apache.felix.service.command.CommandProcessor.class);
        org.apache.felix.service.command.CommandProcessor processor = context.getService(ref);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream print = new java.io.PrintStream(out, true);
        try (org.apache.felix.service.command.CommandSession session =
                processor.createSession(new java.io.ByteArrayInputStream(new byte[0]), print, print)) {
            Object result = session.execute(command);
            return result == null ? out.toString() : result.toString();
        } finally {
            context.ungetService(ref);
        }
    }

    private FragmentStore await(String filter) throws Exception {
        ServiceTracker<FragmentStore, FragmentStore> tracker = new ServiceTracker<>(context,
                context.createFilter("(&(objectClass=" + FragmentStore.class.getName() + ")" + filter + ")"), null);
        tracker.open();
        try {
            FragmentStore store = tracker.waitForService(20_000);
            if (store == null) {
                throw new AssertionError("no FragmentStore " + filter);
            }
            return store;
        } finally {
            tracker.close();
        }
    }

    private void configureCache(String policy, String target) throws Exception {
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put("policy", policy);
        properties.put("size.mb", 1L);
        properties.put("delegate.target", target);
        configurationAdmin.getConfiguration("net.tesseras.cache", "?").update(properties);
    }

    private static void awaitRole(ServiceTracker<FragmentStore, FragmentStore> tracker, String role) throws Exception {
        Await.until("a " + role + " FragmentStore ranks first", () -> {
            ServiceReference<FragmentStore> ref = tracker.getServiceReference();
            // Not the front the cache stands in with while it has no backend (front.refusing=true).
            return ref != null && role.equals(ref.getProperty(FragmentStore.ROLE)) && ref.getProperty("front.refusing") == null;
        });
    }

    /**
     * Waits until the readers did more reads from now, so each state of the node is read through, not
     * only reached; a reader that failed fails the test at once.
     */
    private static void awaitMoreReads(AtomicLong reads, List<Future<?>> readers) throws Exception {
        long target = reads.get() + READS_PER_STEP;
        Await.until(READS_PER_STEP + " more reads (" + reads.get() + " so far)", () -> {
            for (Future<?> reader : readers) {
                if (reader.isDone()) {
                    reader.get();
                    throw new AssertionError("a reader stopped while the test runs");
                }
            }
            return reads.get() >= target;
        });
    }

    private FragmentStore backend(String name) throws Exception {
        ServiceTracker<FragmentStore, FragmentStore> tracker = new ServiceTracker<>(context,
                context.createFilter("(&(objectClass=" + FragmentStore.class.getName() + ")(store.name=" + name + "))"), null);
        tracker.open();
        try {
            FragmentStore store = tracker.waitForService(30_000);
            if (store == null) {
                throw new AssertionError("no backend " + name);
            }
            return store;
        } finally {
            tracker.close();
        }
    }

    private Bundle bundle(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("no bundle " + symbolicName);
    }
}
