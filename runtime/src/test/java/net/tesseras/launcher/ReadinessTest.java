package net.tesseras.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import net.tesseras.launcher.Readiness.BundleState;
import net.tesseras.launcher.Readiness.ComponentState;
import net.tesseras.launcher.Readiness.ListenerState;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.dto.BundleDTO;
import org.osgi.framework.dto.ServiceReferenceDTO;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;
import org.osgi.util.promise.Promise;

class ReadinessTest {

    private static final BundleState ACTIVE_BUNDLE = new BundleState("net.tesseras.storage", "0.1.0", Bundle.ACTIVE, false);
    private static final BundleState NATIVE_FRAGMENT = new BundleState("io.netty.codec.native.quic", "4.2.18", Bundle.RESOLVED, true);
    private static final ListenerState QUIC_BOUND = new ListenerState("QUIC transport", "UDP 127.0.0.1:4433", true, false, "listen.port");

    @Test
    void activeBundlesSatisfiedComponentsAndBoundListenersAreReady() {
        Readiness.Report report = Readiness.judge(List.of(ACTIVE_BUNDLE, NATIVE_FRAGMENT),
                List.of(component(Readiness.ACTIVE, null), component(Readiness.SATISFIED, null),
                        component(Readiness.UNSATISFIED_CONFIGURATION, null)),
                List.of(QUIC_BOUND));
        assertTrue(report.ready(), report.lines().toString());
        assertEquals(Map.of("status", "UP", "bundles", List.of(), "components", List.of(), "listeners", List.of()), report.toMap());
        assertEquals(List.of("status", "bundles", "components", "listeners"), List.copyOf(report.toMap().keySet()));
    }

    @Test
    void aComponentThatFailedToActivateIsOneLineWithItsReasonAndSettingsNeverAStackTrace() {
        String failure = stackTrace(new InvocationTargetException(new IllegalStateException(
                "cannot listen on /127.0.0.1:4433 (is the port in use?): bind(..) failed: Address already in use",
                new java.net.BindException("Address already in use"))));
        assertTrue(failure.contains("\tat "), "SCR records whole stack traces like this one");
        Readiness.Report report = Readiness.judge(List.of(ACTIVE_BUNDLE),
                List.of(new ComponentState("net.tesseras.transport.quic.internal.TransportComponent", "net.tesseras.transport.quic",
                        Readiness.FAILED_ACTIVATION, failure, List.of(), "etc/net.tesseras.transport.cfg")),
                List.of());
        assertFalse(report.ready());
        assertTrue(report.permanent(), "waiting does not fix a failed activation");
        assertEquals(List.of("net.tesseras.transport.quic.internal.TransportComponent (bundle net.tesseras.transport.quic): "
                + "failed to activate: cannot listen on /127.0.0.1:4433 (is the port in use?): bind(..) failed: Address already in use; "
                + "its settings: etc/net.tesseras.transport.cfg"), report.lines());
        assertEquals("DOWN", report.toMap().get("status"));
    }

    @Test
    void shortReasonsDropClassNamesAndKeepOneLine() {
        assertEquals("size.mb = 'lots' is not a number", Readiness.shortReason(
                stackTrace(new IllegalArgumentException("size.mb = 'lots' is not a number"))));
        assertEquals("boom", Readiness.shortReason("org.osgi.service.component.ComponentException: java.lang.IllegalStateException: boom\n\tat x.y(Z.java:1)"));
        assertEquals("NullPointerException", Readiness.shortReason(stackTrace(new NullPointerException())));
        assertEquals("no reason recorded (see the log)", Readiness.shortReason(null));
        String longReason = Readiness.shortReason("java.lang.IllegalStateException: " + "x".repeat(1000));
        assertTrue(longReason.length() <= 300, longReason);
    }

    @Test
    void aMissingReferenceIsNamedAndMayStillArrive() {
        Readiness.Report report = Readiness.judge(List.of(), List.of(new ComponentState("net.tesseras.shell.internal.StorageCommands",
                "net.tesseras.shell", Readiness.UNSATISFIED_REFERENCE, null,
                List.of(new Readiness.MissingReference("net.tesseras.storage.FragmentStore", "(store.role=front)", true)), null)), List.of());
        assertFalse(report.ready());
        assertFalse(report.permanent(), "a reference may still be satisfied while the node starts");
        assertEquals(List.of("net.tesseras.shell.internal.StorageCommands (bundle net.tesseras.shell): "
                + "waiting for net.tesseras.storage.FragmentStore (store.role=front)"), report.lines());
    }

    @Test
    void aComponentWaitingForAServiceNoInstalledBundleProvidesBelongsToAFeatureNotInstalled() {
        // Without the metrics feature, every bundle's meters wait for a MeterRegistry nobody provides.
        ComponentState meters = new ComponentState("net.tesseras.storage.internal.StoreMetricsComponent", "net.tesseras.storage",
                Readiness.UNSATISFIED_REFERENCE, null,
                List.of(new Readiness.MissingReference("io.micrometer.core.instrument.MeterRegistry", null, false)), null);
        assertTrue(Readiness.judge(List.of(ACTIVE_BUNDLE), List.of(meters), List.of()).ready());
    }

