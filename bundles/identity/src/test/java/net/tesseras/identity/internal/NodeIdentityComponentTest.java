package net.tesseras.identity.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.tesseras.common.internal.DataDirectory;
import net.tesseras.storage.internal.db.DatabaseConfig;
import net.tesseras.storage.internal.db.SqliteDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.resource.Capability;

/** The component as DS drives it: created anew for each configuration, with raw properties. */
class NodeIdentityComponentTest {

    @TempDir
    Path data;

    @Test
    void aNewDirectoryWhileTheNodeRunsIsRefusedAndTheNodeIdKept() throws Exception {
        // A PID of its own: the rule remembers the last good configuration per PID for the bundle's life.
        String pid = "net.tesseras.identity.test-" + System.nanoTime();
        NodeIdentityComponent first = new NodeIdentityComponent(context(), props(pid, "identity"));
        String nodeId = first.identity().lines().findFirst().orElseThrow();
        first.deactivate();

        NodeIdentityComponent second = new NodeIdentityComponent(context(), props(pid, "identiy"));
        assertEquals(nodeId, second.identity().lines().findFirst().orElseThrow(), "the same NodeId");
        assertTrue(second.identity().contains(data.resolve("identity").toString()), second.identity());
        assertFalse(Files.exists(data.resolve("identiy")), "no key pair was made in the new directory");
    }

