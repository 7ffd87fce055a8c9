package net.tesseras.identity.internal;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import net.tesseras.common.config.internal.ConfigRules;
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

    /** The one configuration rule (docs/OPERATOR.md, "Configuration errors") for this PID. */
    static final ConfigRules<Config> RULES = ConfigRules.of(PID, "the node identity", Config.class).nonBlank("directory");

    private final IdentityFiles files;
    private final KeyPairIdentity identity;
    private final ServiceRegistration<NodeIdentity> registration;

    /**
     * Loads (or on a new node creates) the identity. DS re-creates this component when its
     * configuration changes; a new directory while the node runs is refused and the one in use
     * kept, since it would mean another NodeId. A missing key where the node had one fails the
     * activation with the fix in the message.
     */
    @Activate
    public NodeIdentityComponent(BundleContext context, Map<String, Object> properties) throws IOException {
        ConfigRules<Config>.Checked checked = RULES.check(properties).log(LOG);
        if (!checked.usable()) {
            throw checked.down(null);
        }
        Optional<Config> inUse = RULES.lastGood(properties);
        if (inUse.isPresent() && !samePath(context, inUse.get().directory(), checked.config().directory())) {
            checked = checked.without("directory", "the identity cannot move while the node runs (another directory means "
                    + "another NodeId); stop the node, move node.key, node.pub and node.properties, then change directory", LOG)
                    .orElseThrow();
        }
        Config config = checked.config();
        this.files = new IdentityFiles(DataDirectory.resolve(context, config.directory()),
                DataDirectory.of(context).resolve("node.id"));
        boolean existed = files.exists();
        this.identity = files.loadOrCreate();
        Dictionary<String, Object> serviceProperties = new Hashtable<>();
        serviceProperties.put("node.id", identity.nodeId().toHex());
        this.registration = context.registerService(NodeIdentity.class, identity, serviceProperties);
        checked.accepted();
        LOG.info("node identity {} {} ({})", identity.nodeId(), existed ? "loaded" : "created", files.directory());
    }

    private static boolean samePath(BundleContext context, String a, String b) {
        return DataDirectory.resolve(context, a.trim()).equals(DataDirectory.resolve(context, b.trim()));
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
