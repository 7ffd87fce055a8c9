package net.tesseras.identity.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import net.tesseras.common.internal.DataDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

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

    private static Map<String, Object> props(String pid, String directory) {
        Map<String, Object> p = new HashMap<>();
        p.put("service.pid", pid);
        p.put("component.name", NodeIdentityComponent.class.getName());
        p.put("directory", directory);
        p.put("osgi.command.scope", "tesseras"); // from @GogoCommand: the component's own, not a configuration key
        return p;
    }

    private BundleContext context() {
        ServiceRegistration<?> registration = (ServiceRegistration<?>) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ServiceRegistration.class}, (p, m, a) -> null);
        return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BundleContext.class},
                (p, m, a) -> switch (m.getName()) {
                    case "getProperty" -> DataDirectory.PROPERTY.equals(a[0]) ? data.toString() : null;
                    case "registerService" -> registration;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }
}
