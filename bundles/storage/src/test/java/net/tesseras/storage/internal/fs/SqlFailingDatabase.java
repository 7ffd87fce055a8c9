package net.tesseras.storage.internal.fs;

import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import net.tesseras.database.Database;
import net.tesseras.database.DatabaseException;
import net.tesseras.database.DatabaseSettings;
import net.tesseras.database.Migration;
import net.tesseras.database.SqlWork;

/**
 * A database whose writes fail with a given SQLite error on demand (a full disk, an I/O error), and
 * which counts the write transactions asked of it.
 */
final class SqlFailingDatabase implements Database {

    private final Database delegate;
    private volatile SQLException failure;
    /** Write transactions asked for, failed ones included. */
    final AtomicInteger writes = new AtomicInteger();

    SqlFailingDatabase(Database delegate) {
        this.delegate = delegate;
    }

    /** Every later write fails with {@code e}, as the real database reports it; null to stop. */
    void failWritesWith(SQLException e) {
        failure = e;
    }

    @Override
    public <T> T write(SqlWork<T> work) {
        writes.incrementAndGet();
        SQLException e = failure;
        if (e != null) {
            throw new DatabaseException("write to test.db failed: " + e.getMessage(), e);
        }
        return delegate.write(work);
    }

    @Override
    public <T> T read(SqlWork<T> work) {
        return delegate.read(work);
    }

    @Override
    public int migrate(String schema, List<Migration> migrations) {
        return delegate.migrate(schema, migrations);
    }

    @Override
    public Map<String, Integer> schemaVersions() {
        return delegate.schemaVersions();
    }

    @Override
    public DatabaseSettings settings() {
        return delegate.settings();
    }
}
