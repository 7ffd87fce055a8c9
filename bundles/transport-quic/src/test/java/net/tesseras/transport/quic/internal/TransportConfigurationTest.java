package net.tesseras.transport.quic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import net.tesseras.common.internal.StoreTargets;
import net.tesseras.identity.internal.KeyPairIdentity;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * The transport under the configuration rule, driven as DS drives it (raw properties): an address
 * it cannot listen on never takes it down while it runs, and at start it fails naming the key.
 */
class TransportConfigurationTest {

    private final AtomicReference<String> published = new AtomicReference<>();

    @Test
    void aPortInUseWhileRunningIsRefusedAndTheTransportKeepsItsAddressThenMovesWhenFixed() throws Exception {
        String pid = "net.tesseras.transport.test-" + System.nanoTime();
        int first = freePort();
        TransportComponent component = new TransportComponent(context(), KeyPairIdentity.generate(), props(pid, first));
        try {
            assertEquals("/127.0.0.1:" + first, published.get());
            try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
                component.modified(props(pid, taken.getLocalPort()));
                assertEquals("/127.0.0.1:" + first, published.get(), "still listening where it was");
            }
            Map<String, Object> badAddress = props(pid, first);
            badAddress.put("listen.address", "no-such-host.invalid");
            component.modified(badAddress);
            assertEquals("/127.0.0.1:" + first, published.get(), "an unknown host is refused before anything stops");

            int fixed = freePort();
            component.modified(props(pid, fixed));
            assertEquals("/127.0.0.1:" + fixed, published.get(), "a fixed file moves it");
        } finally {
            component.deactivate();
        }
    }

    private static int freePort() throws Exception {
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return probe.getLocalPort();
        }
    }

    @Test
    void aPortInUseAtStartFailsTheActivationNamingKeyValueAndFile() throws Exception {
        String pid = "net.tesseras.transport.test-" + System.nanoTime();
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new TransportComponent(context(), KeyPairIdentity.generate(), props(pid, taken.getLocalPort())));
            assertTrue(e.getMessage().contains("listen.port = '" + taken.getLocalPort() + "' refused"), e.getMessage());
            assertTrue(e.getMessage().contains("the transport stays down until etc/"), e.getMessage());
        }
    }

    @Test
    void badValuesAreRefusedWithTheirKey() {
        Map<String, Object> raw = props("net.tesseras.transport.never-" + System.nanoTime(), 0);
        raw.put("max.connections", "lots");
        raw.put("write.allow", "not-a-node-id");
        raw.put("mode", "fast");
        var checked = TransportComponent.RULES.check(raw);
        assertFalse(checked.usable());
        String message = checked.down(null).getMessage();
        assertTrue(message.contains("max.connections = 'lots' refused: not a whole number"), message);
        assertTrue(message.contains("write.allow = 'not-a-node-id' refused"), message);
        assertTrue(message.contains("mode = 'fast' refused: allowed: pipelined, naive"), message);
    }

    /** Peers are served only from the store the configuration names, never from another backend. */
    @Test
    void theStoreReferenceTargetsOnlyTheConfiguredStore() throws Exception {
        Path xml = Path.of("target/classes/OSGI-INF/" + TransportComponent.class.getName() + ".xml");
        String descriptor = Files.readString(xml).replace("&amp;", "&");
        assertTrue(descriptor.contains("<reference name=\"store\""), descriptor);
        assertTrue(descriptor.contains("target=\"" + StoreTargets.CONSUMER + "\""), descriptor);
    }

    private static Map<String, Object> props(String pid, int port) {
        Map<String, Object> p = new HashMap<>();
        p.put("service.pid", pid);
        p.put("listen.address", "127.0.0.1");
        p.put("listen.port", String.valueOf(port));
        return p;
    }

    /** Just enough of a bundle context: it records the address the transport publishes its PeerClient under. */
    private BundleContext context() {
        ClassLoader loader = getClass().getClassLoader();
        ServiceRegistration<?> registration = (ServiceRegistration<?>) Proxy.newProxyInstance(loader,
                new Class<?>[] {ServiceRegistration.class}, (p, m, a) -> null);
        Bundle bundle = (Bundle) Proxy.newProxyInstance(loader, new Class<?>[] {Bundle.class},
                (p, m, a) -> m.getName().equals("getBundleId") ? 1L : null);
        return (BundleContext) Proxy.newProxyInstance(loader, new Class<?>[] {BundleContext.class}, (p, m, a) -> {
            switch (m.getName()) {
                case "registerService":
                    if (a[2] instanceof Dictionary<?, ?> d && d.get("transport.address") != null) {
                        published.set(String.valueOf(d.get("transport.address")));
                    }
                    return registration;
                case "getBundle":
                    return bundle;
                default:
                    return null;
            }
        });
    }
}
