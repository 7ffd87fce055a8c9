package net.tesseras.itest;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.inject.Inject;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.storage.ChecksumMismatchException;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.VerifyResult;
import org.apache.commons.codec.digest.Blake3;
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

@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class StorageServiceIT {

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() {
        return TesserasOptions.node("storage");
    }

    /** The node runs its QUIC transport, as a deployed node does, while the rest is tested. */
    @Before
    public void startTransport() throws Exception {
        TesserasOptions.startTransport(context);
    }

    @Test
    public void storesReadsListsAndVerifiesThroughTheServiceRegistry() throws Exception {
        FragmentStore store = backend("fs");
        byte[] bytes = randomBytes(10_000, 1);
        FragmentId id = id(bytes, 4);
        FragmentInfo info = store.store(id, ByteBuffer.wrap(bytes));
        assertEquals(10_000, info.size());
        assertArrayEquals(bytes, array(store.read(id.tessera(), 4).orElseThrow()));
        assertEquals(List.of(id), store.fragments(id.tessera()).stream().map(FragmentInfo::id).toList());
        assertTrue(store.tesseras().contains(id.tessera()));
        assertTrue(store.verify(id.tessera()).stream().allMatch(VerifyResult::ok));
    }

    @Test
    public void theSqliteBackendServesBesideTheFsBackend() throws Exception {
        FragmentStore sqlite = backend("sqlite");
        byte[] bytes = randomBytes(4_000, 9);
        FragmentId id = id(bytes, 1);
        sqlite.store(id, ByteBuffer.wrap(bytes));
        assertArrayEquals(bytes, array(sqlite.read(id.tessera(), 1).orElseThrow()));
        assertTrue(sqlite.verify(id.tessera()).get(0).ok());
        assertFalse("the backends keep separate fragments", backend("fs").read(id.tessera(), 1).isPresent());
    }

    @Test
    public void aWrongChecksumIsRefusedAndNothingIsKept() throws Exception {
        FragmentStore store = backend("fs");
        byte[] bytes = randomBytes(500, 2);
        FragmentId lying = new FragmentId(hash(new byte[] {9}), 0, false, hash(randomBytes(500, 3)));
        try {
            store.store(lying, ByteBuffer.wrap(bytes));
            fail("a fragment whose bytes do not match its checksum must be refused");
        } catch (ChecksumMismatchException expected) {
            assertEquals(hash(bytes), expected.actual());
        }
        assertFalse(store.read(lying.tessera(), 0).isPresent());
        assertTrue(store.fragments(lying.tessera()).isEmpty());
    }

    @Test
    public void aStoppedAndRestartedStorageBundleComesBackWithItsData() throws Exception {
        FragmentStore store = backend("fs");
        byte[] bytes = randomBytes(2_000, 4);
        FragmentId id = id(bytes, 0);
        store.store(id, ByteBuffer.wrap(bytes));

        Bundle storage = bundle("net.tesseras.storage");
        storage.stop();
        assertEquals(0, references("(" + FragmentStore.NAME + "=fs)").size());
        storage.start();

        FragmentStore again = backend("fs");
        assertArrayEquals(bytes, array(again.read(id.tessera(), 0).orElseThrow()));
        assertTrue(again.verify(id.tessera()).get(0).ok());
    }

    @Test
    public void onlyTheApiBundleExportsPackagesAndOnlyItsApiPackages() {
        List<String> exported = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            String name = b.getSymbolicName();
            if (name != null && name.startsWith("net.tesseras.")) {
                String exports = b.getHeaders().get("Export-Package");
                if (exports != null) {
                    assertEquals("only the API bundle exports", "net.tesseras.api", name);
                    for (String clause : clauses(exports)) {
                        String pkg = clause.split(";")[0].trim();
                        assertFalse(pkg + " is an implementation package", pkg.contains(".internal"));
                        assertTrue(clause + " is versioned", clause.contains("version="));
                        exported.add(pkg);
                    }
                }
            }
        }
        assertTrue(exported.toString(), exported.containsAll(List.of("net.tesseras.core", "net.tesseras.storage", "net.tesseras.database",
                "net.tesseras.identity", "net.tesseras.transport", "net.tesseras.tessera", "net.tesseras.erasure")));
    }

    private FragmentStore backend(String name) throws Exception {
        ServiceTracker<FragmentStore, FragmentStore> tracker = new ServiceTracker<>(context,
                context.createFilter("(&(objectClass=" + FragmentStore.class.getName() + ")(" + FragmentStore.NAME + "=" + name
                        + ")(" + FragmentStore.ROLE + "=" + FragmentStore.ROLE_BACKEND + "))"), null);
        tracker.open();
        try {
            FragmentStore store = tracker.waitForService(30_000);
            assertNotNull("no FragmentStore " + name + " within 30 s", store);
            return store;
        } finally {
            tracker.close();
        }
    }

    private List<ServiceReference<FragmentStore>> references(String filter) throws Exception {
        return new ArrayList<>(context.getServiceReferences(FragmentStore.class, filter));
    }

    private Bundle bundle(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("no bundle " + symbolicName);
    }

    static FragmentId id(byte[] bytes, int index) {
        return new FragmentId(hash(("tessera-of-" + hash(bytes)).getBytes()), index, false, hash(bytes));
    }

    static ContentHash hash(byte[] bytes) {
        return ContentHash.of(Blake3.hash(bytes));
    }

    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] array(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }

    /** The clauses of a manifest header: commas inside quoted values (uses:="a,b") do not separate. */
    private static List<String> clauses(String header) {
        List<String> clauses = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (char c : header.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == ',' && !quoted) {
                clauses.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        clauses.add(current.toString());
        return clauses;
    }
}