    @Test
    void bundlesNotActiveAreNamedWithTheirState() {
        Readiness.Report report = Readiness.judge(List.of(new BundleState("net.tesseras.metrics", "0.1.0", Bundle.INSTALLED, false),
                new BundleState("net.tesseras.cache", "0.1.0", Bundle.STARTING, false)), List.of(), List.of());
        assertEquals(2, report.bundles().size());
        assertTrue(report.bundles().get(0).text().startsWith("net.tesseras.metrics 0.1.0: installed, not resolved"), report.lines().toString());
        assertTrue(report.bundles().get(0).permanent());
        assertFalse(report.bundles().get(1).permanent(), "a lazy bundle still starting");
    }

    @Test
    void anUnboundListenerNamesItsAddressAndWhatToChange() {
        Readiness.Report report = Readiness.judge(List.of(), List.of(), List.of(new ListenerState("HTTP endpoint (/metrics, /health)",
                "TCP 127.0.0.1:9190 (in use by another program)", false, true,
                "port or address in etc/net.tesseras.metrics.cfg, and org.osgi.service.http.port in etc/framework.properties")));
        assertTrue(report.permanent());
        assertEquals(List.of("HTTP endpoint (/metrics, /health): TCP 127.0.0.1:9190 (in use by another program) is not bound; "
                + "to use another, change port or address in etc/net.tesseras.metrics.cfg, and org.osgi.service.http.port in etc/framework.properties"),
                report.toMap().get("listeners"));
        Readiness.Report notYet = Readiness.judge(List.of(), List.of(),
                List.of(new ListenerState("QUIC transport", "UDP 0.0.0.0:4433", false, false, null)));
        assertFalse(notYet.permanent(), "a listener whose server may still bind");
        assertEquals(List.of("QUIC transport: UDP 0.0.0.0:4433 is not bound"), notYet.lines());
    }

    @Test
    void aStartGivesUpOnAFailureWaitingCannotFixOnceNothingChangesAndOnAnyProblemAfterLonger() {
        Readiness.Report ready = Readiness.judge(List.of(ACTIVE_BUNDLE), List.of(), List.of(QUIC_BOUND));
        Readiness.Report failed = Readiness.judge(List.of(), List.of(component(Readiness.FAILED_ACTIVATION, "x: y")), List.of());
        Readiness.Report waiting = Readiness.judge(List.of(), List.of(new ComponentState("c", "b", Readiness.UNSATISFIED_REFERENCE,
                null, List.of(new Readiness.MissingReference("net.tesseras.storage.FragmentStore", null, true)), null)), List.of());
        java.time.Duration justChanged = java.time.Duration.ZERO;
        assertTrue(Readiness.settled(ready, justChanged, false));
        assertFalse(Readiness.settled(failed, justChanged, false), "configuration may still re-activate it");
        assertTrue(Readiness.settled(failed, Readiness.QUIET, false));
        assertFalse(Readiness.settled(waiting, Readiness.QUIET, false), "what it waits for may still come");
        assertTrue(Readiness.settled(waiting, Readiness.STILL, false));
        assertTrue(Readiness.settled(waiting, justChanged, true), "the deadline ends every wait");
        assertTrue(Readiness.QUIET.compareTo(Readiness.STILL) < 0);
    }

    @Test
    void componentsAreReadFromTheComponentRuntimeWithoutLinkingToItsClasses() throws Exception {
        ComponentDescriptionDTO transport = description("net.tesseras.transport.quic.internal.TransportComponent",
                "net.tesseras.transport.quic", "net.tesseras.transport");
        ComponentDescriptionDTO disabled = description("net.tesseras.test.Disabled", "net.tesseras.test", "net.tesseras.test");
        ComponentDescriptionDTO shell = description("net.tesseras.shell.internal.StorageCommands", "net.tesseras.shell",
                "net.tesseras.shell.internal.StorageCommands");
        org.osgi.service.component.runtime.dto.ReferenceDTO storeReference = new org.osgi.service.component.runtime.dto.ReferenceDTO();
        storeReference.name = "store";
        storeReference.interfaceName = "net.tesseras.storage.FragmentStore";
        shell.references = new org.osgi.service.component.runtime.dto.ReferenceDTO[] {storeReference};
        ComponentConfigurationDTO failed = configuration(transport, ComponentConfigurationDTO.FAILED_ACTIVATION);
        failed.failure = stackTrace(new IllegalStateException("cannot listen"));
        ComponentConfigurationDTO waiting = configuration(shell, ComponentConfigurationDTO.UNSATISFIED_REFERENCE);
        UnsatisfiedReferenceDTO store = new UnsatisfiedReferenceDTO();
        store.name = "store";
        store.target = "(store.role=front)";
        waiting.unsatisfiedReferences = new UnsatisfiedReferenceDTO[] {store};
        FakeRuntime scr = new FakeRuntime(List.of(transport, disabled, shell), Map.of(transport, List.of(failed),
                disabled, List.of(configuration(disabled, ComponentConfigurationDTO.FAILED_ACTIVATION)), shell, List.of(waiting)), disabled);

        List<ComponentState> components = NodeReadiness.components(scr,
                pid -> pid.equals("net.tesseras.transport") ? "etc/net.tesseras.transport.cfg" : null,
                "net.tesseras.storage.FragmentStore"::equals);

        assertEquals(2, components.size(), "a disabled component is no problem: " + components);
        assertEquals(new ComponentState("net.tesseras.transport.quic.internal.TransportComponent", "net.tesseras.transport.quic",
                Readiness.FAILED_ACTIVATION, failed.failure, List.of(), "etc/net.tesseras.transport.cfg"), components.get(0));
        assertEquals(List.of(new Readiness.MissingReference("net.tesseras.storage.FragmentStore", "(store.role=front)", true)),
                components.get(1).unsatisfiedReferences());
        assertEquals(null, components.get(1).settings());
        assertEquals(2, Readiness.judge(List.of(), components, List.of()).components().size());
    }

