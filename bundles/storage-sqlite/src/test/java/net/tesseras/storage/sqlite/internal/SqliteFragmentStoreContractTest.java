package net.tesseras.storage.sqlite.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import net.tesseras.core.FragmentId;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.FragmentStoreException;
import net.tesseras.storage.InsufficientStorageException;
import net.tesseras.storage.VerifyResult;
import net.tesseras.storage.internal.db.DatabaseConfig;
import net.tesseras.storage.internal.db.SqliteDatabase;
import net.tesseras.testkit.FragmentStoreContract;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SQLite backend against the FragmentStore contract, plus what is particular to it. */
class SqliteFragmentStoreContractTest extends FragmentStoreContract {

    @TempDir
    Path dir;

    private SqliteDatabase database;

    @Override
    protected FragmentStore createStore() {
        database = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("db/tesseras.db")));
        return SqliteFragmentStore.open("sqlite", database, 1024 * 1024);
    }

    @Override
    protected FragmentStore reopen(FragmentStore store) {
        database.close();
        return createStore();
    }

    @Override
    protected void close(FragmentStore store) {
        database.close();
    }

    @Override
    protected boolean damage(FragmentStore store, FragmentId id, Damage how) {
        String where = " WHERE tessera = '" + id.tessera().toHex() + "' AND idx = " + id.index();
        return switch (how) {
            case FLIP_A_BYTE -> {
                byte[] bytes = database.read(c -> {
                    try (var rs = c.createStatement().executeQuery("SELECT data FROM blob_fragments" + where)) {
                        rs.next();
                        return rs.getBytes(1);
                    }
                });
                bytes[bytes.length / 2] ^= 0x01;
                database.write(c -> {
                    try (var p = c.prepareStatement("UPDATE blob_fragments SET data = ?" + where)) {
                        p.setBytes(1, bytes);
                        return p.executeUpdate();
                    }
                });
                yield true;
            }
            case TRUNCATE -> {
                database.write(c -> c.createStatement().executeUpdate(
                        "UPDATE blob_fragments SET data = substr(data, 1, length(data) / 2)" + where));
                yield true;
            }
            // Bytes and row are one: without its bytes the fragment is simply not held.
            case REMOVE -> false;
        };
    }

    @Test
    void fragmentsOverTheConfiguredSizeAreRefusedWithAReason() {
        byte[] bytes = bytes(1024 * 1024 + 1);
        FragmentId id = id(tessera(50), 0, false, bytes);
        FragmentStoreException e = assertThrows(FragmentStoreException.class, () -> store.store(id, ByteBuffer.wrap(bytes)));
        assertTrue(e.getMessage().contains("max.fragment.mb"), e.getMessage());
        assertEquals(0, store.stats().fragments());
    }

    @Test
    void aFullDatabaseIsReportedAsInsufficientStorageNamingTheFragment() {
        // A real SQLITE_FULL: the writer may not grow the database beyond its current pages.
        database.write(c -> {
            try (var rs = c.createStatement().executeQuery("PRAGMA page_count")) {
                rs.next();
                return c.createStatement().execute("PRAGMA max_page_count = " + rs.getLong(1));
            }
        });
        byte[] bytes = bytes(512 * 1024);
        FragmentId id = id(tessera(53), 9, false, bytes);
        InsufficientStorageException e = assertThrows(InsufficientStorageException.class,
                () -> store.store(id, ByteBuffer.wrap(bytes)));
        assertTrue(e.getMessage().contains("fragment 9 of tessera " + id.tessera()), e.getMessage());
        assertEquals(0, store.stats().fragments());
        database.write(c -> c.createStatement().execute("PRAGMA max_page_count = 1073741823"));
        store.store(id, ByteBuffer.wrap(bytes));
        assertEquals(1, store.stats().fragments());
    }

    @Test
    void corruptedBytesInTheDatabaseAreReportedByVerify() {
        byte[] bytes = bytes(500);
        FragmentId id = id(tessera(51), 0, false, bytes);
        store.store(id, ByteBuffer.wrap(bytes));
        database.write(c -> c.createStatement().executeUpdate("UPDATE blob_fragments SET data = zeroblob(500)"));
        assertEquals(VerifyResult.Status.CORRUPT, store.verify(id.tessera()).get(0).status());
    }

    @Test
    void storesOfDifferentNamesShareTheDatabaseButNotTheirFragments() {
        FragmentStore other = SqliteFragmentStore.open("other", database, 1024);
        byte[] bytes = bytes(10);
        store.store(id(tessera(52), 0, false, bytes), ByteBuffer.wrap(bytes));
        assertEquals(0, other.stats().fragments());
        assertTrue(other.read(tessera(52), 0).isEmpty());
    }

    @Test
    void openReadsALargeFragmentAWindowAtATimeAcrossWindowBoundaries() throws Exception {
        FragmentStore large = SqliteFragmentStore.open("large", database, 64L << 20);
        byte[] bytes = bytes(2 * SqliteFragmentStore.WINDOW + 12345);
        FragmentId id = id(tessera(54), 0, false, bytes);
        large.store(id, ByteBuffer.wrap(bytes));
        try (java.nio.channels.SeekableByteChannel channel = large.open(id.tessera(), 0).orElseThrow()) {
            assertEquals(bytes.length, channel.size());
            org.junit.jupiter.api.Assertions.assertArrayEquals(bytes, readFully(channel, 64 * 1024));
        }
        try (java.nio.channels.SeekableByteChannel channel = large.open(id.tessera(), 0).orElseThrow()) {
            long across = SqliteFragmentStore.WINDOW - 100;
            ByteBuffer range = ByteBuffer.allocate(300);
            channel.position(across);
            while (range.hasRemaining() && channel.read(range) >= 0) {
                // across the boundary of two windows
            }
            org.junit.jupiter.api.Assertions.assertArrayEquals(
                    java.util.Arrays.copyOfRange(bytes, (int) across, (int) across + 300), range.array());
        }
    }

    @Test
    void storeAllIsOneTransactionAndCountsAreRecountedAtOpen() {
        java.util.concurrent.atomic.AtomicInteger writes = new java.util.concurrent.atomic.AtomicInteger();
        net.tesseras.database.Database counting = new net.tesseras.database.Database() {
            @Override
            public <T> T write(net.tesseras.database.SqlWork<T> work) {
                writes.incrementAndGet();
                return database.write(work);
            }

            @Override
            public <T> T read(net.tesseras.database.SqlWork<T> work) {
                return database.read(work);
            }

            @Override
            public int migrate(String schema, java.util.List<net.tesseras.database.Migration> migrations) {
                return database.migrate(schema, migrations);
            }

            @Override
            public java.util.Map<String, Integer> schemaVersions() {
                return database.schemaVersions();
            }

            @Override
            public net.tesseras.database.DatabaseSettings settings() {
                return database.settings();
            }
        };
        FragmentStore batched = SqliteFragmentStore.open("sqlite", counting, 1024 * 1024);
        java.util.List<net.tesseras.storage.FragmentBytes> batch = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            byte[] bytes = bytes(100 + i);
            batch.add(new net.tesseras.storage.FragmentBytes(id(tessera(55 + i % 2), i, false, bytes), ByteBuffer.wrap(bytes)));
        }
        int before = writes.get();
        batched.storeAll(batch);
        assertEquals(before + 1, writes.get(), "one transaction for the batch");
        net.tesseras.storage.StoreStats held = new net.tesseras.storage.StoreStats(2, 6, 100 + 101 + 102 + 103 + 104 + 105);
        assertEquals(held, store.stats());
        database.write(c -> c.createStatement().executeUpdate("UPDATE blob_store_counts SET bytes = 1 WHERE store = 'sqlite'"));
        assertEquals(held, SqliteFragmentStore.open("sqlite", database, 1024 * 1024).stats(), "recounted at open");
    }
}
