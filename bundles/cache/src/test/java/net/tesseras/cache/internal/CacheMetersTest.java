package net.tesseras.cache.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import net.tesseras.core.Blake3;
import net.tesseras.core.ContentHash;
import org.junit.jupiter.api.Test;

class CacheMetersTest {

    private static final ContentHash T = ContentHash.of(Blake3.hash(new byte[] {3}));

    @Test
    void metersFollowTheCacheAndTagHitsAndMissesByStore() {
        FragmentCache cache = new FragmentCache(CacheSettings.defaults());
        CountingStore fs = new CountingStore();
        fs.put(T, 0, ByteBuffer.allocate(1000));
        CachingFragmentStore early = new CachingFragmentStore("fs", fs, cache);
        early.read(T, 0); // before metrics: counted all the same

        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        CacheMeters metrics = new CacheMeters(registry, cache);
        early.read(T, 0);
        early.read(T, 0);
        CountingStore sqlite = new CountingStore();
        sqlite.put(T, 0, ByteBuffer.allocate(10));
        new CachingFragmentStore("sqlite", sqlite, cache).read(T, 0); // a store that appears later

        assertEquals(2, registry.get("tesseras.fragment.cache.hits").tag("store", "fs").functionCounter().count());
        assertEquals(1, registry.get("tesseras.fragment.cache.misses").tag("store", "fs").functionCounter().count());
        assertEquals(1, registry.get("tesseras.fragment.cache.misses").tag("store", "sqlite").functionCounter().count());
        assertEquals(2, registry.get("tesseras.fragment.cache.entries").gauge().value());
        assertTrue(registry.get("tesseras.fragment.cache.bytes").gauge().value() >= 1010);

        metrics.close();
        assertNull(registry.find("tesseras.fragment.cache.hits").functionCounter(), "meters leave with the registry binding");
    }
}
