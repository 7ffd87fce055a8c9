package net.tesseras.launcher;

import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Method;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.wiring.BundleRevision;

/**
 * Reads the running framework into the snapshots {@link Readiness} judges, and publishes the verdict
 * as a service for {@code /health}.
 *
 * <p>The service is a {@code java.util.function.Supplier<Map<String, Object>>} with the property
 * {@value #SERVICE_PROPERTY}{@code =node}: the launcher lives outside OSGi, so only JDK types can
 * cross to the bundles. The map is {@link Readiness.Report#toMap()}.
 *
 * <p>Declarative Services are read through the {@code ServiceComponentRuntime} service by
 * reflection, for the same reason: its API classes belong to a bundle the launcher cannot link to.
 *
 * <p>Listeners are the node's own: the QUIC transport (bound once its {@code PeerClient} service is
 * registered: the transport publishes it only after its socket is bound) and the HTTP endpoint
 * (bound when the HTTP service runtime lists an endpoint: Felix Jetty lists only connectors that
 * started). Each is checked only when its bundle is installed, so a node without the transport or
 * metrics feature needs neither.
 */
final class NodeReadiness implements Supplier<Map<String, Object>> {

    static final String SERVICE_PROPERTY = "tesseras.readiness";

    /** Service property of a problem a bundle reports itself (see PublishedProblem in the common helpers). */
    static final String PROBLEM_PROPERTY = "tesseras.problem";

    /** Service property: "true" when only an operator can end that problem. */
    static final String PROBLEM_PERMANENT = "tesseras.problem.permanent";

    private static final String SCR = "org.osgi.service.component.runtime.ServiceComponentRuntime";
    private static final String PEER_CLIENT = "net.tesseras.transport.PeerClient";
    private static final String HTTP_RUNTIME = "org.osgi.service.http.runtime.HttpServiceRuntime";
    private static final String HTTP_ENDPOINT = "osgi.http.endpoint";

    /** A listener of the node: which bundle owns it, and where its settings are. */
    record Listener(String name, String protocol, String bundle, String pid, String addressKey, String defaultAddress,
            String portKey, int defaultPort, String also) {}

    static final Listener QUIC = new Listener("QUIC transport", "UDP", "net.tesseras.transport.quic",
            "net.tesseras.transport", "listen.address", "0.0.0.0", "listen.port", 4433, null);
    static final Listener HTTP = new Listener("HTTP endpoint (/metrics, /health)", "TCP", "org.apache.felix.http.jetty",
            "net.tesseras.metrics", "address", "127.0.0.1", "port", 9190,
            "org.osgi.service.http.port in etc/framework.properties");

    private final BundleContext context;
    private final Path home;

    NodeReadiness(BundleContext context, Path home) {
        this.context = context;
        this.home = home;
    }

    /** Publishes {@link #get()} for /health; the registration ends with the framework. */
    ServiceRegistration<?> register() {
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(SERVICE_PROPERTY, "node");
        properties.put(Constants.SERVICE_DESCRIPTION, "Tesseras node readiness (bundles, components, listeners)");
        return context.registerService(Supplier.class.getName(), this, properties);
    }

    @Override
    public Map<String, Object> get() {
        return check(false).toMap();
    }

