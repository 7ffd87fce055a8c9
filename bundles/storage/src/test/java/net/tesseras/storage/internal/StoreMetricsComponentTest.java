package net.tesseras.storage.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.common.metrics.internal.MeasuredFragmentStore;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.storage.internal.db.DatabaseConfig;
import net.tesseras.storage.internal.db.SqliteDatabase;
import net.tesseras.storage.internal.fs.FsFragmentStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreMetricsComponentTest {

    @TempDir
    Path dir;

    @Test
    void whatTheStartFoundIsAGaugePerFinding() {
        try (SqliteDatabase db = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("db/t.db")))) {
            FsFragmentStore fs = FsFragmentStore.open("fs", dir.resolve("fragments"), db, 0, false);
            ContentHash tessera = Blake3Hashing.hash(new byte[] {1});
            for (int i = 0; i < 3; i++) {
                byte[] bytes = {(byte) i};
                fs.store(new FragmentId(tessera, i, false, Blake3Hashing.hash(bytes)), ByteBuffer.wrap(bytes));
            }
            db.write(c -> c.createStatement().executeUpdate("DELETE FROM fs_fragments"));
            fs.close();
            FsFragmentStore reopened = FsFragmentStore.open("fs", dir.resolve("fragments"), db, 0, false);

            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            StoreMetricsComponent component = new StoreMetricsComponent(registry);
            MeasuredFragmentStore registered = new MeasuredFragmentStore("fs", reopened);
            // The properties FsFragmentStoreComponent registers the store with.
            Map<String, Object> properties = new HashMap<>(reopened.reconcileReport().serviceProperties());
            component.bindStore(registered, properties);

            assertEquals(3, registry.get(StoreMetricsComponent.RECONCILE_FINDINGS).tag("store", "fs")
                    .tag("finding", "reindexed").gauge().value());
            assertEquals(0, registry.get(StoreMetricsComponent.RECONCILE_FINDINGS).tag("finding", "missing").gauge().value());
            component.unbindStore(registered, properties);
            assertNull(registry.find(StoreMetricsComponent.RECONCILE_FINDINGS).gauge());
            reopened.close();
        }
    }
}
