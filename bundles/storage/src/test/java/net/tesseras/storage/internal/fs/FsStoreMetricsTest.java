package net.tesseras.storage.internal.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.common.metrics.internal.MeasuredFragmentStore;
import net.tesseras.common.metrics.internal.MicrometerStoreMetrics;
import net.tesseras.common.metrics.internal.StoreMetrics;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.storage.ChecksumMismatchException;
import net.tesseras.storage.internal.db.DatabaseConfig;
import net.tesseras.storage.internal.db.SqliteDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FsStoreMetricsTest {

    @TempDir
    Path dir;

    @Test
    void everyOperationIsCountedTimedAndTaggedByStore() throws Exception {
        try (SqliteDatabase db = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("db/t.db")))) {
            FsFragmentStore fs = FsFragmentStore.open("fs", dir.resolve("fragments"), db, 0, false);
            // As the component registers it: the store behind the measuring decorator.
            MeasuredFragmentStore store = new MeasuredFragmentStore("fs", fs);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            MicrometerStoreMetrics metrics = new MicrometerStoreMetrics(registry, store);
            store.instrument(metrics);

            byte[] bytes = new byte[1000];
            ContentHash tessera = Blake3Hashing.hash(new byte[] {1});
            FragmentId id = new FragmentId(tessera, 0, false, Blake3Hashing.hash(bytes));
            store.store(id, ByteBuffer.wrap(bytes));
            store.read(tessera, 0);
            store.read(tessera, 1); // not held
            assertThrows(ChecksumMismatchException.class, () -> store.store(
                    new FragmentId(tessera, 2, false, Blake3Hashing.hash(new byte[] {9})), ByteBuffer.wrap(bytes)));
            Files.write(dir.resolve("fragments").resolve(tessera.toHex()).resolve("000.shard"), new byte[] {0});
            store.verify(tessera);
            store.delete(tessera, 0);

            assertEquals(1, registry.get("tesseras.store.write").tag("store", "fs").timer().count());
            assertEquals(1000, registry.get("tesseras.store.written.bytes").tag("store", "fs").counter().count());
            assertEquals(2, registry.get("tesseras.store.read").tag("store", "fs").timer().count());
            assertEquals(1000, registry.get("tesseras.store.read.bytes").counter().count());
            assertEquals(1, registry.get("tesseras.store.read.misses").counter().count());
            assertEquals(1, registry.get("tesseras.store.errors").tag("operation", "write").counter().count());
            assertEquals(1, registry.get("tesseras.store.verify.failures").tag("status", "corrupt").counter().count());
            assertEquals(1, registry.get("tesseras.store.delete").timer().count());
            assertEquals(0, registry.get("tesseras.store.fragments").gauge().value(), "from the index, after the delete");
            assertTrue(registry.get("tesseras.store.read").timer().totalTime(java.util.concurrent.TimeUnit.NANOSECONDS) > 0);

            store.instrument(StoreMetrics.NONE);
            metrics.close();
            assertNull(registry.find("tesseras.store.write").timer());
            assertNull(registry.find("tesseras.store.errors").counter());
            fs.close();
        }
    }

    @Test
    void opensCountAsReadsAndEachFragmentOfABatchAsAWrite() throws Exception {
        try (SqliteDatabase db = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("db/t.db")))) {
            FsFragmentStore fs = FsFragmentStore.open("fs", dir.resolve("fragments"), db, 0, false);
            MeasuredFragmentStore store = new MeasuredFragmentStore("fs", fs);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            MicrometerStoreMetrics metrics = new MicrometerStoreMetrics(registry, store);
            store.instrument(metrics);

            ContentHash tessera = Blake3Hashing.hash(new byte[] {2});
            java.util.List<net.tesseras.storage.FragmentBytes> batch = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                byte[] bytes = new byte[100 * (i + 1)];
                bytes[0] = (byte) i;
                batch.add(new net.tesseras.storage.FragmentBytes(new FragmentId(tessera, i, false,
                        Blake3Hashing.hash(bytes)), ByteBuffer.wrap(bytes)));
            }
            store.storeAll(batch);
            try (var channel = store.open(tessera, 2).orElseThrow()) {
                assertEquals(300, channel.size());
            }
            assertTrue(store.open(tessera, 9).isEmpty());

            assertEquals(3, registry.get("tesseras.store.write").tag("store", "fs").timer().count());
            assertEquals(600, registry.get("tesseras.store.written.bytes").counter().count());
            assertEquals(2, registry.get("tesseras.store.read").timer().count());
            assertEquals(300, registry.get("tesseras.store.read.bytes").counter().count());
            assertEquals(1, registry.get("tesseras.store.read.misses").counter().count());
            assertEquals(3, registry.get("tesseras.store.fragments").gauge().value());
            metrics.close();
            fs.close();
        }
    }
}
