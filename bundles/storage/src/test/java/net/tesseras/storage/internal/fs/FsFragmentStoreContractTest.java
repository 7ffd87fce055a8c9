package net.tesseras.storage.internal.fs;

import java.nio.file.Path;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.internal.db.DatabaseConfig;
import net.tesseras.storage.internal.db.SqliteDatabase;
import net.tesseras.testkit.FragmentStoreContract;
import org.junit.jupiter.api.io.TempDir;

/** The fs backend against the FragmentStore contract. */
class FsFragmentStoreContractTest extends FragmentStoreContract {

    @TempDir
    Path dir;

    private SqliteDatabase database;

    @Override
    protected FragmentStore createStore() {
        database = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("db/tesseras.db")));
        return FsFragmentStore.open("fs", dir.resolve("fragments"), database, 0, false);
    }

    @Override
    protected FragmentStore reopen(FragmentStore store) throws Exception {
        close(store);
        return createStore();
    }

    @Override
    protected void close(FragmentStore store) {
        ((FsFragmentStore) store).close();
        database.close();
    }
}
