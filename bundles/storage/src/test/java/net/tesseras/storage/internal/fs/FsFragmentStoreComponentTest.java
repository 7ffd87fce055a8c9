package net.tesseras.storage.internal.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import net.tesseras.common.internal.DataDirectory;
import net.tesseras.common.internal.PublishedProblem;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.InsufficientStorageException;
import net.tesseras.storage.StoreUnavailableException;
import net.tesseras.storage.internal.db.DatabaseConfig;
import net.tesseras.storage.internal.db.SqliteDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;

/** The fs store's component as DS drives it: activated once, then modified for each change of its file. */
class FsFragmentStoreComponentTest {

    @TempDir
    Path data;

    private SqliteDatabase db;
    private final List<Object> registered = new ArrayList<>();
    private final List<Dictionary<String, ?>> propertiesSet = new ArrayList<>();
    private final AtomicInteger unregistered = new AtomicInteger();
    private final List<String> problems = new ArrayList<>();
    private final Random random = new Random(7);
    private final String pid = FsFragmentStoreComponent.PID + "~test" + System.nanoTime();

    @BeforeEach
    void open() {
        db = SqliteDatabase.open(DatabaseConfig.file(data.resolve("db/tesseras.db")));
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void changesThatLeaveTheRootKeepTheSameStoreServingAndNoPutInFlightFails() throws Exception {
        FsFragmentStoreComponent component = component(props("fragments", "64", "10"));
        FsFragmentStore opened = component.store();
        FragmentStore served = (FragmentStore) registered.get(0);

        ExecutorService writers = Executors.newFixedThreadPool(4);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger stored = new AtomicInteger();
        List<Future<?>> running = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            running.add(writers.submit(() -> {
                while (!stop.get()) {
                    byte[] bytes = bytes(2000);
                    served.store(id(bytes), ByteBuffer.wrap(bytes));
                    stored.incrementAndGet();
                }
                return null;
            }));
        }
        for (int i = 0; i < 30; i++) {
            // A new reserve, a new ranking, a refused value, and the file saved unchanged.
            component.modified(props("fragments", String.valueOf(64 + i % 2), String.valueOf(10 + i % 3)));
            component.modified(props("fragments", "abc", "10"));
            component.modified(props("fragments", "64", "10"));
        }
        stop.set(true);
        for (Future<?> f : running) {
            f.get(60, TimeUnit.SECONDS); // rethrows the first failed put
        }
        writers.shutdown();

        assertTrue(stored.get() > 0);
        assertSame(opened, component.store(), "the same store instance serves: not re-opened, not reconciled again");
        assertEquals(1, registered.size(), "registered once");
        assertEquals(0, unregistered.get(), "never withdrawn");
        assertTrue(propertiesSet.stream().anyMatch(p -> Integer.valueOf(12).equals(p.get("service.ranking"))),
                "a new ranking is applied to the registration in place");

        // The reserve applies live: more than the volume has free refuses every put.
        component.modified(props("fragments", String.valueOf(Long.MAX_VALUE >> 21), "10"));
        byte[] bytes = bytes(100);
        assertThrows(InsufficientStorageException.class, () -> served.store(id(bytes), ByteBuffer.wrap(bytes)));
        assertSame(opened, component.store());
        component.deactivate();
    }

    @Test
    void aNewRootReopensTheStoreAndTheOldServiceRefusesWithARetryableError() throws Exception {
        FsFragmentStoreComponent component = component(props("fragments", "64", "10"));
        FragmentStore old = (FragmentStore) registered.get(0);
        FsFragmentStore before = component.store();
        // The volume now reached at another path (its marker comes along, so the index accepts it).
        Files.createSymbolicLink(data.resolve("volume2"), data.resolve("fragments"));

        component.modified(props("volume2", "64", "10"));

        assertEquals(2, registered.size());
        assertEquals(1, unregistered.get());
        assertTrue(component.store() != before && component.store().root().endsWith("volume2"), String.valueOf(component.store()));
        byte[] bytes = bytes(100);
        StoreUnavailableException e = assertThrows(StoreUnavailableException.class, () -> old.store(id(bytes), ByteBuffer.wrap(bytes)));
        assertTrue(e.getMessage().contains("retry"), e.getMessage());
        ((FragmentStore) registered.get(1)).store(id(bytes), ByteBuffer.wrap(bytes));
        component.deactivate();
    }

    @Test
    void aRootThatNeverOpenedLeavesTheStoreDownAsAProblemAndFixingTheFileRecoversItLive() throws Exception {
        Files.writeString(data.resolve("a-file"), "not a directory");
        FsFragmentStoreComponent component = component(props("a-file", "64", "10"));
        assertEquals(0, registered.size());
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("stays down until"), problems.get(0));

        component.modified(props("fragments", "64", "10"));
        assertEquals(1, registered.size(), "opened by the modified configuration, without a restart");
        assertTrue(problems.isEmpty(), problems.toString());
        component.deactivate();
    }

    private FsFragmentStoreComponent component(Map<String, Object> props) {
        FsFragmentStoreComponent component = new FsFragmentStoreComponent();
        component.bindDatabase(db, Map.of());
        component.activate(context(), props);
        return component;
    }

    private Map<String, Object> props(String root, String reserve, String ranking) {
        Map<String, Object> p = new HashMap<>();
        p.put("service.pid", pid);
        p.put("root", root);
        p.put("free.space.reserve.mb", reserve);
        p.put("service.ranking", ranking);
        return p;
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private FragmentId id(byte[] bytes) {
        byte[] t = new byte[32];
        random.nextBytes(t);
        return new FragmentId(ContentHash.of(t), 0, false, Blake3Hashing.hash(bytes));
    }

    /** Records what the component registers; a problem (PublishedProblem) is kept while registered. */
    private BundleContext context() {
        ClassLoader loader = getClass().getClassLoader();
        return (BundleContext) Proxy.newProxyInstance(loader, new Class<?>[] {BundleContext.class}, (p, m, a) -> switch (m.getName()) {
            case "getProperty" -> DataDirectory.PROPERTY.equals(a[0]) ? data.toString() : null;
            case "registerService" -> {
                Dictionary<?, ?> props = (Dictionary<?, ?>) a[2];
                Object problem = props == null ? null : props.get(PublishedProblem.PROPERTY);
                if (problem != null) {
                    problems.add(String.valueOf(problem));
                } else {
                    registered.add(a[1]);
                }
                yield registration(problem == null ? null : String.valueOf(problem));
            }
            default -> throw new UnsupportedOperationException(m.getName());
        });
    }

    @SuppressWarnings("unchecked")
    private ServiceRegistration<?> registration(String problem) {
        return (ServiceRegistration<?>) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ServiceRegistration.class},
                (p, m, a) -> switch (m.getName()) {
                    case "unregister" -> {
                        if (problem != null) {
                            problems.remove(problem);
                        } else {
                            unregistered.incrementAndGet();
                        }
                        yield null;
                    }
                    case "setProperties" -> propertiesSet.add((Dictionary<String, ?>) a[0]) ? null : null;
                    case "getReference" -> (ServiceReference<?>) null;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }
}
