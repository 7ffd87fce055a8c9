package net.tesseras.storage.internal.db;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import net.tesseras.database.DatabaseSettings;
import net.tesseras.database.Synchronous;

/**
 * The one place where SQLite pragmas are set and read back. Every connection the node opens goes
 * through {@link #apply}, so the daemon, the shell and the tests always run with the same settings.
 */
final class SqlitePragmas {

    private SqlitePragmas() {}

    /**
     * Applies every pragma to an idle connection (outside a transaction, since journal mode and
     * foreign keys cannot change inside one).
     *
     * @param writer whether the connection may write; readers are made query-only
     */
    static void apply(Connection c, DatabaseConfig config, boolean writer) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = " + config.busyTimeoutMillis());
            if (config.file().isPresent() && writer) {
                // WAL is persistent in the file; readers inherit it, and switching needs a write lock.
                try (ResultSet rs = s.executeQuery("PRAGMA journal_mode = WAL")) {
                    String mode = rs.next() ? rs.getString(1) : "?";
                    if (!"wal".equalsIgnoreCase(mode)) {
                        throw new SQLException("SQLite refused WAL journal mode (got '" + mode + "')");
                    }
                }
            }
            s.execute("PRAGMA foreign_keys = ON");
            s.execute("PRAGMA synchronous = " + config.synchronous().name());
            // A negative cache_size is in KiB rather than pages.
            s.execute("PRAGMA cache_size = -" + config.cacheSizeKiB());
            s.execute("PRAGMA wal_autocheckpoint = " + config.walAutocheckpointPages());
            s.execute("PRAGMA query_only = " + (writer ? "0" : "1"));
        }
    }

    /** Reads back what SQLite actually has in force on {@code c}. */
    static DatabaseSettings read(Connection c, String location) throws SQLException {
        return new DatabaseSettings(
                location,
                text(c, "journal_mode").toLowerCase(Locale.ROOT),
                synchronous(Integer.parseInt(text(c, "synchronous"))),
                Integer.parseInt(text(c, "busy_timeout")),
                cacheSizeKiB(Long.parseLong(text(c, "cache_size")), Long.parseLong(text(c, "page_size"))),
                Integer.parseInt(text(c, "wal_autocheckpoint")),
                "1".equals(text(c, "foreign_keys")));
    }

    private static Synchronous synchronous(int level) {
        return switch (level) {
            case 1 -> Synchronous.NORMAL;
            case 2 -> Synchronous.FULL;
            // Only NORMAL and FULL are ever set; anything else means someone changed it by hand.
            default -> throw new IllegalStateException("unexpected SQLite synchronous level " + level);
        };
    }

    private static long cacheSizeKiB(long cacheSize, long pageSize) {
        return cacheSize < 0 ? -cacheSize : cacheSize * pageSize / 1024;
    }

    private static String text(Connection c, String pragma) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA " + pragma)) {
            if (!rs.next()) {
                throw new SQLException("PRAGMA " + pragma + " returned nothing");
            }
            return rs.getString(1);
        }
    }
}
