package net.tesseras.tessera.internal;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.tesseras.common.config.internal.ComponentRetry;
import net.tesseras.common.config.internal.ConfigRules;
import net.tesseras.common.internal.DataDirectory;
import net.tesseras.common.internal.StoreBinding;
import net.tesseras.common.internal.StoreTargets;
import net.tesseras.core.ContentHash;
import net.tesseras.database.Database;
import net.tesseras.erasure.ErasureCoder;
import net.tesseras.identity.NodeIdentity;
import net.tesseras.storage.FragmentStore;
import net.tesseras.tessera.ExportResult;
import net.tesseras.tessera.TesseraDetails;
import net.tesseras.tessera.TesseraInfo;
import net.tesseras.tessera.TesseraProgress;
import net.tesseras.tessera.TesseraService;
import net.tesseras.tessera.TesseraVerification;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
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
 * Registers the node's {@link TesseraService}. Immediate: it finishes what a crash left half-done
 * at start, and a bad configuration shows at start (readiness, /health), not at the first command. The database is the one thing it cannot work
 * without; the store, the identity and the coder are followed as they come and go, and an
 * operation that needs a missing one refuses and names it.
 */
@Component(service = TesseraService.class, configurationPid = TesseraServiceComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true)
@Designate(ocd = TesseraServiceComponent.Config.class)
public final class TesseraServiceComponent implements TesseraService, Collaborators {

    public static final String PID = "net.tesseras.tessera";

    @ObjectClassDefinition(name = "Tesseras tesseras",
            description = "Creating, verifying and exporting tesseras: where work files go and how hard the store is pushed.")
    public @interface Config {
        @AttributeDefinition(name = "Work directory", description = "Scratch space for payloads and parity shards while"
                + " a tessera is created, verified or exported; relative to the data directory. Needs free space of"
                + " about twice the largest tessera.")
        String work_directory() default "tmp";

        @AttributeDefinition(name = "Concurrent batches", description = "Fragment batches stored at the same time.", min = "1", max = "64")
        int writer_concurrency() default 2;

        @AttributeDefinition(name = "Bytes in flight (MiB)", description = "Fragment bytes read ahead of the store;"
                + " creation waits beyond it, so this bounds the memory a creation uses.", min = "1", max = "4096")
        int writer_in_flight_mb() default 64;

        @AttributeDefinition(name = "Store target", description = "LDAP filter of the fragment store to use; empty:"
                + " the cache front, else the fs backend.")
        String store_target() default "";
    }

    static final ConfigRules<Config> RULES = ConfigRules.of(PID, "the tessera service", Config.class)
            .nonBlank("work.directory")
            .check("work.directory", v -> WorkDirectory.confined(Path.of("data"), String.valueOf(v)) == null
                    ? "must be a directory inside the data directory (the node removes the work directories it"
                            + " left there at start)" : null)
            .range("writer.concurrency", 1, 64)
            .range("writer.in.flight.mb", 1, 4096)
            .alsoKnown(StoreTargets.KEY);

    private static final Logger LOG = LoggerFactory.getLogger(TesseraServiceComponent.class);

    private final Database database;
    private final Path dataDirectory;
    private final ExecutorService executor;
    private final StoreBinding stores;
    private volatile NodeIdentity identity;
    private volatile ErasureCoder coder;
    private volatile NodeTesseras tesseras;
    private volatile boolean recovered;
    /** The tesseras commands are working on, kept across configuration changes (see NodeTesseras). */
    private final Set<ContentHash> inProgress = ConcurrentHashMap.newKeySet();
    private TesseraTable table;

