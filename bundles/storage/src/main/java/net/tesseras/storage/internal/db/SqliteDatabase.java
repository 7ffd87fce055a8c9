package net.tesseras.storage.internal.db;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import net.tesseras.database.Database;
import net.tesseras.database.DatabaseException;
import net.tesseras.database.DatabaseSettings;
import net.tesseras.database.Migration;
import net.tesseras.database.SqlWork;
import org.sqlite.SQLiteConfig;

/**
 * The node's SQLite database: one writer connection whose transactions are serialised, and a small
 * set of reader connections that WAL lets run beside it.
 *
 * <p>A hand-written pool rather than a generic one because SQLite wants exactly one writer, and
 * because a configuration change must reach every open connection (see {@link #reconfigure}),
 * which general-purpose pools do not offer.
 */
public final class SqliteDatabase implements Database, AutoCloseable {

    /** Version of this class's own bookkeeping schema, kept in {@code PRAGMA user_version}. */
    static final int BOOTSTRAP_VERSION = 1;

    private final String location;
    private final boolean inMemory;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Connection writer;
    private final List<Connection> readers;
    private final BlockingQueue<Connection> idleReaders;
    private volatile DatabaseConfig config;
    private volatile boolean closed;
    // Told the SQLite result code of every failed statement (for metrics); nothing by default.
    private volatile Consumer<String> errors = code -> {};

    private SqliteDatabase(DatabaseConfig config, Connection writer, List<Connection> readers) {
        this.config = config;
        this.location = config.file().map(Path::toString).orElse(":memory:");
        this.inMemory = config.file().isEmpty();
        this.writer = writer;
        this.readers = readers;
        this.idleReaders = new ArrayBlockingQueue<>(Math.max(1, readers.size()), false, readers);
    }

    /**
     * Opens (creating if needed) the database described by {@code config}, applies every pragma to
     * every connection and brings the bookkeeping schema up to date.
     */
    public static SqliteDatabase open(DatabaseConfig config) {
        String where = config.file().map(Path::toString).orElse(":memory:");
        List<Connection> opened = new ArrayList<>();
        try {
            if (config.file().isPresent()) {
                Path parent = config.file().get().toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
            }
            Connection writer = connect(config, true);
            opened.add(writer);
            SqlitePragmas.apply(writer, config, true);
            bootstrap(writer);
            List<Connection> readers = new ArrayList<>();
            if (config.file().isPresent()) {
                for (int i = 0; i < config.readers(); i++) {
                    Connection reader = connect(config, false);
                    opened.add(reader);
                    SqlitePragmas.apply(reader, config, false);
                    readers.add(reader);
                }
            }
            return new SqliteDatabase(config, writer, readers);
        } catch (SQLException | IOException | RuntimeException e) {
            for (Connection c : opened) {
                closeQuietly(c);
            }
            throw new DatabaseException("cannot open database " + where + ": " + e.getMessage(), e);
        }
    }

    /** Opens a private in-memory database with default settings, for tests. */
    public static SqliteDatabase inMemory() {
        return open(DatabaseConfig.inMemory());
    }

