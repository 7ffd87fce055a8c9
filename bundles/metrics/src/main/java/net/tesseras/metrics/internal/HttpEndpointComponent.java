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

    @Activate
    public HttpEndpointComponent(BundleContext context, @Reference ConfigurationAdmin configurationAdmin,
            Map<String, Object> properties) throws IOException {
        this.configurationAdmin = configurationAdmin;
        ConfigRules<Config>.Checked checked = RULES.check(properties).log(LOG);
        if (!checked.usable()) {
            throw checked.down(new ComponentRetry(context, PID, HttpEndpointComponent.class.getName()));
        }
        apply(checked.config());
        checked.accepted();
    }

    /** A refused value keeps its last good one (one log line each); the endpoint moves only to a valid address. */
    @Modified
    void modified(Map<String, Object> properties) throws IOException {
        ConfigRules<Config>.Checked checked = RULES.check(properties).log(LOG);
        apply(checked.config());
        checked.accepted();
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