    /** What DS cannot see (a store.target that matches no store) is published by the bundle and makes the node DOWN. */
    @Test
    void aProblemABundlePublishesMakesTheNodeDownNamingIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        org.osgi.framework.launch.Framework framework = new org.apache.felix.framework.FrameworkFactory().newFramework(
                Map.of("org.osgi.framework.storage", dir.resolve("cache").toString(), "org.osgi.framework.storage.clean", "onFirstInit"));
        framework.start();
        try {
            NodeReadiness readiness = new NodeReadiness(framework.getBundleContext(), dir);
            assertEquals("UP", readiness.get().get("status"));
            java.util.Hashtable<String, Object> props = new java.util.Hashtable<>();
            String text = "the transport (serving peers): the configured fragment store is not available (store.target (store.name=sqlit) ...)";
            props.put(NodeReadiness.PROBLEM_PROPERTY, text);
            java.util.function.Supplier<String> says = () -> text;
            var registration = framework.getBundleContext().registerService(java.util.function.Supplier.class, says, props);
            Map<String, Object> health = readiness.get();
            assertEquals("DOWN", health.get("status"));
            assertEquals(List.of(text), health.get("components"));
            registration.unregister();
            assertEquals("UP", readiness.get().get("status"));
        } finally {
            framework.stop();
            framework.waitForStop(10_000);
        }
    }

    @Test
    void aPortHeldByAnotherSocketIsReportedInUse() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(loopback, 0));
                ServerSocket tcp = new ServerSocket(0, 1, loopback)) {
            assertTrue(NodeReadiness.inUse("UDP", loopback.getHostAddress(), String.valueOf(udp.getLocalPort())));
            assertTrue(NodeReadiness.inUse("TCP", loopback.getHostAddress(), String.valueOf(tcp.getLocalPort())));
        }
        assertFalse(NodeReadiness.inUse("UDP", "127.0.0.1", "not a port"));
        assertFalse(NodeReadiness.inUse("TCP", "127.0.0.1", "0"));
    }

    private static ComponentState component(int state, String failure) {
        return new ComponentState("c" + state, "b", state, failure, List.of(), null);
    }

    private static String stackTrace(Throwable t) {
        StringWriter out = new StringWriter();
        t.printStackTrace(new PrintWriter(out));
        return out.toString();
    }

    private static ComponentDescriptionDTO description(String name, String bundle, String pid) {
        ComponentDescriptionDTO d = new ComponentDescriptionDTO();
        d.name = name;
        d.bundle = new BundleDTO();
        d.bundle.symbolicName = bundle;
        d.configurationPid = new String[] {pid};
        d.references = new org.osgi.service.component.runtime.dto.ReferenceDTO[0];
        return d;
    }

    private static ComponentConfigurationDTO configuration(ComponentDescriptionDTO d, int state) {
        ComponentConfigurationDTO c = new ComponentConfigurationDTO();
        c.description = d;
        c.state = state;
        c.unsatisfiedReferences = new UnsatisfiedReferenceDTO[0];
        return c;
    }

    /** A component runtime with fixed answers (what Felix SCR's implementation answers through the same interface). */
    private record FakeRuntime(List<ComponentDescriptionDTO> descriptions,
            Map<ComponentDescriptionDTO, List<ComponentConfigurationDTO>> configurations, ComponentDescriptionDTO disabled)
            implements ServiceComponentRuntime {

        @Override
        public Collection<ComponentDescriptionDTO> getComponentDescriptionDTOs(Bundle... bundles) {
            return new ArrayList<>(descriptions);
        }

        @Override
        public ComponentDescriptionDTO getComponentDescriptionDTO(Bundle bundle, String name) {
            return null;
        }

        @Override
        public Collection<ComponentConfigurationDTO> getComponentConfigurationDTOs(ComponentDescriptionDTO description) {
            return configurations.get(description);
        }

        @Override
        public boolean isComponentEnabled(ComponentDescriptionDTO description) {
            return description != disabled;
        }

        @Override
        public Promise<Void> enableComponent(ComponentDescriptionDTO description) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Promise<Void> disableComponent(ComponentDescriptionDTO description) {
            throw new UnsupportedOperationException();
        }
    }
}
