package net.tesseras.shell.internal;

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

/** A refused value never leaves a socket behind on which bin/tesseras shell would hang. */
class LocalShellServerConfigurationTest {

    @TempDir
    Path data;

    @Test
    void aBadValueNeverGoodFailsBeforeTheSocketExistsNamingKeyValueAndFile() {
        Map<String, Object> properties = new HashMap<>();
        properties.put("service.pid", "net.tesseras.shell.test-" + System.nanoTime());
        properties.put("max.concurrent", "abc");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LocalShellServer(context(), properties, null));
        assertTrue(e.getMessage().contains("max.concurrent = 'abc' refused: not a whole number (expected 1 to 64)"), e.getMessage());
        assertTrue(e.getMessage().contains("the local shell stays down until etc/"), e.getMessage());
        assertFalse(Files.exists(data.resolve("run/shell.sock")), "no socket was left behind");
    }

    private BundleContext context() {
        // A bundle for the retry that watches the configuration once the component failed.
        org.osgi.framework.Bundle bundle = (org.osgi.framework.Bundle) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {org.osgi.framework.Bundle.class}, (p, m, a) -> "getBundleId".equals(m.getName()) ? 42L : null);
        return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BundleContext.class},
                (p, m, a) -> switch (m.getName()) {
                    case "getProperty" -> DataDirectory.PROPERTY.equals(a[0]) ? data.toString() : null;
                    case "getBundle" -> bundle;
                    default -> null;
                });
    }
}