    @Activate
    public TesseraServiceComponent(BundleContext context, @Reference Database database, Map<String, Object> properties) {
        this.database = database;
        this.dataDirectory = DataDirectory.of(context);
        this.stores = new StoreBinding(context, PID, "the tessera service", LOG);
        AtomicInteger threads = new AtomicInteger();
        // A thread per batch running: each creation's batch writer bounds its own batches, and a
        // queued batch never waits behind another creation's.
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "tesseras-tessera-writer-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            // A configuration that was never good fails the activation naming key, value and file;
            // the retry brings the component back by itself once the file changes.
            ConfigRules<Config>.Checked checked = RULES.check(properties).log(LOG);
            if (!checked.usable()) {
                throw checked.down(new ComponentRetry(context, PID, TesseraServiceComponent.class.getName()));
            }
            table = new TesseraTable(database);
            apply(checked, properties);
            // Before any command runs: whatever a killed node left in the work directory is no one's.
            WorkDirectory.removeLeftOvers(tesseras.workRoot(), LOG);
        } catch (RuntimeException e) {
            executor.shutdownNow();
            stores.close();
            throw e;
        }
        recoverOnce();
    }

    /** A bad value is refused and the last good configuration kept (its rule); nothing is torn down here. */
    @Modified
    void modified(Map<String, Object> properties) {
        ConfigRules<Config>.Checked checked = RULES.check(properties).log(LOG);
        if (checked.usable()) {
            apply(checked, properties);
        }
    }

    private void apply(ConfigRules<Config>.Checked checked, Map<String, Object> properties) {
        stores.configure(properties);
        checked.accepted();
        Config config = checked.config();
        Path work = WorkDirectory.confined(dataDirectory, config.work_directory());
        WriterLimits limits = new WriterLimits(config.writer_concurrency(), (long) config.writer_in_flight_mb() << 20);
        tesseras = new NodeTesseras(table, this, work, limits, executor, Clock.systemUTC(), inProgress);
    }

    /** Lets running batches finish (a dropped one would leave its creation waiting for ever), then stops. */
    @Deactivate
    void deactivate() throws InterruptedException {
        executor.shutdown();
        if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
            LOG.warn("Fragment batches still running 30 s after the tessera service stopped; abandoning them");
            executor.shutdownNow();
        }
        stores.close();
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindIdentity(NodeIdentity nodeIdentity) {
        identity = nodeIdentity;
    }

    void unbindIdentity(NodeIdentity nodeIdentity) {
        if (identity == nodeIdentity) {
            identity = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindCoder(ErasureCoder erasureCoder) {
        coder = erasureCoder;
    }

    void unbindCoder(ErasureCoder erasureCoder) {
        if (coder == erasureCoder) {
            coder = null;
        }
    }

    /**
     * Finishes creations and deletions a crash interrupted, once a store is there to clean: at
     * activation, else before the first operation that finds one.
     */
    private synchronized void recoverOnce() {
        NodeTesseras current = tesseras;
        if (recovered || current == null || stores.store() == null) {
            return;
        }
        try {
            recovered = current.recover();
        } catch (RuntimeException e) {
            LOG.error("Could not finish the tessera commands a crash interrupted: {}; will try again when the store"
                    + " comes back", e.getMessage(), e);
        }
    }

    @Override
    public FragmentStore storeOrNull() {
        return stores.store();
    }

    @Override
    public NodeIdentity identityOrNull() {
        return identity;
    }

    @Override
    public ErasureCoder coderOrNull() {
        return coder;
    }

    @Override
    public String storeDescription() {
        String missing = stores.missing();
        return missing != null ? missing : StoreTargets.describe(null);
    }

    @Override
    public TesseraInfo create(List<Path> inputs, TesseraProgress progress) {
        recoverOnce();
        return tesseras.create(inputs, progress);
    }

    @Override
    public List<TesseraInfo> list(ContentHash after, int limit) {
        recoverOnce();
        return tesseras.list(after, limit);
    }

    @Override
    public Optional<TesseraInfo> find(ContentHash hash) {
        recoverOnce();
        return tesseras.find(hash);
    }

    @Override
    public TesseraInfo resolve(String hashOrPrefix) {
        recoverOnce();
        return tesseras.resolve(hashOrPrefix);
    }

    @Override
    public TesseraDetails show(ContentHash hash) {
        recoverOnce();
        return tesseras.show(hash);
    }

    @Override
    public TesseraVerification verify(ContentHash hash, TesseraProgress progress) {
        recoverOnce();
        return tesseras.verify(hash, progress);
    }

    @Override
    public ExportResult export(ContentHash hash, Path destination, TesseraProgress progress) {
        recoverOnce();
        return tesseras.export(hash, destination, progress);
    }

    @Override
    public boolean delete(ContentHash hash) {
        recoverOnce();
        return tesseras.delete(hash);
    }

    @Override
    public java.util.SortedSet<Integer> rebuild(net.tesseras.tessera.SignedFragmentPlan plan, java.util.Set<Integer> indices,
            TesseraProgress progress) {
        recoverOnce();
        return tesseras.rebuild(plan, indices, progress);
    }

    @Override
    public TesseraInfo adopt(net.tesseras.tessera.SignedFragmentPlan plan, TesseraProgress progress) {
        recoverOnce();
        return tesseras.adopt(plan, progress);
    }
}
