package net.tesseras.cache.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import net.tesseras.cache.internal.CacheSettings.Policy;
import net.tesseras.core.Blake3;
import net.tesseras.core.ContentHash;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FragmentCacheTest {

    private static final ContentHash T = ContentHash.of(Blake3.hash(new byte[] {1}));

    @Test
    void aHitAvoidsTheBackendRead() {
        CountingStore backend = new CountingStore();
        backend.put(T, 0, ByteBuffer.wrap(new byte[] {1, 2, 3}));
        CachingFragmentStore store = new CachingFragmentStore("fs", backend, new FragmentCache(settings(Policy.LRU, 1 << 20)));
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(new byte[] {1, 2, 3}, array(store.read(T, 0).orElseThrow()));
        }
        assertEquals(1, backend.reads.get());
    }

    @Test
    void storeAndDeleteInvalidate() {
        CountingStore backend = new CountingStore();
        FragmentCache cache = new FragmentCache(settings(Policy.LRU, 1 << 20));
        CachingFragmentStore store = new CachingFragmentStore("fs", backend, cache);
        backend.put(T, 0, ByteBuffer.wrap(new byte[] {1}));
        store.read(T, 0);
        assertEquals(1, cache.statistics().entries());
        store.delete(T, 0);
        assertEquals(0, cache.statistics().entries());
        assertTrue(store.read(T, 0).isEmpty(), "a deleted fragment is not served from memory");

        backend.put(T, 1, ByteBuffer.wrap(new byte[] {2}));
        store.read(T, 1);
        byte[] bytes = {2};
        store.store(new net.tesseras.core.FragmentId(T, 1, false, ContentHash.of(Blake3.hash(bytes))), ByteBuffer.wrap(bytes));
        assertEquals(0, cache.statistics().entries(), "a store invalidates its key");
    }

    @Test
    void evictsByBytesNotByEntries() {
        CountingStore backend = new CountingStore();
        long budget = 64 * 1024;
        FragmentCache cache = new FragmentCache(settings(Policy.LRU, budget));
        CachingFragmentStore store = new CachingFragmentStore("fs", backend, cache);
        for (int i = 0; i < 100; i++) {
            backend.put(T, i, ByteBuffer.allocate(4096));
            store.read(T, i);
        }
        CacheStatistics stats = cache.statistics();
        assertTrue(stats.bytes() <= budget, stats.bytes() + " bytes held for a budget of " + budget);
        assertTrue(stats.entries() < 100 && stats.entries() >= 10, "entries: " + stats.entries());
        assertTrue(stats.evictions() > 0);
    }

    @Test
    void aFragmentLargerThanTheBudgetOrTheEntryCapIsServedButNotCached() {
        CountingStore backend = new CountingStore();
        FragmentCache cache = new FragmentCache(new CacheSettings(Policy.LRU, 1 << 20, 1000, 0.2,
                Duration.ofMinutes(1), Duration.ofMinutes(1)));
        CachingFragmentStore store = new CachingFragmentStore("fs", backend, cache);
        backend.put(T, 0, ByteBuffer.allocate(1001));
        assertEquals(1001, store.read(T, 0).orElseThrow().remaining());
        assertEquals(1001, store.read(T, 0).orElseThrow().remaining());
        assertEquals(2, backend.reads.get());
        assertEquals(0, cache.statistics().entries());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 10, 100})
    void oneBudgetHoldsWhateverTheNumberOfStores(int storeCount) {
        long budget = 256 * 1024;
        FragmentCache cache = new FragmentCache(settings(Policy.LRU, budget));
        List<CachingFragmentStore> stores = new ArrayList<>();
        for (int s = 0; s < storeCount; s++) {
            CountingStore backend = new CountingStore();
            for (int i = 0; i < 200; i++) {
                backend.put(T, i, ByteBuffer.allocate(2048));
            }
            stores.add(new CachingFragmentStore("store-" + s, backend, cache));
        }
        for (int i = 0; i < 200; i++) {
            for (CachingFragmentStore store : stores) {
                store.read(T, i);
            }
        }
        CacheStatistics stats = cache.statistics();
        assertTrue(stats.bytes() <= budget, storeCount + " stores: " + stats.bytes() + " bytes for a budget of " + budget);
        assertEquals(stats.bytes(), stats.stores().values().stream().mapToLong(CacheStatistics.StoreFigures::bytes).sum());
    }

    @Test
    void hitsShareTheBackendsBytesWithoutCopying() {
        byte[] backing = {5, 5, 5};
        CountingStore backend = new CountingStore();
        backend.put(T, 0, ByteBuffer.wrap(backing));
        CachingFragmentStore store = new CachingFragmentStore("fs", backend, new FragmentCache(settings(Policy.LRU, 1 << 20)));
        store.read(T, 0);
        backing[0] = 9; // visible through the cache only if the cache shares, rather than copies, the bytes
        ByteBuffer hit = store.read(T, 0).orElseThrow();
        assertEquals(9, hit.get(0));
        assertTrue(hit.isReadOnly());
        assertEquals(1, backend.reads.get());
    }

    @Test
    void tieredPromotesOnASecondReadAndExpiresUnusedEntries() {
        AtomicLong nanos = new AtomicLong();
        Ticker ticker = nanos::get;
        FragmentCache cache = new FragmentCache(new CacheSettings(Policy.TIERED, 1 << 20, 1 << 20, 0.25,
                Duration.ofSeconds(10), Duration.ofSeconds(60)), ticker);
        CountingStore backend = new CountingStore();
        backend.put(T, 0, ByteBuffer.allocate(100));
        backend.put(T, 1, ByteBuffer.allocate(100));
        CachingFragmentStore store = new CachingFragmentStore("fs", backend, cache);
        TieredPolicy tiers = (TieredPolicy) cache.policy();

        store.read(T, 0); // miss: into warm
        store.read(T, 1);
        assertEquals(0, tiers.hotEntries());
        store.read(T, 0); // warm hit: promoted
        assertEquals(1, tiers.hotEntries());

        nanos.addAndGet(Duration.ofSeconds(11).toNanos()); // past the hot TTL, within the warm one
        store.read(T, 1); // still warm: a hit
        assertEquals(2, backend.reads.get());
        store.read(T, 0); // expired from hot: back to the backend
        assertEquals(3, backend.reads.get());

        nanos.addAndGet(Duration.ofSeconds(61).toNanos());
        cache.statistics();
        assertEquals(0, cache.statistics().entries(), "everything expired");
    }

    @Test
    void aReadRacingADeleteDoesNotCacheWhatWasDeleted() throws Exception {
        CountDownLatch readStarted = new CountDownLatch(1);
        CountDownLatch deleteDone = new CountDownLatch(1);
        CountingStore backend = new CountingStore() {
            @Override
            public Optional<ByteBuffer> read(ContentHash tessera, int index) {
                Optional<ByteBuffer> old = super.read(tessera, index);
                readStarted.countDown();
                try {
                    deleteDone.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return old; // the bytes as they were before the delete
            }
        };
        backend.put(T, 0, ByteBuffer.wrap(new byte[] {7}));
        FragmentCache cache = new FragmentCache(settings(Policy.LRU, 1 << 20));
        CachingFragmentStore store = new CachingFragmentStore("fs", backend, cache);
        Thread reader = new Thread(() -> store.read(T, 0));
        reader.start();
        assertTrue(readStarted.await(10, TimeUnit.SECONDS));
        store.delete(T, 0);
        deleteDone.countDown();
        reader.join();
        assertEquals(0, cache.statistics().entries());
    }

    @Test
    void switchingPoliciesAndSizesLiveNeverFailsARead() throws Exception {
        CountingStore backend = new CountingStore();
        Random random = new Random(1);
        List<byte[]> contents = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            byte[] b = new byte[1024 + i];
            random.nextBytes(b);
            contents.add(b);
            backend.put(T, i, ByteBuffer.wrap(b));
        }
        FragmentCache cache = new FragmentCache(settings(Policy.LRU, 32 * 1024));
        CachingFragmentStore store = new CachingFragmentStore("fs", backend, cache);
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService readers = Executors.newFixedThreadPool(4);
        List<Future<Long>> results = new ArrayList<>();
        for (int r = 0; r < 4; r++) {
            int seed = r;
            results.add(readers.submit(() -> {
                Random pick = new Random(seed);
                long reads = 0;
                while (running.get()) {
                    int i = pick.nextInt(contents.size());
                    assertArrayEquals(contents.get(i), array(store.read(T, i).orElseThrow()));
                    reads++;
                }
                return reads;
            }));
        }
        Policy[] cycle = {Policy.TIERED, Policy.NONE, Policy.LRU, Policy.TIERED, Policy.LRU};
        for (int round = 0; round < 50; round++) {
            cache.configure(settings(cycle[round % cycle.length], (16 + round % 3 * 16) * 1024));
            Thread.sleep(5);
        }
        running.set(false);
        long total = 0;
        for (Future<Long> f : results) {
            total += f.get(); // rethrows any failed read
        }
        readers.shutdown();
        assertTrue(total > 0);
        assertFalse(cache.statistics().bytes() > cache.settings().budgetBytes());
    }

    @Test
    void theNonePolicyPassesThrough() {
        CountingStore backend = new CountingStore();
        backend.put(T, 0, ByteBuffer.wrap(new byte[] {1}));
        CachingFragmentStore store = new CachingFragmentStore("fs", backend, new FragmentCache(settings(Policy.NONE, 1 << 20)));
        store.read(T, 0);
        store.read(T, 0);
        assertEquals(2, backend.reads.get());
        assertNull(new NoCachePolicy().get(new CacheKey("fs", T, 0)));
    }

    private static CacheSettings settings(Policy policy, long budget) {
        return new CacheSettings(policy, budget, budget, 0.2, Duration.ofMinutes(10), Duration.ofHours(1));
    }

    private static byte[] array(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
