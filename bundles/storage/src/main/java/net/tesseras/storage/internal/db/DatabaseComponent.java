package net.tesseras.storage.internal.db;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Locale;
import java.util.Optional;
import net.tesseras.database.Database;
import net.tesseras.database.Synchronous;
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

    private final BundleContext context;
    private SqliteDatabase database;
    private ServiceRegistration<Database> registration;

    @Activate
    public DatabaseComponent(BundleContext context, Config config) {
        this.context = context;
        DatabaseConfig parsed = parse(config, defaults());
        database = SqliteDatabase.open(parsed);
        registration = context.registerService(Database.class, database, properties(database));
        LOG.info("database {} open: {}", database.location(), describe(parsed));
    }

    @Modified
    synchronized void modified(Config config) {
        DatabaseConfig current = database.config();
        DatabaseConfig next = parse(config, current);
        if (next.equals(current)) {
            return;
        }
        if (current.sameConnectionsAs(next)) {
            database.reconfigure(next);
            registration.setProperties(properties(database));
            LOG.info("database {} reconfigured live: {}", database.location(), describe(next));
            return;
        }
        // A new file or pool size: open the new database first so a bad path leaves the old one serving.
        SqliteDatabase replacement;
        try {
            replacement = SqliteDatabase.open(next);
        } catch (RuntimeException e) {
            LOG.error("cannot switch the database to {}: {}; still serving {}", next.file().orElse(null),
                    e.getMessage(), database.location());
            return;
        }
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

    private DatabaseConfig defaults() {
        return DatabaseConfig.file(DataDirectory.resolve(context, "db/tesseras.db"));
    }

    /**
     * Turns the raw configuration into settings. Each invalid value is logged and replaced by the
     * one in {@code fallback}, so a typo in etc/ never takes the database down.
     */
    private DatabaseConfig parse(Config config, DatabaseConfig fallback) {
        Optional<java.nio.file.Path> file = fallback.file();
        if (config.path() != null && !config.path().isBlank()) {
            file = Optional.of(DataDirectory.resolve(context, config.path().trim()));
        } else {
            invalid("path", config.path(), fallback.file().orElse(null));
        }
        Synchronous synchronous = fallback.synchronous();
        try {
            synchronous = Synchronous.valueOf(String.valueOf(config.synchronous()).trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            invalid("synchronous", config.synchronous(), synchronous + " (allowed: NORMAL, FULL)");
        }
        int busy = config.busy_timeout_ms() >= 0 ? config.busy_timeout_ms()
                : invalid("busy.timeout.ms", config.busy_timeout_ms(), fallback.busyTimeoutMillis());
        long cache = config.cache_size_kib() > 0 ? config.cache_size_kib()
                : invalid("cache.size.kib", config.cache_size_kib(), fallback.cacheSizeKiB());
        int wal = config.wal_autocheckpoint_pages() >= 0 ? config.wal_autocheckpoint_pages()
                : invalid("wal.autocheckpoint.pages", config.wal_autocheckpoint_pages(), fallback.walAutocheckpointPages());
        int readers = config.readers() >= 1 && config.readers() <= 64 ? config.readers()
                : invalid("readers", config.readers(), fallback.readers());
        return new DatabaseConfig(file, synchronous, busy, cache, wal, readers);
    }

    private static <T> T invalid(String key, Object value, T kept) {
        LOG.error("configuration {}: invalid value '{}' for '{}'; using {}", PID, value, key, kept);
        return kept;
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