    /**
     * The node as it is now. {@code probe}: for a listener that is not bound, try to bind its
     * address here to tell "in use by another program" apart (only when the node is giving up: a
     * probe could take the port from under a listener that is about to bind).
     */
    Readiness.Report check(boolean probe) {
        List<Readiness.BundleState> bundles = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            if (b.getBundleId() != 0) {
                bundles.add(new Readiness.BundleState(b.getSymbolicName(), b.getVersion().toString(), b.getState(), isFragment(b)));
            }
        }
        List<Readiness.ComponentState> components;
        List<Readiness.Problem> scrProblem = List.of();
        try {
            components = components();
        } catch (ReflectiveOperationException | RuntimeException e) {
            components = List.of();
            scrProblem = List.of(new Readiness.Problem("Declarative Services cannot be read: " + e, false));
        }
        List<Readiness.ListenerState> listeners = new ArrayList<>();
        for (Listener listener : List.of(QUIC, HTTP)) {
            if (installed(listener.bundle())) {
                listeners.add(listener(listener, probe));
            }
        }
        Readiness.Report report = Readiness.judge(bundles, components, listeners);
        List<Readiness.Problem> published = publishedProblems();
        if (scrProblem.isEmpty() && published.isEmpty()) {
            return report;
        }
        List<Readiness.Problem> all = new ArrayList<>(scrProblem);
        all.addAll(report.components());
        all.addAll(published);
        return new Readiness.Report(report.bundles(), all, report.listeners());
    }

    /**
     * Problems a component publishes itself, as a service with the property {@value #PROBLEM_PROPERTY}
     * (one line of text): what DS cannot see, such as a consumer whose {@code store.target} matches
     * no store, or a store that stays down until its file is fixed.
     */
    private List<Readiness.Problem> publishedProblems() {
        ServiceReference<?>[] references;
        try {
            references = context.getAllServiceReferences(null, "(" + PROBLEM_PROPERTY + "=*)");
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        List<Readiness.Problem> problems = new ArrayList<>();
        if (references != null) {
            for (ServiceReference<?> reference : references) {
                problems.add(new Readiness.Problem(String.valueOf(reference.getProperty(PROBLEM_PROPERTY)),
                        "true".equals(String.valueOf(reference.getProperty(PROBLEM_PERMANENT)))));
            }
        }
        return problems;
    }

    /**
     * A service of that class, whoever registered it. "All": the launcher's class loader cannot load
     * the bundles' classes, so the framework's usual class-space check does not apply.
     */
    private ServiceReference<?> any(String className) {
        try {
            ServiceReference<?>[] references = context.getAllServiceReferences(className, null);
            return references == null ? null : references[0];
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private boolean active(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName()) && b.getState() == Bundle.ACTIVE) {
                return true;
            }
        }
        return false;
    }

    private boolean installed(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return true;
            }
        }
        return false;
    }

    // ---- Declarative Services, by reflection ----

    private List<Readiness.ComponentState> components() throws ReflectiveOperationException {
        ServiceReference<?> reference = any(SCR);
        if (reference == null) {
            // SCR's bundle is then not active either, and is named among the bundles.
            return List.of();
        }
        Object scr = context.getService(reference);
        if (scr == null) {
            return List.of();
        }
        try {
            return components(scr, this::settingsOf, providedServices()::contains);
        } finally {
            context.ungetService(reference);
        }
    }

    /** Every service class an installed bundle declares it provides (Provide-Capability osgi.service). */
    private java.util.Set<String> providedServices() {
        java.util.Set<String> provided = new java.util.HashSet<>();
        for (Bundle b : context.getBundles()) {
            BundleRevision revision = b.adapt(BundleRevision.class);
            if (revision == null) {
                continue;
            }
            for (org.osgi.resource.Capability capability : revision.getCapabilities("osgi.service")) {
                Object classes = capability.getAttributes().get("objectClass");
                if (classes instanceof Collection<?> names) {
                    names.forEach(n -> provided.add(String.valueOf(n)));
                } else if (classes != null) {
                    provided.add(classes.toString());
                }
            }
        }
        return provided;
    }

    /**
     * Reads every enabled component configuration from a {@code ServiceComponentRuntime}. {@code
     * settings} maps a configuration PID to the file it is set in (or null); {@code provided} says
     * whether an installed bundle declares it provides a service class.
     */
    static List<Readiness.ComponentState> components(Object scr, java.util.function.Function<String, String> settings,
            java.util.function.Predicate<String> provided) throws ReflectiveOperationException {
        Class<?> api = apiOf(scr.getClass());
        Method descriptions = api.getMethod("getComponentDescriptionDTOs", Bundle[].class);
        Method configurations = null;
        Method enabled = null;
        for (Method m : api.getMethods()) {
            if (m.getName().equals("getComponentConfigurationDTOs") && m.getParameterCount() == 1) {
                configurations = m;
            } else if (m.getName().equals("isComponentEnabled") && m.getParameterCount() == 1) {
                enabled = m;
            }
        }
        if (configurations == null || enabled == null) {
            throw new NoSuchMethodException(api.getName() + " lacks getComponentConfigurationDTOs or isComponentEnabled");
        }
        List<Readiness.ComponentState> result = new ArrayList<>();
        for (Object description : (Collection<?>) descriptions.invoke(scr, (Object) new Bundle[0])) {
            if (!Boolean.TRUE.equals(enabled.invoke(scr, description))) {
                continue;
            }
            String name = (String) field(description, "name");
            Object bundle = field(description, "bundle");
            String bundleName = bundle == null ? "?" : String.valueOf(field(bundle, "symbolicName"));
            String[] pids = (String[]) field(description, "configurationPid");
            String settingsFile = null;
            if (pids != null) {
                for (String pid : pids) {
                    settingsFile = settingsFile != null ? settingsFile : settings.apply(pid);
                }
            }
            for (Object configuration : (Collection<?>) configurations.invoke(scr, description)) {
                int state = (Integer) field(configuration, "state");
                String failure = (String) optionalField(configuration, "failure");
                List<Readiness.MissingReference> missing = new ArrayList<>();
                Object[] unsatisfied = (Object[]) field(configuration, "unsatisfiedReferences");
                if (unsatisfied != null) {
                    for (Object reference : unsatisfied) {
                        String service = serviceOf(description, (String) field(reference, "name"));
                        missing.add(new Readiness.MissingReference(service, (String) field(reference, "target"),
                                provided.test(service)));
                    }
                }
                result.add(new Readiness.ComponentState(name, bundleName, state, failure, missing, settingsFile));
            }
        }
        return result;
    }

    /** The service class of a component's reference, by the reference's name. */
    private static String serviceOf(Object description, String reference) throws ReflectiveOperationException {
        Object[] references = (Object[]) field(description, "references");
        if (references != null) {
            for (Object r : references) {
                if (reference.equals(field(r, "name"))) {
                    return (String) field(r, "interfaceName");
                }
            }
        }
        return reference;
    }

    private static Class<?> apiOf(Class<?> type) throws ClassNotFoundException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Class<?> i : c.getInterfaces()) {
                if (i.getName().equals(SCR)) {
                    return i;
                }
            }
        }
        throw new ClassNotFoundException(type.getName() + " does not implement " + SCR);
    }

    private static Object field(Object dto, String name) throws ReflectiveOperationException {
        return dto.getClass().getField(name).get(dto);
    }

    private static Object optionalField(Object dto, String name) throws ReflectiveOperationException {
        try {
            return field(dto, name);
        } catch (NoSuchFieldException e) {
            return null; // DS before 1.4 records no failure
        }
    }

    /** etc/PID.cfg (relative to the installation) when it exists. */
    private String settingsOf(String pid) {
        Path file = home.resolve("etc").resolve(pid + ".cfg");
        return Files.isRegularFile(file) ? "etc/" + pid + ".cfg" : null;
    }

    // ---- Listeners ----

    private Readiness.ListenerState listener(Listener listener, boolean probe) {
        Properties settings = settings(listener.pid());
        String address = settings.getProperty(listener.addressKey(), listener.defaultAddress()).trim();
        String port = settings.getProperty(listener.portKey(), String.valueOf(listener.defaultPort())).trim();
        boolean bound = listener == QUIC ? any(PEER_CLIENT) != null : !httpEndpoints().isEmpty();
        // Both bind when their bundle starts (the transport in its activation, Jetty with its connectors)
        // or when their configuration changes, and neither retries: with the bundle active, an unbound
        // listener stays so until an operator acts.
        boolean gaveUp = !bound && active(listener.bundle());
        String where = listener.protocol() + " " + address + ":" + port;
        if (!bound && probe && inUse(listener.protocol(), address, port)) {
            where += " (in use by another program)";
        }
        String change = listener.portKey() + " or " + listener.addressKey() + " in etc/" + listener.pid() + ".cfg"
                + (listener.also() == null ? "" : ", and " + listener.also());
        return new Readiness.ListenerState(listener.name(), where, bound, gaveUp, change);
    }

    /** The endpoints the HTTP runtimes list (none when no runtime is registered). */
    private List<String> httpEndpoints() {
        ServiceReference<?>[] references;
        try {
            references = context.getAllServiceReferences(HTTP_RUNTIME, null);
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        List<String> endpoints = new ArrayList<>();
        if (references == null) {
            return endpoints;
        }
        for (ServiceReference<?> reference : references) {
            Object value = reference.getProperty(HTTP_ENDPOINT);
            if (value instanceof String[] array) {
                endpoints.addAll(List.of(array));
            } else if (value instanceof Collection<?> collection) {
                collection.forEach(e -> endpoints.add(String.valueOf(e)));
            } else if (value != null) {
                endpoints.add(value.toString());
            }
        }
        return endpoints;
    }

    private Properties settings(String pid) {
        Properties properties = new Properties();
        Path file = home.resolve("etc").resolve(pid + ".cfg");
        if (Files.isRegularFile(file)) {
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                properties.load(reader);
            } catch (IOException | IllegalArgumentException e) {
                // unreadable: the defaults name the listener well enough; the component says more
            }
        }
        return properties;
    }

    /** Whether binding the address here fails: then another program holds it. */
    static boolean inUse(String protocol, String address, String port) {
        int number;
        InetAddress host;
        try {
            number = Integer.parseInt(port);
            host = InetAddress.getByName(address);
        } catch (NumberFormatException | IOException e) {
            return false;
        }
        if (number <= 0 || number > 65535) {
            return false;
        }
        try {
            if ("UDP".equals(protocol)) {
                try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(host, number))) {
                    return false;
                }
            }
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(host, number));
                return false;
            }
        } catch (java.net.BindException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean isFragment(Bundle bundle) {
        BundleRevision revision = bundle.adapt(BundleRevision.class);
        return revision != null && (revision.getTypes() & BundleRevision.TYPE_FRAGMENT) != 0;
    }
}
