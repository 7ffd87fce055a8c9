package net.tesseras.database;

import java.util.List;
import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The node's SQLite database.
 *
 * <p>One service owns the database file and applies every pragma (WAL journal, foreign keys,
 * synchronous mode, busy timeout, page cache size, WAL autocheckpoint) to every connection it
 * opens, so the daemon, the shell and the tests all see the same settings. Work is handed in as
 * callbacks: {@link #write} runs on the single writer connection inside one transaction,
 * {@link #read} on one of several reader connections, which WAL lets run beside the writer.
 *
 * <p>All methods are thread safe. A configuration change is applied to every open connection
 * without restarting the service. Errors surface as {@link DatabaseException}.
 */
@ProviderType
public interface Database {

    /**
     * Runs {@code work} in one transaction on the writer connection. Writers are serialised; the
     * transaction commits when {@code work} returns and rolls back when it throws.
     */
    <T> T write(SqlWork<T> work);

    /** Runs {@code work} on a reader connection; it sees the last committed state. */
    <T> T read(SqlWork<T> work);

    /**
     * Brings {@code schema} up to the last of {@code migrations}: every migration whose version is
     * above the recorded one runs, in order, each in its own transaction together with the new
     * version number. Running it again does nothing.
     *
     * @param schema a name owned by one component, such as {@code fragments.fs}
     * @param migrations versions 1, 2, 3, ... in order
     * @return the schema's version afterwards
     */
    int migrate(String schema, List<Migration> migrations);

    /** The recorded version of every migrated schema. */
    Map<String, Integer> schemaVersions();

    /** The settings actually in force, read back from SQLite. */
    DatabaseSettings settings();
}
