package net.tesseras.cache.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import net.tesseras.cache.internal.CacheSettings.Policy;
import net.tesseras.core.Blake3;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.storage.FragmentBytes;
import org.junit.jupiter.api.Test;

/** The cache's part of storage SPI 1.1: readIfInMemory, open and storeAll. */
class CachingFragmentStoreSpiTest {

    private static final ContentHash T = ContentHash.of(Blake3.hash(new byte[] {7}));
    private final Random random = new Random(11);
    private final CountingStore backend = new CountingStore();

    private CachingFragmentStore store(long maxEntryBytes) {
        return new CachingFragmentStore("fs", backend, new FragmentCache(new CacheSettings(Policy.LRU, 1 << 20,
                maxEntryBytes, 0.2, Duration.ofMinutes(10), Duration.ofHours(1))));
    }

    @Test
    void readIfInMemoryAnswersFromTheCacheAloneNeverFromTheBackend() {
        CachingFragmentStore store = store(64 * 1024);
        byte[] bytes = bytes(1000);
        backend.put(T, 0, ByteBuffer.wrap(bytes));
        assertTrue(store.readIfInMemory(T, 0).isEmpty(), "held by the backend, not yet in memory");
        assertEquals(0, backend.reads.get() + backend.opens.get(), "the backend was not asked");
        store.read(T, 0);
        ByteBuffer hit = store.readIfInMemory(T, 0).orElseThrow();
        assertTrue(hit.isReadOnly());
        assertEquals(0, hit.position());
        assertArrayEquals(bytes, array(hit));
        assertEquals(1, backend.reads.get(), "only the read reached the backend");
        store.delete(T, 0);
        assertTrue(store.readIfInMemory(T, 0).isEmpty());
    }

    @Test
    void openServesSmallFragmentsFromMemoryAndKeepsThem() throws IOException {
        CachingFragmentStore store = store(64 * 1024);
        byte[] bytes = bytes(5000);
        backend.put(T, 1, ByteBuffer.wrap(bytes));
        for (int i = 0; i < 3; i++) {
            try (SeekableByteChannel channel = store.open(T, 1).orElseThrow()) {
                assertEquals(bytes.length, channel.size());
                assertArrayEquals(bytes, readFully(channel));
            }
        }
        assertEquals(1, backend.opens.get(), "the first open read it whole from the backend; the others hit");
        assertEquals(0, backend.reads.get());
        assertArrayEquals(bytes, array(store.readIfInMemory(T, 1).orElseThrow()), "and it is now in memory");
        try (SeekableByteChannel channel = store.open(T, 1).orElseThrow()) {
            channel.position(4990);
            assertArrayEquals(java.util.Arrays.copyOfRange(bytes, 4990, 5000), readFully(channel), "ranges from memory");
        }
    }

    @Test
    void fragmentsLargerThanTheCacheKeepsStreamPastIt() throws IOException {
        CachingFragmentStore store = store(1024);
        byte[] bytes = bytes(4096);
        backend.put(T, 2, ByteBuffer.wrap(bytes));
        for (int i = 0; i < 2; i++) {
            try (SeekableByteChannel channel = store.open(T, 2).orElseThrow()) {
                assertArrayEquals(bytes, readFully(channel));
            }
        }
        assertEquals(2, backend.opens.get(), "each open went to the backend");
        assertTrue(store.readIfInMemory(T, 2).isEmpty(), "never kept");
        assertTrue(store.open(T, 3).isEmpty());
    }

    @Test
    void storeAllPassesThroughAndInvalidatesEveryFragmentOfTheBatch() {
        CachingFragmentStore store = store(64 * 1024);
        byte[] old = bytes(100);
        backend.put(T, 0, ByteBuffer.wrap(old));
        store.read(T, 0);
        assertTrue(store.readIfInMemory(T, 0).isPresent());
        backend.fragments.clear(); // the fragment went away behind the cache's back
        byte[] a = bytes(100);
        byte[] b = bytes(200);
        List<FragmentBytes> batch = List.of(new FragmentBytes(id(0, a), ByteBuffer.wrap(a)),
                new FragmentBytes(id(1, b), ByteBuffer.wrap(b)));
        assertEquals(2, store.storeAll(batch).size());
        assertEquals(1, backend.batches.get(), "one call to the backend's storeAll");
        assertTrue(store.readIfInMemory(T, 0).isEmpty(), "the batch invalidated what the cache held");
        assertArrayEquals(a, array(store.read(T, 0).orElseThrow()));
    }

    @Test
    void aFrontForwardsTheNewMethodsToItsCurrentBackend() throws IOException {
        FragmentCache cache = new FragmentCache(CacheSettings.defaults());
        Front front = new Front(cache, java.util.Map.of());
        front.serveFrom(backend, java.util.Map.of(net.tesseras.storage.FragmentStore.NAME, "fs"));
        byte[] bytes = bytes(300);
        backend.put(T, 5, ByteBuffer.wrap(bytes));
        try (SeekableByteChannel channel = front.open(T, 5).orElseThrow()) {
            assertArrayEquals(bytes, readFully(channel));
        }
        assertArrayEquals(bytes, array(front.readIfInMemory(T, 5).orElseThrow()));
        byte[] more = bytes(10);
        assertEquals(1, front.storeAll(List.of(new FragmentBytes(id(6, more), ByteBuffer.wrap(more)))).size());
        assertEquals(1, backend.batches.get());
        assertSame(backend, ((CachingFragmentStore) front.delegate()).backend());
    }

    private FragmentId id(int index, byte[] bytes) {
        return new FragmentId(T, index, false, ContentHash.of(Blake3.hash(bytes)));
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static byte[] readFully(SeekableByteChannel channel) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(777);
        while (channel.read(buffer.clear()) >= 0) {
            out.write(buffer.array(), 0, buffer.position());
        }
        return out.toByteArray();
    }

    private static byte[] array(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