    /**
     * Applies new tunables to every open connection, waiting for work in progress to finish.
     *
     * @throws IllegalArgumentException if {@code next} names another file or reader count, which
     *     needs a new instance
     */
    public void reconfigure(DatabaseConfig next) {
        if (!config.sameConnectionsAs(next)) {
            throw new IllegalArgumentException("a different file or reader count needs a new database instance");
        }
        writeLock.lock();
        List<Connection> borrowed = new ArrayList<>();
        try {
            ensureOpen();
            for (int i = 0; i < readers.size(); i++) {
                borrowed.add(idleReaders.take());
            }
            SqlitePragmas.apply(writer, next, true);
            for (Connection reader : borrowed) {
                SqlitePragmas.apply(reader, next, false);
            }
            config = next;
        } catch (SQLException e) {
            throw new DatabaseException("cannot apply new settings to " + location + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatabaseException("interrupted while applying new settings to " + location, e);
        } finally {
            idleReaders.addAll(borrowed);
            writeLock.unlock();
        }
    }

    public DatabaseConfig config() {
        return config;
    }

    /** Tells {@code listener} the SQLite result code (such as SQLITE_BUSY) of each failure. */
    public void onError(Consumer<String> listener) {
        errors = listener;
    }

    public String location() {
        return location;
    }

    @Override
    public <T> T write(SqlWork<T> work) {
        writeLock.lock();
        try {
            ensureOpen();
            try {
                writer.setAutoCommit(false);
            } catch (SQLException e) {
                // BEGIN failed (busy, I/O): the driver already counts the connection as in a
                // transaction; put it back so the next write starts cleanly.
                restoreAutoCommitQuietly(e);
                throw e;
            }
            T result;
            try {
                result = work.run(writer);
                writer.commit();
            } catch (SQLException | RuntimeException | Error e) {
                rollbackQuietly(e);
                // After SQLITE_FULL (and some I/O errors) SQLite has already rolled the transaction
                // back; leaving manual-commit mode then fails with "cannot commit - no transaction is
                // active", which must not hide the real cause.
                restoreAutoCommitQuietly(e);
                throw e;
            }
            writer.setAutoCommit(true);
            return result;
        } catch (SQLException e) {
            errors.accept(resultCode(e));
            throw new DatabaseException("write to " + location + " failed: " + describe(e), e);
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public <T> T read(SqlWork<T> work) {
        if (inMemory) {
            // A private in-memory database has a single connection.
            writeLock.lock();
            try {
                ensureOpen();
                return work.run(writer);
            } catch (SQLException e) {
                throw new DatabaseException("read from " + location + " failed: " + e.getMessage(), e);
            } finally {
                writeLock.unlock();
            }
        }
        Connection reader = borrowReader();
        try {
            return work.run(reader);
        } catch (SQLException e) {
            errors.accept(resultCode(e));
            throw new DatabaseException("read from " + location + " failed: " + e.getMessage(), e);
        } finally {
            idleReaders.add(reader);
        }
    }

    @Override
    public int migrate(String schema, List<Migration> migrations) {
        if (schema == null || schema.isBlank()) {
            throw new IllegalArgumentException("a schema needs a name");
        }
        for (int i = 0; i < migrations.size(); i++) {
            if (migrations.get(i).version() != i + 1) {
                throw new IllegalArgumentException("migrations of " + schema + " must be numbered 1.."
                        + migrations.size() + " in order; found version " + migrations.get(i).version()
                        + " at position " + (i + 1));
            }
        }
        int version = read(c -> versionOf(c, schema));
        for (Migration m : migrations.subList(Math.min(version, migrations.size()), migrations.size())) {
            write(c -> {
                // Re-check inside the write transaction: another thread may have migrated meanwhile.
                if (versionOf(c, schema) >= m.version()) {
                    return null;
                }
                try (Statement s = c.createStatement()) {
                    for (String sql : m.statements()) {
                        s.execute(sql);
                    }
                }
                try (PreparedStatement p = c.prepareStatement(
                        "INSERT INTO schema_versions(schema, version, description, applied_at) VALUES (?, ?, ?, ?) "
                                + "ON CONFLICT(schema) DO UPDATE SET version = excluded.version, "
                                + "description = excluded.description, applied_at = excluded.applied_at")) {
                    p.setString(1, schema);
                    p.setInt(2, m.version());
                    p.setString(3, m.description());
                    p.setLong(4, System.currentTimeMillis());
                    p.executeUpdate();
                }
                return null;
            });
        }
        return read(c -> versionOf(c, schema));
    }

    @Override
    public Map<String, Integer> schemaVersions() {
        return read(c -> {
            Map<String, Integer> versions = new TreeMap<>();
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT schema, version FROM schema_versions")) {
                while (rs.next()) {
                    versions.put(rs.getString(1), rs.getInt(2));
                }
            }
            return versions;
        });
    }

    @Override
    public DatabaseSettings settings() {
        writeLock.lock();
        try {
            ensureOpen();
            return SqlitePragmas.read(writer, location);
        } catch (SQLException e) {
            throw new DatabaseException("cannot read settings of " + location + ": " + e.getMessage(), e);
        } finally {
            writeLock.unlock();
        }
    }

    /** Closes every connection, waiting for work in progress to finish. */
    @Override
    public void close() {
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            for (int i = 0; i < readers.size(); i++) {
                closeQuietly(idleReaders.take());
            }
            closeQuietly(writer);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            readers.forEach(SqliteDatabase::closeQuietly);
            closeQuietly(writer);
        } finally {
            writeLock.unlock();
        }
    }

    private Connection borrowReader() {
        ensureOpen();
        try {
            Connection reader = idleReaders.take();
            if (closed) {
                idleReaders.add(reader);
                ensureOpen();
            }
            return reader;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatabaseException("interrupted while waiting for a connection to " + location, e);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new DatabaseException("database " + location + " is closed");
        }
    }

    private void rollbackQuietly(Throwable cause) {
        try {
            writer.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    private void restoreAutoCommitQuietly(Throwable cause) {
        try {
            writer.setAutoCommit(true);
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    /** The failure in words, saying plainly when the disk is full (SQLite's own text is terse). */
    private String describe(SQLException e) {
        if (isDiskFull(e)) {
            return "the disk is full (" + e.getMessage() + "); free space on the volume of " + location
                    + " and retry";
        }
        return e.getMessage();
    }

    static boolean isDiskFull(SQLException e) {
        if (e instanceof org.sqlite.SQLiteException sqlite) {
            return sqlite.getResultCode() == org.sqlite.SQLiteErrorCode.SQLITE_FULL
                    || (sqlite.getResultCode().code & 0xff) == org.sqlite.SQLiteErrorCode.SQLITE_FULL.code;
        }
        return String.valueOf(e.getMessage()).contains("SQLITE_FULL");
    }

    private static Connection connect(DatabaseConfig config, boolean writer) throws SQLException {
        SQLiteConfig sqlite = new SQLiteConfig();
        if (writer) {
            // Take the write lock when the transaction begins, so it never fails half-way on a lock
            // held by another process (sqlite3 on the command line, a backup tool).
            sqlite.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        }
        String url = "jdbc:sqlite:" + config.file().map(p -> p.toAbsolutePath().toString()).orElse(":memory:");
        // The JDBC driver itself, not DriverManager: inside OSGi the manager cannot see the driver.
        return sqlite.createConnection(url);
    }

    private static void bootstrap(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            int version;
            try (ResultSet rs = s.executeQuery("PRAGMA user_version")) {
                version = rs.next() ? rs.getInt(1) : 0;
            }
            if (version > BOOTSTRAP_VERSION) {
                throw new SQLException("database was written by a newer Tesseras (format " + version
                        + ", this one understands up to " + BOOTSTRAP_VERSION + ")");
            }
            if (version < 1) {
                c.setAutoCommit(false);
                try {
                    s.execute("CREATE TABLE IF NOT EXISTS schema_versions ("
                            + "schema TEXT PRIMARY KEY, version INTEGER NOT NULL, "
                            + "description TEXT NOT NULL, applied_at INTEGER NOT NULL)");
                    s.execute("PRAGMA user_version = 1");
                    c.commit();
                } catch (SQLException e) {
                    c.rollback();
                    throw e;
                } finally {
                    c.setAutoCommit(true);
                }
            }
        }
    }

    private static int versionOf(Connection c, String schema) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT version FROM schema_versions WHERE schema = ?")) {
            p.setString(1, schema);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        }
    }

    private static String resultCode(SQLException e) {
        return e instanceof org.sqlite.SQLiteException sqlite ? sqlite.getResultCode().name() : "SQL_ERROR";
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // Closing on shutdown or after a failed open: nothing useful to do with the error.
        }
    }
}
