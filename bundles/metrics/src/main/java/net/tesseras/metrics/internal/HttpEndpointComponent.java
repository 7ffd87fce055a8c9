package net.tesseras.metrics.internal;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;
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

    private final ConfigurationAdmin configurationAdmin;

    @Activate
    public HttpEndpointComponent(@Reference ConfigurationAdmin configurationAdmin, Config config) throws IOException {
        this.configurationAdmin = configurationAdmin;
        apply(config);
    }

    @Modified
    void modified(Config config) throws IOException {
        apply(config);
    }

    private void apply(Config config) throws IOException {
        if (config.port() < 1 || config.port() > 65535 || config.address() == null || config.address().isBlank()) {
            LOG.error("configuration {}: invalid address '{}' or port {}; the endpoint stays where it is", PID,
                    config.address(), config.port());
            return;
        }
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
