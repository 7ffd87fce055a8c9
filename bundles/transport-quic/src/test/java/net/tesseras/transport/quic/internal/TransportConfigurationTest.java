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
import java.util.ArrayList;
import java.util.List;
import net.tesseras.identity.NodeId;
import net.tesseras.storage.FragmentStore;
import net.tesseras.identity.internal.KeyPairIdentity;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.slf4j.Logger;
import org.slf4j.helpers.MessageFormatter;

/**
 * The transport under the configuration rule, driven as DS drives it (raw properties): an address
 * it cannot listen on never takes it down while it runs, and at start it fails naming the key.
 */
class TransportConfigurationTest {

    private final AtomicReference<String> published = new AtomicReference<>();
    private final AtomicReference<Dictionary<?, ?>> registered = new AtomicReference<>();

    @Test
    void thePeerClientIsRegisteredWithTheListenAddressAndPortFollowingTheirChanges() throws Exception {
        String pid = "net.tesseras.transport.test-" + System.nanoTime();
        int first = freePort();
        Map<String, Object> replication = props(pid, first);
        replication.put("write.policy", "replication");
        TransportComponent component = new TransportComponent(context(), KeyPairIdentity.generate(), replication);
        try {
            assertEquals("127.0.0.1", registered.get().get(net.tesseras.transport.PeerClient.LISTEN_ADDRESS_PROPERTY));
            assertEquals(Integer.valueOf(first), registered.get().get(net.tesseras.transport.PeerClient.LISTEN_PORT_PROPERTY));
            int moved = freePort();
            component.modified(props(pid, moved));
            assertEquals(Integer.valueOf(moved), registered.get().get(net.tesseras.transport.PeerClient.LISTEN_PORT_PROPERTY),
                    "a new port is registered anew");
        } finally {
            component.deactivate();
        }
    }

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

    /**
     * write.allow as OPERATOR.md and etc/net.tesseras.transport.cfg write it: FileInstall hands the
     * .cfg's ["a","b"] over as that literal text; a bare comma-separated list and a real String[]
     * (a .config file, ConfigAdmin) are accepted as well.
     */
    @Test
    void theDocumentedWriteAllowFormsAreAccepted() throws Exception {
        NodeId one = KeyPairIdentity.generate().nodeId();
        NodeId two = KeyPairIdentity.generate().nodeId();
        NodeId other = KeyPairIdentity.generate().nodeId();
        String documented = Files.readAllLines(Path.of("../../runtime/src/main/dist/etc/net.tesseras.transport.cfg")).stream()
                .filter(line -> line.startsWith("# write.allow = ")).findFirst().orElseThrow()
                .substring("# write.allow = ".length()).replaceFirst("<NodeId[^>]*>", one.toHex()).replaceFirst("<NodeId[^>]*>", two.toHex());
        assertTrue(documented.startsWith("[\""), documented);
        for (Object allow : new Object[] {documented, "[\"" + one.toHex() + "\", \"" + two.toHex() + "\"]",
                one.toHex() + ", " + two.toHex(), new String[] {one.toHex(), two.toHex()}}) {
            Map<String, Object> raw = props("net.tesseras.transport.never-" + System.nanoTime(), 0);
            raw.put("write.policy", "allow-list");
            raw.put("write.allow", allow);
            var checked = TransportComponent.RULES.check(raw);
            assertTrue(checked.clean(), () -> checked.down(null).getMessage());
            TransportSettings settings = TransportComponent.settings(checked.config());
            assertTrue(settings.mayWrite(one), String.valueOf(allow));
            assertTrue(settings.mayWrite(two), String.valueOf(allow));
            assertFalse(settings.mayWrite(other), String.valueOf(allow));
        }
    }

    /** A refusal while running keeps the last good value and says which, an empty list too. */
    @Test
    void everyRefusalLineSaysWhatItKeeps() {
        String pid = "net.tesseras.transport.never-" + System.nanoTime();
        TransportComponent.RULES.check(props(pid, 0)).accepted();
        Map<String, Object> raw = props(pid, 0);
        raw.put("write.allow", "not-a-node-id");
        raw.put("max.fragment.mb", "99999999");
        List<String> lines = new ArrayList<>();
        Logger log = (Logger) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Logger.class}, (p, m, a) -> {
            if (m.getName().equals("error")) {
                lines.add(MessageFormatter.arrayFormat((String) a[0], a.length == 2 && a[1] instanceof Object[] more ? more
                        : java.util.Arrays.copyOfRange(a, 1, a.length)).getMessage());
            }
            return m.getReturnType() == boolean.class ? true : null;
        });
        var checked = TransportComponent.RULES.check(raw).log(log);
        assertTrue(checked.usable());
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.contains("write.allow = 'not-a-node-id' refused") && l.endsWith("; keeping an empty list")),
                lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.contains("max.fragment.mb = '99999999' refused") && l.endsWith("; keeping 4096")),
                lines.toString());
    }

    /** max.fragment.mb stops at FragmentStore.MAX_FRAGMENT_SIZE in MiB, its default, as the Metatype says. */
    @Test
    void maxFragmentMbStopsAtTheLargestFragmentAStoreAccepts() throws Exception {
        assertEquals(4096, FragmentStore.MAX_FRAGMENT_SIZE >> 20);
        Map<String, Object> raw = props("net.tesseras.transport.never-" + System.nanoTime(), 0);
        raw.put("max.fragment.mb", "99999999");
        var refused = TransportComponent.RULES.check(raw);
        assertFalse(refused.usable());
        assertTrue(refused.down(null).getMessage().contains("max.fragment.mb = '99999999' refused"), refused.down(null).getMessage());
        raw.put("max.fragment.mb", "4097");
        assertFalse(TransportComponent.RULES.check(raw).usable());
        raw.put("max.fragment.mb", "4096");
        assertTrue(TransportComponent.RULES.check(raw).clean());
        raw.remove("max.fragment.mb");
        var defaults = TransportComponent.RULES.check(raw);
        assertEquals(4096, defaults.config().max_fragment_mb());
        assertEquals(FragmentStore.MAX_FRAGMENT_SIZE, TransportComponent.settings(defaults.config()).maxFragmentBytes());
        String metatype = Files.readString(Path.of("target/classes/OSGI-INF/metatype/" + TransportComponent.Config.class.getName() + ".xml"));
        assertTrue(metatype.matches("(?s).*<AD id=\"max.fragment.mb\"[^>]* min=\"1\" max=\"4096\" default=\"4096\"/>.*"), metatype);
    }

    /**
     * store.target is applied by the transport's StoreBinding under the one configuration rule (see
     * StoreBindingTest), never by DS: a DS reference named store would read store.target itself and
     * apply a bad filter silently.
     */
    @Test
    void storeTargetIsNotLeftToDeclarativeServices() throws Exception {
        Path xml = Path.of("target/classes/OSGI-INF/" + TransportComponent.class.getName() + ".xml");
        String descriptor = Files.readString(xml);
        assertFalse(descriptor.contains("<reference name=\"store\""), descriptor);
        assertFalse(descriptor.contains("net.tesseras.storage.FragmentStore"), descriptor);
    }

    /** With activation by constructor DS still calls a method named activate afterwards (it started the transport twice). */
    @Test
    void noMethodNamedActivateBesideTheActivatingConstructor() {
        for (java.lang.reflect.Method m : TransportComponent.class.getDeclaredMethods()) {
            assertFalse(m.getName().equals("activate"), m.toString());
        }
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
                        registered.set(d);
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
