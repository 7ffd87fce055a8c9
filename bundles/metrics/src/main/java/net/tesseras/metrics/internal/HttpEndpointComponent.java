package net.tesseras.metrics.internal;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import net.tesseras.common.config.internal.ComponentRetry;
import net.tesseras.common.config.internal.ConfigRules;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where {@code /metrics} and {@code /health} listen (PID {@value #PID}). The HTTP service is Felix
 * HTTP Jetty; this component keeps its configuration ({@code org.apache.felix.http}) in line with
 * the node's own, so an operator edits one documented file and the change applies live.
 */
@Component(configurationPid = HttpEndpointComponent.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        immediate = true, service = {})
@Designate(ocd = HttpEndpointComponent.Config.class)
public final class HttpEndpointComponent {

    public static final String PID = "net.tesseras.metrics";

    private static final String FELIX_HTTP_PID = "org.apache.felix.http";

    @ObjectClassDefinition(name = "Tesseras metrics endpoint",
            description = "Address and port of /metrics and /health. Keep it on loopback unless a firewall protects it.")
    public @interface Config {
        @AttributeDefinition(name = "Address", description = "Interface to listen on.")
        String address() default "127.0.0.1";

        @AttributeDefinition(name = "Port", min = "1", max = "65535")
        int port() default 9190;
    }

    private static final Logger LOG = LoggerFactory.getLogger(HttpEndpointComponent.class);

    /** The one configuration rule (docs/OPERATOR.md, "Configuration errors") for this PID. */
    static final ConfigRules<Config> RULES = ConfigRules.of(PID, "the metrics endpoint", Config.class)
            .nonBlank("address")
            .check("address", v -> {
                try {
                    java.net.InetAddress.getByName(String.valueOf(v));
                    return null;
                } catch (java.net.UnknownHostException e) {
                    return "not an IP address or a known host name";
                }
            })
            .range("port", 1, 65535);

    private final ConfigurationAdmin configurationAdmin;
    private final BundleContext context;

    @Activate
    public HttpEndpointComponent(BundleContext context, @Reference ConfigurationAdmin configurationAdmin,
            Map<String, Object> properties) throws IOException {
        this.configurationAdmin = configurationAdmin;
        this.context = context;
        ComponentRetry retry = new ComponentRetry(context, PID, HttpEndpointComponent.class.getName());
        ConfigRules<Config>.Checked checked = RULES.check(properties).log(LOG);
        if (!checked.usable()) {
            throw checked.down(retry);
        }
        Listenable listenable = listenable(checked);
        if (listenable.checked() == null) {
            throw checked.down(listenable.key(), listenable.problem(), retry);
        }
        apply(listenable.checked().config());
        listenable.checked().accepted();
    }

    /**
     * A refused value keeps its last good one (one log line each); the endpoint moves only to an
     * address and port it can listen on, otherwise it keeps serving where it is.
     */
    @Modified
    void modified(Map<String, Object> properties) throws IOException {
        ConfigRules<Config>.Checked checked = RULES.check(properties).log(LOG);
        Listenable listenable = listenable(checked);
        if (listenable.checked() == null) {
            // Only without a last good value, which a modified component always has: nothing to move to.
            return;
        }
        apply(listenable.checked().config());
        listenable.checked().accepted();
    }

    /** Checked values the endpoint can listen on, or (checked null) the key refused without a last good value. */
    record Listenable(ConfigRules<Config>.Checked checked, String key, String problem) {
    }

    /**
     * Puts back (one log line each) an address that is not one of this host's, and a port that
     * cannot be bound on the address, so that Jetty is never asked to move where it would fail and
     * stop serving altogether. Where the endpoint already listens is taken as it is.
     */
    private Listenable listenable(ConfigRules<Config>.Checked checked) throws IOException {
        Endpoint serving = serving();
        Config config = checked.config();
        if (serving.is(config)) {
            return new Listenable(checked, null, null);
        }
        String problem = notLocal(config.address());
        if (problem != null) {
            var back = checked.without("address", problem, LOG);
            if (back.isEmpty()) {
                return new Listenable(null, "address", problem);
            }
            checked = back.get();
            config = checked.config();
            if (serving.is(config)) {
                return new Listenable(checked, null, null);
            }
        }
        // Jetty gives up its own port before it binds again: only another port is checked.
        problem = config.port() == serving.port() ? null : cannotListen(config.address(), config.port());
        if (problem != null) {
            var back = checked.without("port", problem, LOG);
            if (back.isEmpty()) {
                return new Listenable(null, "port", problem);
            }
            checked = back.get();
        }
        return new Listenable(checked, null, null);
    }

    /** Where Jetty listens now: its configuration, else the framework properties it started with. */
    private Endpoint serving() throws IOException {
        Dictionary<String, Object> current = configurationAdmin.getConfiguration(FELIX_HTTP_PID, "?").getProperties();
        Object host = current != null ? current.get("org.apache.felix.http.host") : context.getProperty("org.apache.felix.http.host");
        Object port = current != null ? current.get("org.osgi.service.http.port") : context.getProperty("org.osgi.service.http.port");
        int p;
        try {
            p = port == null ? -1 : Integer.parseInt(String.valueOf(port).trim());
        } catch (NumberFormatException e) {
            p = -1;
        }
        return new Endpoint(host == null ? null : String.valueOf(host).trim(), p);
    }

    private record Endpoint(String host, int port) {
        boolean is(Config config) {
            return config.address().equals(host) && config.port() == port;
        }
    }

    /** Null when {@code address} names this host (a wildcard, loopback or an interface's address), else why not. */
    static String notLocal(String address) {
        try {
            java.net.InetAddress a = java.net.InetAddress.getByName(address);
            if (a.isAnyLocalAddress() || a.isLoopbackAddress() || java.net.NetworkInterface.getByInetAddress(a) != null) {
                return null;
            }
            return "not an address of this host";
        } catch (IOException e) {
            return "not an address of this host (" + e.getMessage() + ")";
        }
    }

    /**
     * Null when a socket can listen on {@code address:port} now, else why not (in use, not
     * permitted). The socket is closed again at once, so another process may still take the port
     * before Jetty binds it; that race is narrow and Jetty's own failure is then logged as before.
     */
    static String cannotListen(String address, int port) {
        try (java.net.ServerSocket socket = new java.net.ServerSocket()) {
            // As Jetty binds: a port in TIME_WAIT after an earlier listener is usable.
            socket.setReuseAddress(true);
            socket.bind(new java.net.InetSocketAddress(java.net.InetAddress.getByName(address), port));
            return null;
        } catch (IOException e) {
            return "cannot listen on " + address + ":" + port + " (" + e.getMessage() + ")";
        }
    }

    private void apply(Config config) throws IOException {
        Configuration http = configurationAdmin.getConfiguration(FELIX_HTTP_PID, "?");
        Dictionary<String, Object> current = http.getProperties();
        if (current != null && config.address().equals(current.get("org.apache.felix.http.host"))
                && String.valueOf(config.port()).equals(String.valueOf(current.get("org.osgi.service.http.port")))) {
            return;
        }
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put("org.apache.felix.http.host", config.address());
        properties.put("org.osgi.service.http.port", config.port());
        properties.put("org.apache.felix.https.enable", false);
        http.update(properties);
        LOG.info("metrics endpoint: http://{}:{}/metrics and /health", config.address(), config.port());
    }
}
