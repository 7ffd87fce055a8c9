package net.tesseras.cache.internal;

import java.nio.file.Path;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.internal.db.DatabaseConfig;
import net.tesseras.storage.internal.db.SqliteDatabase;
import net.tesseras.storage.internal.fs.FsFragmentStore;
import net.tesseras.testkit.FragmentStoreContract;
import org.junit.jupiter.api.io.TempDir;

/** The cache in front of the fs backend keeps the whole FragmentStore contract. */
class CachingFragmentStoreContractTest extends FragmentStoreContract {

    @TempDir
    Path dir;

    private SqliteDatabase database;
    private FsFragmentStore backend;
    private final FragmentCache cache = new FragmentCache(CacheSettings.defaults());

    @Override
    protected FragmentStore createStore() {
        database = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("db/tesseras.db")));
        backend = FsFragmentStore.open("fs", dir.resolve("fragments"), database, 0, false);
        return new CachingFragmentStore("fs", backend, cache);
    }

    @Override
    protected FragmentStore reopen(FragmentStore store) {
        close(store);
        return createStore();
    }

    @Override
    protected void close(FragmentStore store) {
        backend.close();
        database.close();
    }
}
