package net.tesseras.identity.internal;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.HexFormat;
import net.tesseras.common.internal.DataDirectory;
import net.tesseras.identity.NodeIdentity;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the node's identity from the data directory, creating it on first start, and publishes it
 * as {@link NodeIdentity}; {@code tesseras:identity} prints it. Registered by hand so that a
 * damaged key leaves no half-working identity behind, only a clear error.
 */
@Component(configurationPid = NodeIdentityComponent.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        immediate = true, service = NodeIdentityComponent.class)
@GogoCommand(scope = "tesseras", function = "identity")
@Designate(ocd = NodeIdentityComponent.Config.class)
public final class NodeIdentityComponent {

    public static final String PID = "net.tesseras.identity";

    @ObjectClassDefinition(name = "Tesseras node identity", description = "Where the node's Ed25519 key pair lives.")
    public @interface Config {
        @AttributeDefinition(name = "Directory", description = "Relative paths are resolved against the data directory.")
        String directory() default "identity";
    }

    private static final Logger LOG = LoggerFactory.getLogger(NodeIdentityComponent.class);

    private final IdentityFiles files;
    private final KeyPairIdentity identity;
    private final ServiceRegistration<NodeIdentity> registration;

    @Activate
    public NodeIdentityComponent(BundleContext context, Config config) throws IOException {
        this.files = new IdentityFiles(DataDirectory.resolve(context, config.directory()));
        boolean existed = files.exists();
        this.identity = files.loadOrCreate();
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put("node.id", identity.nodeId().toHex());
        this.registration = context.registerService(NodeIdentity.class, identity, properties);
        LOG.info("node identity {} {} ({})", identity.nodeId(), existed ? "loaded" : "created", files.directory());
    }

    @Deactivate
    void deactivate() {
        registration.unregister();
    }

    @Descriptor("print this node's NodeId and Ed25519 public key")
    public String identity(@Descriptor("--help") String... args) {
        if (args.length > 0) {
            String usage = "usage: tesseras:identity\n  this node's NodeId, Ed25519 public key, proof-of-work nonce and key directory\n";
            if (args[0].equals("--help") || args[0].equals("-h")) {
                return usage;
            }
            throw new IllegalArgumentException("tesseras:identity takes no arguments; " + usage.lines().findFirst().orElse(""));
        }
        return "NodeId      " + identity.nodeId() + "\n"
                + "Public key  " + HexFormat.of().formatHex(identity.publicKey()) + " (Ed25519)\n"
                + "Nonce       " + identity.nonce() + "\n"
                + "Key files   " + files.directory() + "\n";
    }
}
