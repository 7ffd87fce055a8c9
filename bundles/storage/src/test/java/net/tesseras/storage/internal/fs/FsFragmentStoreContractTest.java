package net.tesseras.storage.internal.fs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import net.tesseras.core.FragmentId;
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

    @Override
    protected boolean damage(FragmentStore store, FragmentId id, Damage how) throws Exception {
        Path file = dir.resolve("fragments").resolve(id.tessera().toHex()).resolve(String.format("%03d.shard", id.index()));
        byte[] bytes = Files.readAllBytes(file);
        switch (how) {
            case FLIP_A_BYTE -> {
                bytes[bytes.length / 2] ^= 0x01;
                Files.write(file, bytes);
            }
            case TRUNCATE -> Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
            case REMOVE -> Files.delete(file);
        }
        return true;
    }
}
