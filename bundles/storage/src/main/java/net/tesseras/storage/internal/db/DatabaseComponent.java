package net.tesseras.storage.internal.db;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.Optional;
import net.tesseras.database.Database;
import net.tesseras.database.Synchronous;
import net.tesseras.common.config.internal.ComponentRetry;
import net.tesseras.common.config.internal.ConfigRules;
import net.tesseras.common.internal.DataDirectory;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the node's {@link Database} and keeps it in line with configuration {@value #PID}.
 *
 * <p>The service is registered by hand rather than by DS so that a tunable change is applied to the
 * open connections in place (consumers see no interruption), while a change of file replaces the
 * registration, which makes every consumer rebind to the new database and run its migrations.
 */
@Component(configurationPid = DatabaseComponent.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        immediate = true, service = {})
@Designate(ocd = DatabaseComponent.Config.class)
public final class DatabaseComponent {

    public static final String PID = "net.tesseras.storage";

    /** Service property: where the database lives. */
    public static final String LOCATION_PROPERTY = "database.location";

    /**
     * Service property: the synchronous mode in force. Stores follow it so that one setting states
     * the node's durability promise (FULL: acknowledged data survives power loss).
     */
    public static final String SYNCHRONOUS_PROPERTY = "database.synchronous";

    @ObjectClassDefinition(name = "Tesseras database",
            description = "The node's SQLite database: file location and the pragmas applied to every connection.")
    public @interface Config {
        @AttributeDefinition(name = "Database file",
                description = "SQLite file; a relative path is resolved against the node's data directory.")
        String path() default "db/tesseras.db";

        @AttributeDefinition(name = "Synchronous",
                description = "NORMAL survives process crashes; FULL also survives power loss at some cost per commit.",
                options = {@Option(label = "NORMAL", value = "NORMAL"), @Option(label = "FULL", value = "FULL")})
        String synchronous() default "NORMAL";

        @AttributeDefinition(name = "Busy timeout (ms)", min = "0",
                description = "How long a connection waits for a lock held by another process.")
        int busy_timeout_ms() default DatabaseConfig.DEFAULT_BUSY_TIMEOUT_MILLIS;

        @AttributeDefinition(name = "Page cache (KiB)", min = "1", description = "SQLite page cache per connection.")
        long cache_size_kib() default DatabaseConfig.DEFAULT_CACHE_SIZE_KIB;

        @AttributeDefinition(name = "WAL autocheckpoint (pages)", min = "0",
                description = "WAL size in pages that triggers an automatic checkpoint; 0 disables it.")
        int wal_autocheckpoint_pages() default DatabaseConfig.DEFAULT_WAL_AUTOCHECKPOINT_PAGES;

        @AttributeDefinition(name = "Reader connections", min = "1", max = "64",
                description = "Connections for concurrent reads beside the single writer.")
        int readers() default DatabaseConfig.DEFAULT_READERS;
    }

    private static final Logger LOG = LoggerFactory.getLogger(DatabaseComponent.class);

    /** The one configuration rule (docs/OPERATOR.md, "Configuration errors") for this PID. */
    static final ConfigRules<Config> RULES = ConfigRules.of(PID, "the database", Config.class)
            .nonBlank("path")
            .check("path", DatabaseComponent::pathProblem)
            .oneOf("synchronous", "NORMAL", "FULL")
            .range("busy.timeout.ms", 0, Integer.MAX_VALUE)
            .range("cache.size.kib", 1, 1L << 31)
            .range("wal.autocheckpoint.pages", 0, Integer.MAX_VALUE)
            .range("readers", 1, 64);

    /**
     * A relative path stays inside the data directory ({@code ../../x.db} would put the index
     * beside, or over, files the node does not own); a database elsewhere is named by an absolute path.
     */
    static String pathProblem(Object value) {
        String path = String.valueOf(value).trim();
        try {
            Path p = Path.of(path);
            if (p.isAbsolute()) {
                return null;
            }
            Path base = Path.of("/data");
            Path resolved = base.resolve(p).normalize();
            return resolved.startsWith(base) && !resolved.equals(base) ? null
                    : "a relative path must stay inside the data directory; give an absolute path for a database elsewhere";
        } catch (InvalidPathException e) {
            return "not a path: " + e.getMessage();
        }
    }