    @Test
    void aBlankDirectoryNeverGoodLeavesTheIdentityDownNamingKeyValueAndFile() {
        String pid = "net.tesseras.identity.test-" + System.nanoTime();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new NodeIdentityComponent(context(), props(pid, " ")));
        assertTrue(e.getMessage().contains("directory = ' ' refused: must not be empty"), e.getMessage());
        assertTrue(e.getMessage().contains("the node identity stays down until etc/"), e.getMessage());
    }

    @Test
    void aFreshNodeWithADatabaseBundleCreatesItsIdentityOnceTheDatabaseIsBoundAndRecordsIt() throws Exception {
        String pid = "net.tesseras.identity.test-" + System.nanoTime();
        try (SqliteDatabase db = SqliteDatabase.open(DatabaseConfig.file(data.resolve("db/tesseras.db")))) {
            NodeIdentityComponent component = new NodeIdentityComponent(context(true), props(pid, "identity"));
            IllegalStateException waiting = assertThrows(IllegalStateException.class, component::identity);
            assertTrue(waiting.getMessage().contains("waiting for the database"), waiting.getMessage());
            assertFalse(Files.exists(data.resolve("identity/node.key")), "nothing is created before the database answers");

            component.bindDatabase(db, Map.of("database.location", "db/tesseras.db"));
            String nodeId = nodeIdOf(component);
            assertEquals(Optional.of(nodeId), new IdentityRecord(db).recorded(), "the database records the NodeId");
            component.deactivate();
        }
    }

    @Test
    void keyFilesAndNodeIdMovedAwayOverDataOfTheNodeStopTheIdentityNamingTheFix() throws Exception {
        String pid = "net.tesseras.identity.test-" + System.nanoTime();
        try (SqliteDatabase db = SqliteDatabase.open(DatabaseConfig.file(data.resolve("db/tesseras.db")))) {
            NodeIdentityComponent first = new NodeIdentityComponent(context(true), props(pid, "identity"));
            first.bindDatabase(db, Map.of("database.location", "db/tesseras.db"));
            String nodeId = nodeIdOf(first);
            first.deactivate();
            // The operator moves identity/ and data/node.id away; the database (and the fragments) stay.
            Files.move(data.resolve("identity"), data.resolveSibling(data.getFileName() + "-identity-backup"));
            Files.move(data.resolve("node.id"), data.resolveSibling(data.getFileName() + "-node.id-backup"));

            NodeIdentityComponent second = new NodeIdentityComponent(context(true), props(pid, "identity"));
            second.bindDatabase(db, Map.of("database.location", "db/tesseras.db"));
            IllegalStateException e = assertThrows(IllegalStateException.class, second::identity);
            assertTrue(e.getMessage().contains("NodeId " + nodeId), "names the identity the data belongs to: " + e.getMessage());
            assertTrue(e.getMessage().contains("restore node.key, node.pub and node.properties"), e.getMessage());
            assertTrue(e.getMessage().contains("new.identity.replaces = " + nodeId + " in etc/net.tesseras.identity.cfg"),
                    "says how to start a new identity on purpose: " + e.getMessage());
            assertFalse(Files.exists(data.resolve("identity/node.key")), "no new key pair was made");
            assertEquals(Optional.of(nodeId), new IdentityRecord(db).recorded(), "the record is untouched");
            second.deactivate();

            // Deliberately a new node over this data: named by the NodeId it replaces.
            Map<String, Object> replace = props(pid, "identity");
            replace.put("new.identity.replaces", nodeId);
            NodeIdentityComponent third = new NodeIdentityComponent(context(true), replace);
            third.bindDatabase(db, Map.of("database.location", "db/tesseras.db"));
            String newNodeId = nodeIdOf(third);
            assertNotEquals(nodeId, newNodeId);
            assertEquals(Optional.of(newNodeId), new IdentityRecord(db).recorded());
            third.deactivate();
        }
    }

    @Test
    void withoutADatabaseBundleTheIdentityIsCreatedAtOnce() throws Exception {
        String pid = "net.tesseras.identity.test-" + System.nanoTime();
        NodeIdentityComponent component = new NodeIdentityComponent(context(false), props(pid, "identity"));
        assertTrue(Files.exists(data.resolve("identity/node.key")));
        assertEquals(40, nodeIdOf(component).length());
        component.deactivate();
    }

    private static String nodeIdOf(NodeIdentityComponent component) {
        return component.identity().lines().findFirst().orElseThrow().substring("NodeId".length()).trim();
    }

    private static Map<String, Object> props(String pid, String directory) {
        Map<String, Object> p = new HashMap<>();
        p.put("service.pid", pid);
        p.put("component.name", NodeIdentityComponent.class.getName());
        p.put("directory", directory);
        p.put("osgi.command.scope", "tesseras"); // from @GogoCommand: the component's own, not a configuration key
        return p;
    }

    private BundleContext context() {
        return context(false);
    }

    /** {@code databaseBundle}: one installed bundle declares that it provides the Database service, as storage does. */
    private BundleContext context(boolean databaseBundle) {
        Capability capability = proxy(Capability.class, (m, a) -> switch (m) {
            case "getAttributes" -> Map.of("objectClass", List.of("net.tesseras.database.Database"));
            default -> throw new UnsupportedOperationException(m);
        });
        BundleRevision revision = proxy(BundleRevision.class, (m, a) -> switch (m) {
            case "getCapabilities" -> "osgi.service".equals(a[0]) ? List.of(capability) : List.of();
            default -> throw new UnsupportedOperationException(m);
        });
        Bundle storage = proxy(Bundle.class, (m, a) -> switch (m) {
            case "adapt" -> a[0] == BundleRevision.class ? revision : null;
            default -> throw new UnsupportedOperationException(m);
        });
        Bundle[] bundles = databaseBundle ? new Bundle[] {storage} : new Bundle[0];
        ServiceRegistration<?> registration = (ServiceRegistration<?>) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ServiceRegistration.class}, (p, m, a) -> null);
        return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BundleContext.class},
                (p, m, a) -> switch (m.getName()) {
                    case "getProperty" -> DataDirectory.PROPERTY.equals(a[0]) ? data.toString() : null;
                    case "registerService" -> registration;
                    case "getBundles" -> bundles;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    @SuppressWarnings("unchecked")
    private <T> T proxy(Class<T> type, java.util.function.BiFunction<String, Object[], Object> answer) {
        return (T) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {type},
                (p, m, a) -> answer.apply(m.getName(), a));
    }
}
