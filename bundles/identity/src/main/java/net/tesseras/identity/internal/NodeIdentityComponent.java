package net.tesseras.identity.internal;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.HexFormat;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import net.tesseras.database.Database;
import net.tesseras.common.config.internal.ConfigRules;
import net.tesseras.common.internal.DataDirectory;
import net.tesseras.common.internal.PublishedProblem;
import net.tesseras.identity.NodeIdentity;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.resource.Capability;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the node's identity from the data directory, creating it on first start, and publishes it
 * as {@link NodeIdentity}; {@code tesseras:identity} prints it. Registered by hand so that a
 * damaged key leaves no half-working identity behind, only a clear error.
 *
 * <p>A new identity is made only once the node's database (when a bundle of the node provides one)
 * confirms that its data belongs to no identity: the key files and {@code data/node.id} can be moved
 * away together while the data stays, and a new NodeId over that data would orphan it. The
 * database records the NodeId ({@link IdentityRecord}) once the identity exists.
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

        @AttributeDefinition(name = "New identity replaces",
                description = "Only to start deliberately as a new node over data whose identity is lost: the NodeId the "
                        + "database records (named in the error that stops the identity). Empty: never replace one.")
        String new_identity_replaces() default "";
    }

    private static final Logger LOG = LoggerFactory.getLogger(NodeIdentityComponent.class);

    private static final String DATABASE_SERVICE = "net.tesseras.database.Database";

    /** The one configuration rule (docs/OPERATOR.md, "Configuration errors") for this PID. */
    static final ConfigRules<Config> RULES = ConfigRules.of(PID, "the node identity", Config.class)
            .nonBlank("directory")
            .check("new.identity.replaces", v -> String.valueOf(v).isEmpty() || String.valueOf(v).matches("(?i)[0-9a-f]{40}")
                    ? null : "not a NodeId (40 hex characters)");

    private final BundleContext context;
    private final IdentityFiles files;
    private final String replaces;
    private volatile KeyPairIdentity identity;
    private ServiceRegistration<NodeIdentity> registration;
    private Database database;
    private String databaseLocation;
    private volatile String problem;
    // The refusal, for readiness: /health and bin/tesseras start name it (only the operator can end it).
    private final PublishedProblem refused;
    private boolean closed;

    /**
     * Loads the identity, or on a node that never had one creates it (at once when no bundle of the
     * node provides a database, else once the database is bound, see {@link #bindDatabase}). DS
     * re-creates this component when its configuration changes; a new directory while the node runs
     * is refused and the one in use kept, since it would mean another NodeId. A missing key where
     * the node had one fails the activation with the fix in the message.
     */
    @Activate
    public NodeIdentityComponent(BundleContext context, Map<String, Object> properties) throws IOException {
        this.context = context;
        this.refused = new PublishedProblem(context, true);
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
        this.replaces = config.new_identity_replaces().trim().toLowerCase(Locale.ROOT);
        this.files = new IdentityFiles(DataDirectory.resolve(context, config.directory()),
                DataDirectory.of(context).resolve("node.id"));
        if (files.exists()) {
            publish(files.loadAndRemember(), "loaded");
        } else {
            files.refuseIfTheNodeHadAnIdentity();
            if (databaseProvided(context)) {
                problem = "no identity in " + files.directory() + " yet: it is created once the database confirms that this "
                        + "node's data belongs to no other identity (waiting for the database)";
                LOG.info(problem);
            } else {
                publish(files.createAndRemember(), "created");
            }
        }
        checked.accepted();
    }

    /**
     * The node's database: records this node's NodeId in it, or, on a node without key files, tells
     * whether its data belongs to an identity that was lost (then none is created: see
     * {@link #refusal}).
     */
    @Reference(name = "database", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    synchronized void bindDatabase(Database db, Map<String, Object> properties) {
        database = db;
        databaseLocation = String.valueOf(properties.getOrDefault("database.location", "the node's database"));
        settle();
    }

    synchronized void unbindDatabase(Database db) {
        if (database == db) {
            database = null;
        }
    }

    private void settle() {
        if (closed || database == null) {
            return;
        }
        try {
            IdentityRecord record = new IdentityRecord(database);
            Optional<String> recorded = record.recorded();
            KeyPairIdentity current = identity;
            if (current != null) {
                if (recorded.isEmpty()) {
                    record.record(current.nodeId());
                } else if (!recorded.get().equals(current.nodeId().toHex())) {
                    LOG.error("the database {} records NodeId {} but the key files in {} give {}: this data was stored by "
                            + "another node; the record is left as it is", databaseLocation, recorded.get(), files.directory(),
                            current.nodeId());
                }
                return;
            }
            if (recorded.isPresent() && !recorded.get().equals(replaces)) {
                problem = refusal(recorded.get());
                LOG.error(problem);
                refused.set("node identity: " + problem);
                return;
            }
            KeyPairIdentity created = files.createAndRemember();
            record.record(created.nodeId());
            publish(created, recorded.isPresent() ? "created, replacing " + recorded.get() + " (new.identity.replaces)" : "created");
        } catch (IOException | RuntimeException e) {
            problem = "no identity: cannot check the database " + databaseLocation + " for this node's identity: " + e.getMessage()
                    + "; nothing was created";
            LOG.error(problem);
        }
    }

    /** Why no identity is made over data that belongs to a lost one, and the two ways out. */
    private String refusal(String recordedNodeId) {
        return "no node.key in " + files.directory() + " and no " + files.record() + ", but the database " + databaseLocation
                + " holds data of this node's identity, NodeId " + recordedNodeId + ": it cannot be recreated, and a new NodeId "
                + "would orphan that data, so none was created. Stop the node and restore node.key, node.pub and node.properties "
                + "into " + files.directory() + " (and " + files.record().getFileName() + " into " + files.record().getParent()
                + ") from a backup, then start it; only to start deliberately as a new node with a new NodeId over this data, "
                + "set new.identity.replaces = " + recordedNodeId + " in etc/" + PID + ".cfg";
    }

    private synchronized void publish(KeyPairIdentity loaded, String how) {
        Dictionary<String, Object> serviceProperties = new Hashtable<>();
        serviceProperties.put("node.id", loaded.nodeId().toHex());
        identity = loaded;
        problem = null;
        refused.clear();
        registration = context.registerService(NodeIdentity.class, loaded, serviceProperties);
        LOG.info("node identity {} {} ({})", loaded.nodeId(), how, files.directory());
    }

    /** Whether a bundle of this node declares that it provides the database (even if it has not started yet). */
    private static boolean databaseProvided(BundleContext context) {
        for (Bundle bundle : context.getBundles()) {
            BundleRevision revision = bundle.adapt(BundleRevision.class);
            if (revision == null) {
                continue;
            }
            for (Capability capability : revision.getCapabilities("osgi.service")) {
                Object classes = capability.getAttributes().get("objectClass");
                if (classes instanceof Collection<?> names ? names.contains(DATABASE_SERVICE) : DATABASE_SERVICE.equals(classes)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean samePath(BundleContext context, String a, String b) {
        return DataDirectory.resolve(context, a.trim()).equals(DataDirectory.resolve(context, b.trim()));
    }

    @Deactivate
    synchronized void deactivate() {
        closed = true;
        refused.clear();
        if (registration != null) {
            registration.unregister();
            registration = null;
        }
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
        KeyPairIdentity identity = this.identity;
        if (identity == null) {
            throw new IllegalStateException(String.valueOf(problem));
        }
        return "NodeId      " + identity.nodeId() + "\n"
                + "Public key  " + HexFormat.of().formatHex(identity.publicKey()) + " (Ed25519)\n"
                + "Nonce       " + identity.nonce() + "\n"
                + "Key files   " + files.directory() + "\n";
    }
}
