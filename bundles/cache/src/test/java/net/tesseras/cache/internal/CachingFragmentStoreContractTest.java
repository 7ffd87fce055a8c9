package net.tesseras.cache.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import net.tesseras.core.FragmentId;
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

    /** Every file under the root is the volume marker or a shard its index records: no temporary file, no orphan. */
    @Override
    protected void assertNothingHalfStored(FragmentStore store) throws Exception {
        Path root = dir.resolve("fragments");
        try (java.util.stream.Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String name = file.getFileName().toString();
                if (name.equals(".tesseras-volume")) {
                    continue;
                }
                org.junit.jupiter.api.Assertions.assertTrue(name.matches("[0-9]{3,5}\\.shard"), "stray file " + file);
                net.tesseras.core.ContentHash tessera = net.tesseras.core.ContentHash.parse(file.getParent().getFileName().toString());
                int index = Integer.parseInt(name.substring(0, name.indexOf('.')));
                org.junit.jupiter.api.Assertions.assertTrue(
                        store.fragments(tessera).stream().anyMatch(f -> f.id().index() == index),
                        file + " has no index row");
            }
        }
    }
}
