package net.tesseras.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.function.BooleanSupplier;
import javax.inject.Inject;
import net.tesseras.database.Database;
import net.tesseras.storage.FragmentStore;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
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
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * The configuration rule (docs/OPERATOR.md, "Configuration errors") and the rule on backends
 * (DESIGN.md section 4) in a running framework: a bad value never takes a component down, a
 * component that never had a good configuration is reported failed and comes back when the file
 * is fixed, and with the configured store down nothing writes to another one.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ConfigurationErrorsIT {

    private static final String DATABASE = "net.tesseras.storage.internal.db.DatabaseComponent";
    private static final String FS = "net.tesseras.storage.internal.fs.FsFragmentStoreComponent";
    private static final String SHELL = "net.tesseras.shell.internal.LocalShellServer";
    private static final String STORAGE_COMMANDS = "net.tesseras.shell.internal.StorageCommands";
    private static final String CACHE = "net.tesseras.cache.internal.CacheComponent";
    private static final String SQLITE = "net.tesseras.storage.sqlite.internal.SqliteFragmentStoreComponent";
    /** The real main cache front, not the one standing in for it while its backend is missing. */
    private static final String MAIN_FRONT = "(&(store.role=front)(!(front.name=*))(!(front.refusing=*)))";
    private static final String REFUSING_FRONT = "(&(store.role=front)(front.refusing=true))";

    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configurationAdmin;

    @Inject
    private ServiceComponentRuntime scr;

    @Configuration
    public Option[] config() {
        return TesserasOptions.node("config-errors");
    }

    @Test
    public void badValuesWhileRunningAreRefusedAndEveryComponentKeepsRunning() throws Exception {
        await("the fs store", () -> count("(store.name=fs)") == 1);
        update("net.tesseras.storage.fs", "free.space.reserve.mb", "abc");
        update("net.tesseras.storage.fs", "store.name", "");
        // A root it cannot open (a file, not a directory): the store goes back to its last good root.
        update("net.tesseras.storage.fs", "root", "db/tesseras.db");
        update("net.tesseras.cache", "size.mb", "lots");
        update("net.tesseras.shell", "max.concurrent", "abc");
        update("net.tesseras.storage", "cache.size.kib", "-5");
        try {
            // Each change reached its component (DS re-creates the fs store and the shell for a change),
            // which runs on: the bad value was refused, not applied and not fatal.
            await("the fs store configured", () -> activeWith(FS, "free.space.reserve.mb", "abc")
                    && activeWith(FS, "root", "db/tesseras.db") && activeWith(FS, "store.name", ""));
            await("the cache configured", () -> activeWith(CACHE, "size.mb", "lots"));
            await("the shell configured", () -> activeWith(SHELL, "max.concurrent", "abc"));
            await("the database configured", () -> activeWith(DATABASE, "cache.size.kib", "-5"));
            await("the fs store", () -> count("(store.name=fs)") == 1);
            await("the cache front", () -> count("(store.role=front)") == 1);
            FragmentStore front = context.getService(context.getServiceReferences(FragmentStore.class, "(store.role=front)")
                    .iterator().next());
            byte[] bytes = StorageServiceIT.randomBytes(1234, 77);
            front.store(StorageServiceIT.id(bytes, 0), ByteBuffer.wrap(bytes));
            assertTrue(front.read(StorageServiceIT.id(bytes, 0).tessera(), 0).isPresent());
            Database database = context.getService(context.getServiceReference(Database.class));
            assertEquals("the page cache kept its value", 64000, database.settings().cacheSizeKiB());
            FragmentStore fs = context.getService(context.getServiceReferences(FragmentStore.class, "(store.name=fs)")
                    .iterator().next());
            assertTrue("the fs store kept its root: " + fs, fs.toString().contains("fragments"));
        } finally {
            update("net.tesseras.storage.fs", "free.space.reserve.mb", null);
            update("net.tesseras.storage.fs", "store.name", null);
            update("net.tesseras.storage.fs", "root", null);
            update("net.tesseras.cache", "size.mb", null);
            update("net.tesseras.shell", "max.concurrent", null);
            update("net.tesseras.storage", "cache.size.kib", null);
        }
    }

    /**
     * A database whose configuration was never good is reported as failed activation, with the
     * key and the value, and comes back as soon as the file is fixed: before, SCR kept it failed
     * (its modified method is called on an instance that does not exist) until a restart.
     */
    @Test
    public void aDatabaseNeverConfiguredCorrectlyIsReportedFailedAndFixingTheFileRecoversIt() throws Exception {
        await("the database", () -> context.getServiceReference(Database.class) != null);
        Bundle storage = bundle("net.tesseras.storage");
        update("net.tesseras.storage", "cache.size.kib", "abc");
        // A new revision of the bundle forgets every last good value, as a restart of the node does.
        storage.update();
        try {
            await("the database failed", () -> state(DATABASE) == ComponentConfigurationDTO.FAILED_ACTIVATION);
            String failure = failure(DATABASE);
            assertTrue(failure, failure.contains("cache.size.kib = 'abc' refused"));
            assertTrue(failure, failure.contains("the database stays down until"));
            assertEquals(0, context.getServiceReferences(Database.class, null).size());
            assertEquals("no fs store without its database", 0, count("(store.name=fs)"));

            update("net.tesseras.storage", "cache.size.kib", "32000");
            await("the database back", () -> context.getServiceReference(Database.class) != null);
            await("the fs store back", () -> count("(store.name=fs)") == 1);
            await("the database component active", () -> state(DATABASE) == ComponentConfigurationDTO.ACTIVE);
            Database database = context.getService(context.getServiceReference(Database.class));
            assertEquals(32000, database.settings().cacheSizeKiB());
        } finally {
            update("net.tesseras.storage", "cache.size.kib", null);
        }
    }

    /**
     * With the fs store down the shell does not write to the sqlite store: the write is refused
     * naming the missing store, and works again when the fs store returns.
     */
    @Test
    public void withTheConfiguredStoreDownWritesAreRefusedAndNeverGoToAnotherBackend() throws Exception {
        await("the fs store", () -> count("(store.name=fs)") == 1);
        await("the sqlite store", () -> count("(store.name=sqlite)") == 1);
        await("the cache front", () -> count("(store.role=front)") == 1);
        FragmentStore sqlite = context.getService(context.getServiceReferences(FragmentStore.class, "(store.name=sqlite)")
                .iterator().next());
        long sqliteBefore = sqlite.stats().fragments();
        Path file = Files.createTempFile(Path.of(System.getProperty("java.io.tmpdir")), "letter", ".txt");
        Files.writeString(file, "written while fs was down " + System.nanoTime());

        ComponentDescriptionDTO fs = scr.getComponentDescriptionDTO(bundle("net.tesseras.storage"), FS);
        scr.disableComponent(fs).getValue();
        try {
            await("the fs store gone", () -> count("(store.name=fs)") == 0);
            await("the cache front gone (its backend is missing)", () -> count(MAIN_FRONT) == 0);
            await("the refusing front in its place", () -> count(REFUSING_FRONT) == 1);
            assertEquals("the sqlite store is still there", 1, count("(store.name=sqlite)"));
            awaitStatus("none: the configured fragment store is not available");

            String refused = gogoFailure("tesseras:put " + file);
            assertTrue(refused, refused.contains("the configured fragment store is not available"));
            assertTrue(refused, refused.contains("(store.name=fs)"));
            assertTrue(refused, refused.contains("delegate.target"));
            assertEquals("nothing went to the sqlite store", sqliteBefore, sqlite.stats().fragments());
            String status = gogo("tesseras:status");
            String storeLine = status.lines().filter(l -> l.startsWith("Fragment store")).findFirst().orElse("");
            assertTrue(status, storeLine.contains("none: the configured fragment store is not available"));
            assertFalse(status, storeLine.contains("sqlite"));
        } finally {
            scr.enableComponent(fs).getValue();
        }
        await("the fs store back", () -> count("(store.name=fs)") == 1);
        await("the cache front back", () -> count(MAIN_FRONT) == 1);
        await("the refusing front withdrawn", () -> count(REFUSING_FRONT) == 0);
        await("the shell bound again", () -> {
            try {
                return gogo("tesseras:status").contains("cache>fs");
            } catch (Exception e) {
                return false;
            }
        });
        String stored = gogo("tesseras:put " + file);
        assertTrue(stored, stored.contains("in store cache>fs"));
        assertEquals(sqliteBefore, sqlite.stats().fragments());
    }

    /**
     * The cache pointed at the sqlite store, which then goes down: the shell does not fall back to
     * the fs store (the consumers' default when no cache front is there). The write is refused
     * naming the missing store and the key that selects it, nothing reaches fs, and writes work
     * again when sqlite returns. Only with the cache bundle stopped do consumers use fs.
     */
    @Test
    public void withTheCachesConfiguredBackendDownWritesAreRefusedAndNeverGoToTheFsStore() throws Exception {
        await("the fs store", () -> count("(store.name=fs)") == 1);
        await("the sqlite store", () -> count("(store.name=sqlite)") == 1);
        await("the cache front", () -> count(MAIN_FRONT) == 1);
        FragmentStore fs = context.getService(context.getServiceReferences(FragmentStore.class, "(store.name=fs)")
                .iterator().next());
        long fsBefore = fs.stats().fragments();
        Path file = Files.createTempFile(Path.of(System.getProperty("java.io.tmpdir")), "letter", ".txt");
        Files.writeString(file, "written while sqlite was down " + System.nanoTime());
        Bundle cacheBundle = bundle("net.tesseras.cache");

        update("net.tesseras.cache", "delegate.target", "(&(store.role=backend)(store.name=sqlite))");
        try {
            await("the cache in front of sqlite", () -> count("(&(store.role=front)(delegate.store.name=sqlite))") == 1);
            awaitStatus("cache>sqlite");
            ComponentDescriptionDTO sqlite = scr.getComponentDescriptionDTO(bundle("net.tesseras.storage.sqlite"), SQLITE);
            scr.disableComponent(sqlite).getValue();
            try {
                await("the sqlite store gone", () -> count("(store.name=sqlite)") == 0);
                await("the cache front gone (its backend is missing)", () -> count(MAIN_FRONT) == 0);
                await("the refusing front in its place", () -> count(REFUSING_FRONT) == 1);
                assertEquals("the fs store is still there", 1, count("(store.name=fs)"));
                awaitStatus("none: the configured fragment store is not available");

                String refused = gogoFailure("tesseras:put " + file);
                assertTrue(refused, refused.contains("the configured fragment store is not available"));
                assertTrue(refused, refused.contains("(store.name=sqlite)"));
                assertTrue(refused, refused.contains("delegate.target"));
                assertTrue(refused, refused.contains("etc/net.tesseras.cache.cfg"));
                assertEquals("nothing went to the fs store", fsBefore, fs.stats().fragments());
                String listing = gogoFailure("tesseras:fragments");
                assertTrue(listing, listing.contains("(store.name=sqlite)"));

                // Without the cache bundle consumers use the fs backend, as documented; with it back, they are refused again.
                cacheBundle.stop();
                try {
                    await("no front at all", () -> count("(store.role=front)") == 0);
                    awaitStatus("Fragment store     fs (backend)");
                } finally {
                    cacheBundle.start();
                }
                await("the refusing front back", () -> count(REFUSING_FRONT) == 1);
                awaitStatus("none: the configured fragment store is not available");
                assertTrue(gogoFailure("tesseras:put " + file).contains("(store.name=sqlite)"));
                assertEquals("nothing went to the fs store", fsBefore, fs.stats().fragments());
            } finally {
                scr.enableComponent(sqlite).getValue();
            }
            await("the sqlite store back", () -> count("(store.name=sqlite)") == 1);
            await("the cache front back", () -> count(MAIN_FRONT) == 1);
            await("the refusing front withdrawn", () -> count(REFUSING_FRONT) == 0);
            awaitStatus("cache>sqlite");
            String stored = gogo("tesseras:put " + file);
            assertTrue(stored, stored.contains("in store cache>sqlite"));
            assertEquals("nothing went to the fs store", fsBefore, fs.stats().fragments());
        } finally {
            update("net.tesseras.cache", "delegate.target", null);
        }
        await("the cache in front of fs", () -> count("(&(store.role=front)(delegate.store.name=fs))") == 1);
        awaitStatus("cache>fs");
    }

    /**
     * store.target follows the one rule: DS used to apply it itself, silently. A filter that matches
     * no store binds none (writes refused naming it, a problem published for /health), never
     * another store; an invalid filter is refused and the last good target kept.
     */
    @Test
    public void storeTargetMatchingNoStoreIsAProblemAndAnInvalidOneKeepsTheLastGood() throws Exception {
        await("the fs store", () -> count("(store.name=fs)") == 1);
        await("the sqlite store", () -> count("(store.name=sqlite)") == 1);
        awaitStatus("cache>fs");
        Path file = Files.createTempFile(Path.of(System.getProperty("java.io.tmpdir")), "letter", ".txt");
        Files.writeString(file, "written with a store.target that names no store " + System.nanoTime());
        try {
            update("net.tesseras.shell", "store.target", "(store.name=nosuch)");
            awaitStatus("none: the configured fragment store is not available");
            await("the problem published for /health", () -> problems().stream().anyMatch(p -> p.contains("(store.name=nosuch)")));
            String refused = gogoFailure("tesseras:put " + file);
            assertTrue(refused, refused.contains("(store.name=nosuch)") && refused.contains("etc/net.tesseras.shell.cfg"));

            update("net.tesseras.shell", "store.target", "(store.name=sqlite)");
            awaitStatus("Fragment store     sqlite");
            await("the problem withdrawn", () -> problems().isEmpty());

            update("net.tesseras.shell", "store.target", "(store.name=fs");
            await("the storage commands configured", () -> activeWith(STORAGE_COMMANDS, "store.target", "(store.name=fs"));
            awaitStatus("Fragment store     sqlite");
            assertTrue(problems().toString(), problems().isEmpty());
        } finally {
            update("net.tesseras.shell", "store.target", null);
        }
        awaitStatus("cache>fs");
    }

    @SuppressWarnings("rawtypes")
    private java.util.List<String> problems() {
        try {
            Collection<ServiceReference<java.util.function.Supplier>> refs =
                    context.getServiceReferences(java.util.function.Supplier.class, "(tesseras.problem=*)");
            return refs.stream().map(r -> String.valueOf(r.getProperty("tesseras.problem"))).toList();
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new AssertionError(e);
        }
    }

    /** Waits until tesseras:status prints {@code text} (the shell follows service events on its own thread). */
    private void awaitStatus(String text) throws InterruptedException {
        await("tesseras:status showing " + text, () -> {
            try {
                return gogo("tesseras:status").contains(text);
            } catch (Exception e) {
                return false;
            }
        });
    }

    private void update(String pid, String key, Object value) throws Exception {
        org.osgi.service.cm.Configuration configuration = configurationAdmin.getConfiguration(pid, "?");
        Dictionary<String, Object> properties = configuration.getProperties() == null ? new Hashtable<>()
                : configuration.getProperties();
        if (value == null) {
            properties.remove(key);
        } else {
            properties.put(key, value);
        }
        configuration.update(properties);
    }

    private int state(String componentName) {
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            if (d.name.equals(componentName)) {
                Collection<ComponentConfigurationDTO> configurations = scr.getComponentConfigurationDTOs(d);
                return configurations.isEmpty() ? -1 : configurations.iterator().next().state;
            }
        }
        return -1;
    }

    /** Whether the component is active with configuration property {@code key} = {@code value}. */
    private boolean activeWith(String componentName, String key, String value) {
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            if (d.name.equals(componentName)) {
                for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                    if (c.state == ComponentConfigurationDTO.ACTIVE && value.equals(String.valueOf(c.properties.get(key)))) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private String failure(String componentName) {
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            if (d.name.equals(componentName)) {
                for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                    if (c.failure != null) {
                        return c.failure;
                    }
                }
            }
        }
        return "";
    }

    private int count(String filter) {
        try {
            return context.getServiceReferences(FragmentStore.class, filter).size();
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new AssertionError(e);
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

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                fail("not within 30 s: " + what);
            }
            Thread.sleep(20);
        }
    }

    private String gogo(String command) throws Exception {
        ServiceReference<CommandProcessor> ref = context.getServiceReference(CommandProcessor.class);
        assertNotNull(ref);
        CommandProcessor processor = context.getService(ref);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        try (CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), print, print)) {
            Object result = session.execute(command);
            return out.toString(StandardCharsets.UTF_8) + (result == null ? "" : result);
        } finally {
            context.ungetService(ref);
        }
    }

    private String gogoFailure(String command) throws Exception {
        try {
            String output = gogo(command);
            throw new AssertionError("expected '" + command + "' to fail, it printed: " + output);
        } catch (AssertionError e) {
            throw e;
        } catch (Exception e) {
            return String.valueOf(e.getMessage());
        }
    }
}
