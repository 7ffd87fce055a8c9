package net.tesseras.storage.internal.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import net.tesseras.database.DatabaseException;
import net.tesseras.database.DatabaseSettings;
import net.tesseras.database.Migration;
import net.tesseras.database.Synchronous;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteDatabaseTest {

    private static final List<Migration> NOTES = List.of(
            Migration.of(1, "notes", "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"),
            Migration.of(2, "authors", "CREATE TABLE authors (id INTEGER PRIMARY KEY)",
                    "ALTER TABLE notes ADD COLUMN author INTEGER REFERENCES authors(id)"));

    @TempDir
    Path dir;

    @Test
    void aFullDatabaseSaysTheDiskIsFullAndStaysUsable() {
        try (SqliteDatabase db = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("t.db")))) {
            db.migrate("notes", NOTES);
            // A real SQLITE_FULL: the writer may not grow the file beyond its current pages.
            long pages = db.write(c -> {
                long count = Long.parseLong(single(c, "PRAGMA page_count"));
                c.createStatement().execute("PRAGMA max_page_count = " + count);
                return count;
            });
            String big = "x".repeat(1 << 20);
            DatabaseException e = assertThrows(DatabaseException.class, () -> db.write(c -> {
                try (var p = c.prepareStatement("INSERT INTO notes(body) VALUES (?)")) {
                    p.setString(1, big);
                    return p.executeUpdate();
                }
            }));
            assertTrue(e.getMessage().contains("the disk is full"), e.getMessage());
            assertFalse(e.getMessage().contains("no transaction is active"), e.getMessage());
            db.write(c -> c.createStatement().execute("PRAGMA max_page_count = " + (pages + 10_000)));
            db.write(c -> c.createStatement().executeUpdate("INSERT INTO notes(body) VALUES ('after')"));
            assertEquals("1", db.read(c -> single(c, "SELECT count(*) FROM notes")));
        }
    }

    @Test
    void fileDatabaseRunsInWalMode() {
        try (SqliteDatabase db = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("t.db")))) {
            assertEquals("wal", db.settings().journalMode());
            // Readers see WAL too: it is a property of the file.
            assertEquals("wal", db.read(c -> single(c, "PRAGMA journal_mode")).toLowerCase());
        }
    }

    @Test
    void walFileExistsOnDiskAfterAWrite() {
        Path file = dir.resolve("t.db");
        try (SqliteDatabase db = SqliteDatabase.open(DatabaseConfig.file(file))) {
            db.migrate("notes", NOTES);
            db.write(c -> c.createStatement().executeUpdate("INSERT INTO notes(body) VALUES ('x')"));
            assertTrue(Files.exists(dir.resolve("t.db-wal")), "the -wal file is on disk");
            assertTrue(Files.exists(dir.resolve("t.db-shm")), "the -shm file is on disk");
        }
    }

    @Test
    void foreignKeysAreEnforcedOnEveryConnection() {
        try (SqliteDatabase db = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("t.db")))) {
            db.migrate("notes", NOTES);
            assertTrue(db.settings().foreignKeys());
            assertEquals("1", db.read(c -> single(c, "PRAGMA foreign_keys")));
            DatabaseException e = assertThrows(DatabaseException.class, () -> db.write(c ->
                    c.createStatement().executeUpdate("INSERT INTO notes(body, author) VALUES ('x', 42)")));
            assertTrue(e.getMessage().contains("FOREIGN KEY"), e.getMessage());
            assertEquals("0", db.read(c -> single(c, "SELECT count(*) FROM notes")), "the insert rolled back");
        }
    }

    @Test
    void busyTimeoutIsApplied() {
        DatabaseConfig config = DatabaseConfig.file(dir.resolve("t.db")).withBusyTimeoutMillis(1234);
        try (SqliteDatabase db = SqliteDatabase.open(config)) {
            assertEquals(1234, db.settings().busyTimeoutMillis());
            assertEquals("1234", db.read(c -> single(c, "PRAGMA busy_timeout")));
        }
    }

    @Test
    void busyTimeoutWaitsForALockHeldByAnotherConnection() throws Exception {
        Path file = dir.resolve("t.db");
        try (SqliteDatabase first = SqliteDatabase.open(DatabaseConfig.file(file));
                SqliteDatabase second = SqliteDatabase.open(DatabaseConfig.file(file).withBusyTimeoutMillis(10_000))) {
            first.migrate("notes", NOTES);
            CountDownLatch locked = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Thread holder = new Thread(() -> first.write(c -> {
                c.createStatement().executeUpdate("INSERT INTO notes(body) VALUES ('first')");
                locked.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            }));
            holder.start();
            assertTrue(locked.await(10, TimeUnit.SECONDS));
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread waiter = new Thread(() -> {
                try {
                    second.write(c -> c.createStatement().executeUpdate("INSERT INTO notes(body) VALUES ('second')"));
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            waiter.start();
            Thread.sleep(200); // the waiter is now blocked on the lock held by the first database
            release.countDown();
            holder.join();
            waiter.join();
            assertEquals(null, failure.get(), "the second writer waited instead of failing with SQLITE_BUSY");
            assertEquals("2", second.read(c -> single(c, "SELECT count(*) FROM notes")));
        }
    }

    @Test
    void synchronousModesAreApplied() {
        Path file = dir.resolve("t.db");
        try (SqliteDatabase db = SqliteDatabase.open(DatabaseConfig.file(file))) {
            assertEquals(Synchronous.NORMAL, db.settings().synchronous());
        }
        try (SqliteDatabase db = SqliteDatabase.open(DatabaseConfig.file(file).withSynchronous(Synchronous.FULL))) {
            assertEquals(Synchronous.FULL, db.settings().synchronous());
            assertEquals("2", db.read(c -> single(c, "PRAGMA synchronous")), "readers get FULL too");
        }
    }

    @Test
    void cacheSizeAndAutocheckpointAreApplied() {
        DatabaseConfig config = new DatabaseConfig(Optional.of(dir.resolve("t.db")), Synchronous.NORMAL, 5000, 2048, 77, 2);
        try (SqliteDatabase db = SqliteDatabase.open(config)) {
            DatabaseSettings settings = db.settings();
            assertEquals(2048, settings.cacheSizeKiB());
            assertEquals(77, settings.walAutocheckpointPages());
            assertEquals("-2048", db.read(c -> single(c, "PRAGMA cache_size")));
        }
    }

    @Test
    void migrationsRunOnceAndAreIdempotent() {
        try (SqliteDatabase db = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("t.db")))) {
            assertEquals(2, db.migrate("notes", NOTES));
            db.write(c -> c.createStatement().executeUpdate("INSERT INTO notes(body) VALUES ('kept')"));
            assertEquals(2, db.migrate("notes", NOTES), "running the same migrations again does nothing");
            assertEquals(Map.of("notes", 2), db.schemaVersions());
            assertEquals("kept", db.read(c -> single(c, "SELECT body FROM notes")));
        }
    }

    @Test
    void migrationsAreAppliedIncrementally() {
        Path file = dir.resolve("t.db");
        try (SqliteDatabase db = SqliteDatabase.open(DatabaseConfig.file(file))) {
            assertEquals(1, db.migrate("notes", NOTES.subList(0, 1)));
        }
        try (SqliteDatabase db = SqliteDatabase.open(DatabaseConfig.file(file))) {
            assertEquals(2, db.migrate("notes", NOTES));
            assertEquals("0", db.read(c -> single(c, "SELECT count(*) FROM authors")));
        }
    }

    @Test
    void aFailedMigrationLeavesTheSchemaAtItsLastGoodVersion() {
        try (SqliteDatabase db = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("t.db")))) {
            List<Migration> broken = List.of(NOTES.get(0), Migration.of(2, "broken", "CREATE TABLE x (", "SELECT 1"));
            assertThrows(DatabaseException.class, () -> db.migrate("notes", broken));
            assertEquals(Map.of("notes", 1), db.schemaVersions());
        }
    }

    @Test
    void migrationsMustBeNumberedInOrder() {
        try (SqliteDatabase db = SqliteDatabase.inMemory()) {
            assertThrows(IllegalArgumentException.class,
                    () -> db.migrate("notes", List.of(NOTES.get(1))));
        }
    }

    @Test
    void reopeningKeepsData() {
        Path file = dir.resolve("t.db");
        try (SqliteDatabase db = SqliteDatabase.open(DatabaseConfig.file(file))) {
            db.migrate("notes", NOTES);
            db.write(c -> c.createStatement().executeUpdate("INSERT INTO notes(body) VALUES ('survives')"));
        }
        try (SqliteDatabase db = SqliteDatabase.open(DatabaseConfig.file(file))) {
            assertEquals("survives", db.read(c -> single(c, "SELECT body FROM notes")));
            assertEquals(Map.of("notes", 2), db.schemaVersions());
        }
    }

    @Test
    void inMemoryDatabaseWorksWithoutWal() {
        try (SqliteDatabase db = SqliteDatabase.inMemory()) {
            db.migrate("notes", NOTES);
            db.write(c -> c.createStatement().executeUpdate("INSERT INTO notes(body) VALUES ('m')"));
            assertEquals("m", db.read(c -> single(c, "SELECT body FROM notes")));
            assertEquals("memory", db.settings().journalMode());
            assertEquals(":memory:", db.settings().location());
        }
    }

    @Test
    void reconfigureReachesEveryOpenConnection() {
        DatabaseConfig config = DatabaseConfig.file(dir.resolve("t.db"));
        try (SqliteDatabase db = SqliteDatabase.open(config)) {
            db.reconfigure(config.withSynchronous(Synchronous.FULL).withBusyTimeoutMillis(777));
            assertEquals(Synchronous.FULL, db.settings().synchronous());
            for (int i = 0; i < config.readers() * 2; i++) {
                assertEquals("2", db.read(c -> single(c, "PRAGMA synchronous")));
                assertEquals("777", db.read(c -> single(c, "PRAGMA busy_timeout")));
            }
            assertThrows(IllegalArgumentException.class,
                    () -> db.reconfigure(DatabaseConfig.file(dir.resolve("other.db"))));
        }
    }

    @Test
    void readersCannotWrite() {
        try (SqliteDatabase db = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("t.db")))) {
            db.migrate("notes", NOTES);
            assertThrows(DatabaseException.class,
                    () -> db.read(c -> c.createStatement().executeUpdate("INSERT INTO notes(body) VALUES ('x')")));
        }
    }

    @Test
    void aFailingWriteRollsBackAndTheNextOneWorks() {
        try (SqliteDatabase db = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("t.db")))) {
            db.migrate("notes", NOTES);
            assertThrows(IllegalStateException.class, () -> db.write(c -> {
                c.createStatement().executeUpdate("INSERT INTO notes(body) VALUES ('lost')");
                throw new IllegalStateException("boom");
            }));
            db.write(c -> c.createStatement().executeUpdate("INSERT INTO notes(body) VALUES ('kept')"));
            assertEquals("kept", db.read(c -> single(c, "SELECT group_concat(body) FROM notes")));
        }
    }

    @Test
    void closedDatabaseSaysSo() {
        SqliteDatabase db = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("t.db")));
        db.close();
        DatabaseException e = assertThrows(DatabaseException.class, () -> db.read(c -> 1));
        assertTrue(e.getMessage().contains("closed"));
        assertFalse(e.getMessage().isBlank());
    }

    @Test
    void failuresAreReportedWithTheirSqliteResultCode() {
        try (SqliteDatabase db = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("t.db")))) {
            java.util.List<String> codes = new java.util.concurrent.CopyOnWriteArrayList<>();
            db.onError(codes::add);
            assertThrows(DatabaseException.class, () -> db.write(c -> c.createStatement().execute("INSERT INTO nowhere VALUES (1)")));
            assertEquals(java.util.List.of("SQLITE_ERROR"), codes);
        }
    }

    @Test
    void refusesADatabaseFromANewerFormat() throws SQLException {
        Path file = dir.resolve("t.db");
        try (SqliteDatabase db = SqliteDatabase.open(DatabaseConfig.file(file))) {
            db.write(c -> c.createStatement().execute("PRAGMA user_version = 99"));
        }
        DatabaseException e = assertThrows(DatabaseException.class, () -> SqliteDatabase.open(DatabaseConfig.file(file)));
        assertTrue(e.getMessage().contains("newer"), e.getMessage());
    }

    private static String single(java.sql.Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

}
