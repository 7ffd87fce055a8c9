package net.tesseras.storage.sqlite.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import net.tesseras.core.FragmentId;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.FragmentStoreException;
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

    @Test
    void fragmentsOverTheConfiguredSizeAreRefusedWithAReason() {
        byte[] bytes = bytes(1024 * 1024 + 1);
        FragmentId id = id(tessera(50), 0, false, bytes);
        FragmentStoreException e = assertThrows(FragmentStoreException.class, () -> store.store(id, ByteBuffer.wrap(bytes)));
        assertTrue(e.getMessage().contains("max.fragment.mb"), e.getMessage());
        assertEquals(0, store.stats().fragments());
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
}