    private final BundleContext context;
    private SqliteDatabase database;
    private ServiceRegistration<Database> registration;

    /**
     * Opens the database. A configuration that was never good, or a file that cannot be opened,
     * fails the activation with a message naming the key, the value and the file to fix; the
     * component comes back by itself once the configuration changes.
     */
    @Activate
    public DatabaseComponent(BundleContext context, Map<String, Object> properties) {
        this.context = context;
        ConfigRules<Config>.Checked checked = RULES.check(properties).log(LOG);
        ComponentRetry retry = new ComponentRetry(context, PID, DatabaseComponent.class.getName());
        if (!checked.usable()) {
            throw checked.down(retry);
        }
        DatabaseConfig parsed = parse(checked.config());
        try {
            database = SqliteDatabase.open(parsed);
        } catch (RuntimeException e) {
            String reason = "cannot open " + parsed.file().orElse(null) + ": " + e.getMessage();
            Optional<ConfigRules<Config>.Checked> back = checked.without("path", reason, LOG);
            if (back.isEmpty()) {
                LOG.error("configuration {}: path = '{}' refused: {}; the database stays down until {} is fixed", PID,
                        checked.config().path(), reason, checked.file());
                throw checked.down("path", reason, retry);
            }
            checked = back.get();
            parsed = parse(checked.config());
            database = SqliteDatabase.open(parsed);
        }
        checked.accepted();
        registration = context.registerService(Database.class, database, properties(database));
        LOG.info("database {} open: {}", database.location(), describe(parsed));
    }

    @Modified
    synchronized void modified(Map<String, Object> properties) {
        ConfigRules<Config>.Checked checked = RULES.check(properties).log(LOG);
        DatabaseConfig current = database.config();
        DatabaseConfig next = parse(checked.config());
        if (next.equals(current)) {
            checked.accepted();
            return;
        }
        if (current.sameConnectionsAs(next)) {
            database.reconfigure(next);
            checked.accepted();
            registration.setProperties(properties(database));
            LOG.info("database {} reconfigured live: {}", database.location(), describe(next));
            return;
        }
        // A new file or pool size: open the new database first so a bad path leaves the old one serving.
        SqliteDatabase replacement;
        try {
            replacement = SqliteDatabase.open(next);
        } catch (RuntimeException e) {
            LOG.error("configuration {}: path = '{}' (readers = {}) refused: cannot open {}: {}; keeping {} (readers = {})", PID,
                    checked.config().path(), next.readers(), next.file().orElse(null), e.getMessage(), database.location(),
                    current.readers());
            return;
        }
        checked.accepted();
        registration.unregister();
        database.close();
        database = replacement;
        registration = context.registerService(Database.class, database, properties(database));
        LOG.info("database switched to {}: {}", database.location(), describe(next));
    }

    @Deactivate
    synchronized void deactivate() {
        registration.unregister();
        database.close();
        LOG.info("database {} closed", database.location());
    }

    /** Settings from a configuration whose values all passed {@link #RULES}. */
    private DatabaseConfig parse(Config config) {
        return new DatabaseConfig(Optional.of(DataDirectory.resolve(context, config.path().trim())),
                Synchronous.valueOf(config.synchronous()), config.busy_timeout_ms(), config.cache_size_kib(),
                config.wal_autocheckpoint_pages(), config.readers());
    }

    private static Dictionary<String, Object> properties(SqliteDatabase db) {
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(LOCATION_PROPERTY, db.location());
        props.put(SYNCHRONOUS_PROPERTY, db.config().synchronous().name());
        props.put(Constants.SERVICE_DESCRIPTION, "Tesseras SQLite database");
        props.put(Constants.SERVICE_PID, PID);
        return props;
    }

    private static String describe(DatabaseConfig c) {
        return "synchronous=" + c.synchronous() + ", busy_timeout=" + c.busyTimeoutMillis() + "ms, cache_size="
                + c.cacheSizeKiB() + "KiB, wal_autocheckpoint=" + c.walAutocheckpointPages() + ", readers=" + c.readers();
    }
}
