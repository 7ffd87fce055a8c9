package net.tesseras.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import java.util.Dictionary;
import java.util.Hashtable;
import javax.inject.Inject;
import net.tesseras.database.Database;
import net.tesseras.database.Synchronous;
import net.tesseras.storage.FragmentStore;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;

@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DatabaseConfigurationIT {

    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configurationAdmin;

    @Inject
    private Database database;

    @Configuration
    public Option[] config() {
        return TesserasOptions.node("database");
    }

    @Test
    public void aNewDatabasePathSwitchesTheDatabaseAndTheStoresFollowIt() throws Exception {
        FragmentStore before = fs();
        byte[] bytes = StorageServiceIT.randomBytes(300, 11);
        before.store(StorageServiceIT.id(bytes, 0), java.nio.ByteBuffer.wrap(bytes));
        String oldLocation = (String) context.getServiceReference(Database.class).getProperty("database.location");

        org.osgi.service.cm.Configuration configuration = configurationAdmin.getConfiguration("net.tesseras.storage", "?");
        Dictionary<String, Object> properties = configuration.getProperties() == null ? new Hashtable<>()
                : configuration.getProperties();
        properties.put("path", "db/other.db");
        configuration.update(properties);

        long deadline = System.currentTimeMillis() + 20_000;
        // The old database is unregistered a moment before the new one is registered: poll past that gap.
        while (System.currentTimeMillis() < deadline && (location() == null || location().equals(oldLocation))) {
            Thread.sleep(50);
        }
        String newLocation = location();
        assertTrue(newLocation, newLocation.endsWith("db/other.db"));
        // That database never indexed the fs store's directory: the store refuses to open rather than
        // treat every file as an orphan, and nothing on disk is touched.
        deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline && fsReferences() > 0) {
            Thread.sleep(50);
        }
        assertEquals(0, fsReferences());

        // Back to the original database: the store returns with its fragment.
        properties.put("path", "db/tesseras.db");
        configuration.update(properties);
        deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline && fsReferences() == 0) {
            Thread.sleep(50);
        }
        assertEquals(1, fs().stats().fragments());
        assertTrue(fs().verify(StorageServiceIT.id(bytes, 0).tessera()).get(0).ok());
    }

    private String location() {
        ServiceReference<Database> reference = context.getServiceReference(Database.class);
        return reference == null ? null : (String) reference.getProperty("database.location");
    }

    private int fsReferences() throws Exception {
        var references = context.getServiceReferences(FragmentStore.class, "(store.name=fs)");
        return references.size();
    }

    private FragmentStore fs() throws Exception {
        ServiceReference<FragmentStore> reference =
                context.getServiceReferences(FragmentStore.class, "(store.name=fs)").iterator().next();
        return context.getService(reference);
    }

    @Test
    public void aConfigurationChangeReachesTheDatabaseWithoutRestartingIt() throws Exception {
        ServiceReference<Database> before = context.getServiceReference(Database.class);
        assertNotNull(before);
        assertEquals(Synchronous.NORMAL, database.settings().synchronous());

        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put("synchronous", "FULL");
        properties.put("busy.timeout.ms", 4321);
        properties.put("cache.size.kib", 32000L);
        configurationAdmin.getConfiguration("net.tesseras.storage", "?").update(properties);

        long deadline = System.currentTimeMillis() + 20_000;
        while (database.settings().synchronous() != Synchronous.FULL && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(Synchronous.FULL, database.settings().synchronous());
        assertEquals(4321, database.settings().busyTimeoutMillis());
        assertEquals(32000, database.settings().cacheSizeKiB());
        ServiceReference<Database> after = context.getServiceReference(Database.class);
        assertEquals("the same service, not a restarted one", before.getProperty("service.id"), after.getProperty("service.id"));
        assertSame(database, context.getService(after));
        context.ungetService(after);

        // The fs store follows the database's durability: with FULL it also fsyncs directories.
        FragmentStore fs = context.getService(context.getServiceReferences(FragmentStore.class, "(store.name=fs)")
                .iterator().next());
        deadline = System.currentTimeMillis() + 20_000;
        while (!fs.toString().contains("directories") && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(fs.toString(), fs.toString().contains("fsync: files and directories"));
    }
}
