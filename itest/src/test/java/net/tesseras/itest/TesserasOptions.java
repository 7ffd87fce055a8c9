package net.tesseras.itest;

import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemPackage;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.File;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;
import net.tesseras.transport.PeerClient;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.options.UrlProvisionOption;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The framework every integration test boots: SCR, Configuration Admin and the real Tesseras
 * bundles, identity and the QUIC transport (with Netty, its native fragment and BouncyCastle)
 * included.
 */
final class TesserasOptions {

    static final String TRANSPORT = "net.tesseras.transport.quic";

    private TesserasOptions() {}

    static Option[] node(String testName) {
        Path work = Path.of(System.getProperty("itest.work", "target/itest-work"));
        Path data = work.resolve(testName + "-" + System.nanoTime()).toAbsolutePath();
        return options(
                frameworkProperty("tesseras.data").value(data.toString()),
                systemProperty("org.sqlite.tmpdir").value(work.toAbsolutePath().toString()),
                // Netty unpacks the QUIC native library here, as the launcher has it do under data/tmp.
                systemProperty("io.netty.native.workdir").value(work.toAbsolutePath().toString()),
                // Appends to the packages pax-exam itself exports from the system bundle.
                systemPackage("jdk.net"),
                systemPackage("com.sun.management"),
                frameworkProperty("felix.log.level").value(System.getProperty("felix.log.level", "1")),
                systemProperty("pax.exam.service.timeout").value("30000"),
                cleanCaches(),
                junitBundles(),
                jar("bundle.function"),
                jar("bundle.promise"),
                jar("bundle.component"),
                jar("bundle.configadmin"),
                jar("bundle.scr"),
                jar("bundle.gogo"),
                jar("bundle.sqlite"),
                jar("bundle.codec"),
                jar("bundle.api"),
                jar("bundle.storage"),
                jar("bundle.storage.sqlite"),
                jar("bundle.caffeine"),
                jar("bundle.cache"),
                jar("bundle.shell"),
                jar("bundle.commons.io"),
                jar("bundle.commons.lang3"),
                jar("bundle.commons.compress"),
                jar("bundle.tika"),
                jar("bundle.gson"),
                jar("bundle.tessera"),
                jar("bundle.replication"),
                jar("bundle.identity"),
                jar("bundle.netty.common"),
                jar("bundle.netty.buffer"),
                jar("bundle.netty.resolver"),
                jar("bundle.netty.transport"),
                jar("bundle.netty.unix"),
                jar("bundle.netty.codec"),
                jar("bundle.netty.handler"),
                jar("bundle.netty.quic"),
                // A fragment: attached to its host, never started.
                jar("bundle.netty.quic.native").noStart(),
                jar("bundle.bcprov"),
                jar("bundle.bcutil"),
                jar("bundle.bcpkix"),
                // Started by startTransport once it has a port of its own: its default, 4433 on every
                // interface, may belong to another node on this machine. Until then pax-exam logs
                // "Bundle [net.tesseras.transport.quic] is not resolved" at boot: expected, and harmless.
                jar("bundle.transport").noStart());
    }

    /**
     * Starts the node's transport on an ephemeral loopback port (if it is not running yet) and
     * waits for its PeerClient.
     *
     * @return the address the transport listens on
     */
    static InetSocketAddress startTransport(BundleContext context) throws Exception {
        Bundle transport = bundle(context, TRANSPORT);
        if (transport.getState() != Bundle.ACTIVE) {
            ServiceReference<ConfigurationAdmin> ref = context.getServiceReference(ConfigurationAdmin.class);
            try {
                Dictionary<String, Object> properties = new Hashtable<>();
                properties.put("listen.address", "127.0.0.1");
                properties.put("listen.port", 0);
                context.getService(ref).getConfiguration("net.tesseras.transport", "?").update(properties);
            } finally {
                context.ungetService(ref);
            }
            transport.start();
        }
        ServiceTracker<PeerClient, PeerClient> tracker = new ServiceTracker<>(context, PeerClient.class, null);
        tracker.open();
        try {
            if (tracker.waitForService(Await.DEFAULT.toMillis()) == null) {
                throw new AssertionError("no PeerClient within " + Await.DEFAULT.toSeconds() + " s of starting " + TRANSPORT);
            }
            String address = String.valueOf(tracker.getServiceReference().getProperty("transport.address"));
            String hostAndPort = address.substring(address.lastIndexOf('/') + 1);
            int colon = hostAndPort.lastIndexOf(':');
            return new InetSocketAddress(hostAndPort.substring(0, colon), Integer.parseInt(hostAndPort.substring(colon + 1)));
        } finally {
            tracker.close();
        }
    }

    static Bundle bundle(BundleContext context, String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("no bundle " + symbolicName);
    }

    /** A bundle from the jar the build handed over in a system property. */
    private static UrlProvisionOption jar(String property) {
        String path = System.getProperty(property);
        if (path == null || !new File(path).isFile()) {
            throw new IllegalStateException("system property " + property + " must name a bundle jar, got " + path);
        }
        return org.ops4j.pax.exam.CoreOptions.bundle(new File(path).toURI().toString());
    }
}
