package net.tesseras.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import net.tesseras.core.Blake3;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.storage.ChecksumMismatchException;
import net.tesseras.storage.FragmentBytes;
import net.tesseras.storage.FragmentConflictException;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.FragmentStoreException;
import net.tesseras.storage.StoreStats;
import net.tesseras.storage.VerifyResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The {@link FragmentStore} contract as tests. A backend's test class extends this and says how to
 * create an empty store and how to reopen one over the same persistent state; every test here must
 * pass unchanged.
 */
public abstract class FragmentStoreContract {

    private final Random random = new Random(20260101);
    protected FragmentStore store;

    /** A new, empty store. */
    protected abstract FragmentStore createStore() throws Exception;

    /** The same store closed and opened again over its persistent state (a restart). */
    protected abstract FragmentStore reopen(FragmentStore store) throws Exception;

    /** Releases what {@link #createStore()} or {@link #reopen} acquired. */
    protected void close(FragmentStore store) throws Exception {}

    /** Ways stored bytes get damaged behind a store's back: a failing disk, a careless hand. */
    protected enum Damage {
        /** One byte of the stored fragment changed. */
        FLIP_A_BYTE,
        /** The stored fragment cut to half its length. */
        TRUNCATE,
        /** The stored bytes gone while the index still records the fragment. */
        REMOVE
    }

    /**
     * Damages the stored bytes of a fragment the way {@code how} says, without telling the store.
     *
     * @return false if this backend cannot be damaged that way from a test (the tests that need it
     *     are then skipped, not passed)
     */
    protected boolean damage(FragmentStore store, FragmentId id, Damage how) throws Exception {
        return false;
    }

    @BeforeEach
    void createEmptyStore() throws Exception {
        store = createStore();
    }

    @AfterEach
    void closeStore() throws Exception {
        close(store);
    }

    @Test
    void storeThenReadReturnsTheSameBytesAsAReadOnlyBufferAtZero() {
        byte[] bytes = bytes(5000);
        FragmentId id = id(tessera(1), 3, false, bytes);
        FragmentInfo info = store.store(id, ByteBuffer.wrap(bytes));
        assertEquals(id, info.id());
        assertEquals(5000, info.size());
        ByteBuffer read = store.read(id.tessera(), 3).orElseThrow();
        assertTrue(read.isReadOnly(), "reads are read-only so callers can share them");
        assertEquals(0, read.position());
        assertArrayEquals(bytes, array(read));
    }

    @Test
    void storeDoesNotMoveTheCallersBuffer() {
        byte[] bytes = bytes(100);
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        store.store(id(tessera(2), 0, false, bytes), buffer);
        assertEquals(0, buffer.position());
        assertEquals(100, buffer.limit());
    }

    @Test
    void emptyFragmentsAreFragmentsToo() {
        FragmentId id = id(tessera(3), 0, false, new byte[0]);
        store.store(id, ByteBuffer.allocate(0));
        assertEquals(0, store.read(id.tessera(), 0).orElseThrow().remaining());
    }

    @Test
    void bytesThatDoNotMatchTheChecksumAreRefusedAndNothingIsKept() {
        byte[] bytes = bytes(300);
        FragmentId lying = new FragmentId(tessera(4), 0, false, hash(bytes(300)));
        ChecksumMismatchException e =
                assertThrows(ChecksumMismatchException.class, () -> store.store(lying, ByteBuffer.wrap(bytes)));
        assertEquals(hash(bytes), e.actual());
        assertThrows(ChecksumMismatchException.class,
                () -> store.store(lying, Channels.newChannel(new ByteArrayInputStream(bytes)), bytes.length));
        assertTrue(store.read(lying.tessera(), 0).isEmpty());
        assertTrue(store.fragments(lying.tessera()).isEmpty());
        assertEquals(new StoreStats(0, 0, 0), store.stats());
    }

    @Test
    void storingTheSameFragmentAgainIsANoOp() {
        byte[] bytes = bytes(100);
        FragmentId id = id(tessera(5), 0, false, bytes);
        FragmentInfo first = store.store(id, ByteBuffer.wrap(bytes));
        assertEquals(first, store.store(id, ByteBuffer.wrap(bytes)));
        assertEquals(1, store.stats().fragments());
    }

    @Test
    void differentBytesAtAnOccupiedIndexAreRefused() {
        byte[] bytes = bytes(100);
        byte[] other = bytes(100);
        store.store(id(tessera(6), 0, false, bytes), ByteBuffer.wrap(bytes));
        assertThrows(FragmentConflictException.class,
                () -> store.store(id(tessera(6), 0, false, other), ByteBuffer.wrap(other)));
        assertArrayEquals(bytes, array(store.read(tessera(6), 0).orElseThrow()));
    }

    @Test
    void streamedStoresCheckTheAnnouncedLength() {
        byte[] bytes = bytes(200_000);
        FragmentId id = id(tessera(7), 1, true, bytes);
        store.store(id, Channels.newChannel(new ByteArrayInputStream(bytes)), bytes.length);
        assertArrayEquals(bytes, array(store.read(id.tessera(), 1).orElseThrow()));
        FragmentId other = id(tessera(7), 2, true, bytes);
        assertThrows(FragmentStoreException.class,
                () -> store.store(other, Channels.newChannel(new ByteArrayInputStream(bytes, 0, 10)), bytes.length));
        assertTrue(store.read(id.tessera(), 2).isEmpty());
    }

    @Test
    void listingsComeOrderedFromTheIndex() {
        ContentHash tessera = tessera(8);
        for (int index : new int[] {5, 0, 17, 2}) {
            byte[] bytes = bytes(10 + index);
            store.store(id(tessera, index, index >= 16, bytes), ByteBuffer.wrap(bytes));
        }
        List<FragmentInfo> fragments = store.fragments(tessera);
        assertEquals(List.of(0, 2, 5, 17), fragments.stream().map(f -> f.id().index()).toList());
        assertTrue(fragments.get(3).id().parity());
        assertFalse(fragments.get(0).id().parity());
        assertEquals(10 + 17, fragments.get(3).size());

        byte[] bytes = bytes(1);
        ContentHash low = ContentHash.parse("00" + tessera.toHex().substring(2));
        store.store(id(low, 0, false, bytes), ByteBuffer.wrap(bytes));
        assertEquals(List.of(low, tessera), store.tesseras());
        assertEquals(new StoreStats(2, 5, 10 + 12 + 15 + 27 + 1), store.stats());
    }

    @Test
    void deleteRemovesAFragmentAndSaysWhetherItWasThere() {
        byte[] bytes = bytes(100);
        FragmentId id = id(tessera(9), 0, false, bytes);
        store.store(id, ByteBuffer.wrap(bytes));
        assertTrue(store.delete(id.tessera(), 0));
        assertFalse(store.delete(id.tessera(), 0));
        assertTrue(store.read(id.tessera(), 0).isEmpty());
        assertTrue(store.fragments(id.tessera()).isEmpty());
        assertTrue(store.tesseras().isEmpty());
    }

    @Test
    void unknownFragmentsReadAsEmpty() {
        assertTrue(store.read(tessera(10), 0).isEmpty());
        assertTrue(store.fragments(tessera(10)).isEmpty());
        assertTrue(store.verify(tessera(10)).isEmpty());
    }

    @Test
    void indicesOutsideTheU16RangeAreInvalidArguments() {
        assertThrows(IllegalArgumentException.class, () -> store.read(tessera(11), 65536));
        assertThrows(IllegalArgumentException.class, () -> store.read(tessera(11), -1));
        assertThrows(IllegalArgumentException.class, () -> store.delete(tessera(11), 70_000));
    }

    @Test
    void verifyReportsIntactFragmentsAndRecordsWhen() {
        ContentHash tessera = tessera(12);
        for (int i = 0; i < 3; i++) {
            byte[] bytes = bytes(1000);
            store.store(id(tessera, i, false, bytes), ByteBuffer.wrap(bytes));
        }
        List<VerifyResult> results = store.verify(tessera);
        assertEquals(3, results.size());
        assertTrue(results.stream().allMatch(VerifyResult::ok));
        assertTrue(store.fragments(tessera).stream().allMatch(f -> f.lastVerified().isPresent()));
    }

    @Test
    void acknowledgedFragmentsSurviveAReopen() throws Exception {
        List<FragmentId> ids = new ArrayList<>();
        List<byte[]> contents = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            byte[] bytes = bytes(100 + i);
            FragmentId id = id(tessera(100 + i % 3), i, i % 4 == 0, bytes);
            store.store(id, ByteBuffer.wrap(bytes));
            ids.add(id);
            contents.add(bytes);
        }
        store = reopen(store);
        for (int i = 0; i < ids.size(); i++) {
            assertArrayEquals(contents.get(i), array(store.read(ids.get(i).tessera(), ids.get(i).index()).orElseThrow()));
        }
        assertEquals(12, store.stats().fragments());
        assertEquals(3, store.stats().tesseras());
    }

    @Test
    void concurrentWritersAndReadersAgree() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            ContentHash tessera = tessera(13);
            List<byte[]> payloads = new ArrayList<>();
            for (int i = 0; i < 48; i++) {
                payloads.add(bytes(2048));
            }
            List<Future<?>> futures = new ArrayList<>();
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < payloads.size(); i++) {
                    int index = i;
                    futures.add(pool.submit(() -> store.store(id(tessera, index, false, payloads.get(index)),
                            ByteBuffer.wrap(payloads.get(index)))));
                    futures.add(pool.submit(() -> store.read(tessera, index)
                            .ifPresent(b -> assertArrayEquals(payloads.get(index), array(b)))));
                }
            }
            for (Future<?> f : futures) {
                f.get();
            }
            assertEquals(48, store.stats().fragments());
            assertTrue(store.verify(tessera).stream().allMatch(VerifyResult::ok));
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest
    @EnumSource(Damage.class)
    void storingVerifiedBytesOverADamagedFragmentRepairsIt(Damage how) throws Exception {
        byte[] bytes = bytes(4000);
        FragmentId id = id(tessera(14), 2, false, bytes);
        FragmentInfo stored = store.store(id, ByteBuffer.wrap(bytes));
        assumeTrue(damage(store, id, how), "this backend's bytes cannot be damaged " + how + " from a test");
        assertFalse(store.verify(id.tessera()).get(0).ok(), "verify sees the damage");

        assertEquals(stored.id(), store.store(id, ByteBuffer.wrap(bytes)).id());
        assertTrue(store.verify(id.tessera()).get(0).ok(), "storing the same verified bytes again repaired it");
        assertArrayEquals(bytes, array(store.read(id.tessera(), id.index()).orElseThrow()));

        assertTrue(damage(store, id, how));
        store.store(id, Channels.newChannel(new ByteArrayInputStream(bytes)), bytes.length);
        assertTrue(store.verify(id.tessera()).get(0).ok(), "a streamed store repairs too");
        assertArrayEquals(bytes, array(store.read(id.tessera(), id.index()).orElseThrow()));
        assertEquals(1, store.stats().fragments());
        assertEquals(bytes.length, store.stats().bytes());
    }

    @ParameterizedTest
    @EnumSource(Damage.class)
    void readsNeverServeDamagedBytes(Damage how) throws Exception {
        byte[] bytes = bytes(4000);
        FragmentId id = id(tessera(15), 0, false, bytes);
        store.store(id, ByteBuffer.wrap(bytes));
        assumeTrue(damage(store, id, how), "this backend's bytes cannot be damaged " + how + " from a test");
        for (int i = 0; i < 2; i++) {
            try {
                store.read(id.tessera(), id.index())
                        .ifPresent(read -> assertArrayEquals(bytes, array(read), "only the fragment's own bytes are served"));
            } catch (FragmentStoreException e) {
                assertTrue(e.getMessage().contains(id.tessera().toHex()), "the refusal names the tessera: " + e.getMessage());
            }
        }
        store.store(id, ByteBuffer.wrap(bytes));
        assertArrayEquals(bytes, array(store.read(id.tessera(), id.index()).orElseThrow()), "served again once repaired");
    }

    // ---- SPI 1.1: open(), readIfInMemory(), storeAll(), tesseras(after, limit), maintained counts ----

    /**
     * Checks that nothing half-stored is left behind (no temporary file, no stored bytes without an
     * index entry). Backends with files override it; the default checks nothing.
     */
    protected void assertNothingHalfStored(FragmentStore store) throws Exception {}

    @Test
    void openReadsTheWholeFragmentAsReadDoes() throws Exception {
        byte[] bytes = bytes(300_001);
        FragmentId id = id(tessera(20), 4, false, bytes);
        store.store(id, ByteBuffer.wrap(bytes));
        try (SeekableByteChannel channel = store.open(id.tessera(), 4).orElseThrow()) {
            assertEquals(bytes.length, channel.size());
            assertEquals(0, channel.position());
            assertArrayEquals(bytes, readFully(channel, 4096));
            assertEquals(bytes.length, channel.position());
            assertEquals(-1, channel.read(ByteBuffer.allocate(10)), "still at the end");
        }
        assertArrayEquals(array(store.read(id.tessera(), 4).orElseThrow()), bytes, "open() and read() agree");
        try (SeekableByteChannel channel = store.open(id.tessera(), 4).orElseThrow()) {
            assertArrayEquals(bytes, readFully(channel, 64 * 1024 + 7), "any buffer size, direct or not");
        }
        try (SeekableByteChannel channel = store.open(id.tessera(), 4).orElseThrow()) {
            ByteBuffer direct = ByteBuffer.allocateDirect(10_000);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while (channel.read(direct.clear()) >= 0) {
                direct.flip();
                byte[] chunk = new byte[direct.remaining()];
                direct.get(chunk);
                out.write(chunk);
            }
            assertArrayEquals(bytes, out.toByteArray());
        }
    }

    @Test
    void openReadsRangesAtTheStartTheMiddleTheEndAndBeyond() throws Exception {
        byte[] bytes = bytes(100_000);
        FragmentId id = id(tessera(21), 0, false, bytes);
        store.store(id, ByteBuffer.wrap(bytes));
        try (SeekableByteChannel channel = store.open(id.tessera(), 0).orElseThrow()) {
            assertArrayEquals(Arrays.copyOfRange(bytes, 0, 100), readAt(channel, 0, 100));
            assertArrayEquals(Arrays.copyOfRange(bytes, 50_000, 50_000 + 1234), readAt(channel, 50_000, 1234));
            assertEquals(50_000 + 1234, channel.position());
            assertArrayEquals(Arrays.copyOfRange(bytes, 99_990, 100_000), readAt(channel, 99_990, 100),
                    "a range past the end stops at the end");
            assertEquals(-1, channel.position(100_000).read(ByteBuffer.allocate(1)));
            assertEquals(-1, channel.position(250_000).read(ByteBuffer.allocate(1)), "beyond the end reads nothing");
            assertEquals(100_000, channel.size());
            assertArrayEquals(Arrays.copyOfRange(bytes, 10, 20), readAt(channel, 10, 10), "and back");
            assertThrows(IllegalArgumentException.class, () -> channel.position(-1));
        }
    }

    @Test
    void openOfEmptyAndUnknownFragments() throws Exception {
        FragmentId empty = id(tessera(22), 0, false, new byte[0]);
        store.store(empty, ByteBuffer.allocate(0));
        try (SeekableByteChannel channel = store.open(empty.tessera(), 0).orElseThrow()) {
            assertEquals(0, channel.size());
            assertEquals(-1, channel.read(ByteBuffer.allocate(8)));
        }
        assertTrue(store.open(tessera(22), 1).isEmpty());
        assertTrue(store.open(tessera(23), 0).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> store.open(tessera(23), 65536));
    }

    @Test
    void aClosedChannelRefusesReadsAndChannelsAreReadOnly() throws Exception {
        byte[] bytes = bytes(1000);
        FragmentId id = id(tessera(24), 0, false, bytes);
        store.store(id, ByteBuffer.wrap(bytes));
        SeekableByteChannel channel = store.open(id.tessera(), 0).orElseThrow();
        assertThrows(NonWritableChannelException.class, () -> channel.write(ByteBuffer.wrap(bytes)));
        assertTrue(channel.isOpen());
        channel.close();
        assertFalse(channel.isOpen());
        assertThrows(ClosedChannelException.class, () -> channel.read(ByteBuffer.allocate(10)));
        assertThrows(ClosedChannelException.class, () -> channel.position(0));
        channel.close(); // closing twice is harmless
    }

    @ParameterizedTest
    @EnumSource(Damage.class)
    void aDamagedFragmentFailsTheSequentialReadThatReachesItsEnd(Damage how) throws Exception {
        byte[] bytes = bytes(200_000);
        FragmentId id = id(tessera(25), 1, false, bytes);
        store.store(id, ByteBuffer.wrap(bytes));
        assumeTrue(damage(store, id, how), "this backend's bytes cannot be damaged " + how + " from a test");
        Optional<SeekableByteChannel> opened;
        try {
            opened = store.open(id.tessera(), id.index());
        } catch (FragmentStoreException e) {
            assertTrue(e.getMessage().contains(id.tessera().toHex()), "the refusal names the tessera: " + e.getMessage());
            opened = Optional.empty();
        }
        if (opened.isPresent()) {
            try (SeekableByteChannel channel = opened.get()) {
                IOException e = assertThrows(IOException.class, () -> readFully(channel, 8192),
                        "damaged bytes never read to their end without an error");
                assertTrue(e.getMessage().contains(id.tessera().toHex()), "the error names the tessera: " + e.getMessage());
            }
        }
        store.store(id, ByteBuffer.wrap(bytes));
        try (SeekableByteChannel channel = store.open(id.tessera(), id.index()).orElseThrow()) {
            assertArrayEquals(bytes, readFully(channel, 8192), "served again once repaired");
        }
    }

    @Test
    void readIfInMemoryNeverServesOtherBytes() {
        byte[] bytes = bytes(2000);
        FragmentId id = id(tessera(26), 0, false, bytes);
        assertTrue(store.readIfInMemory(id.tessera(), 0).isEmpty(), "nothing stored, nothing in memory");
        store.store(id, ByteBuffer.wrap(bytes));
        store.read(id.tessera(), 0);
        store.readIfInMemory(id.tessera(), 0).ifPresent(b -> assertArrayEquals(bytes, array(b)));
        store.delete(id.tessera(), 0);
        assertTrue(store.readIfInMemory(id.tessera(), 0).isEmpty(), "a deleted fragment is not served from memory");
    }

    @Test
    void storeAllStoresEveryFragmentDurablyInOrder() throws Exception {
        List<FragmentBytes> batch = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            byte[] bytes = bytes(1000 + i * 100);
            batch.add(new FragmentBytes(id(tessera(30 + i % 2), i, i >= 8, bytes), ByteBuffer.wrap(bytes)));
        }
        List<FragmentInfo> stored = store.storeAll(batch);
        assertEquals(batch.stream().map(FragmentBytes::id).toList(), stored.stream().map(FragmentInfo::id).toList());
        for (int i = 0; i < batch.size(); i++) {
            assertEquals(batch.get(i).data().remaining(), stored.get(i).size());
            assertEquals(0, batch.get(i).data().position(), "the caller's buffers do not move");
        }
        assertEquals(stored, store.storeAll(batch), "storing the batch again is a no-op");
        assertNothingHalfStored(store);
        store = reopen(store);
        for (FragmentBytes f : batch) {
            assertArrayEquals(array(f.data()), array(store.read(f.id().tessera(), f.id().index()).orElseThrow()));
        }
        assertEquals(new StoreStats(2, 10, batch.stream().mapToLong(f -> f.data().remaining()).sum()), store.stats());
        assertEquals(List.of(), store.storeAll(List.of()));
    }

    @Test
    void storeAllStopsAtABadChecksumNamingItAndKeepsWhatCameBefore() throws Exception {
        List<FragmentBytes> batch = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            byte[] bytes = bytes(3000);
            FragmentId id = i == 2 ? new FragmentId(tessera(32), i, false, hash(bytes(3000))) : id(tessera(32), i, false, bytes);
            batch.add(new FragmentBytes(id, ByteBuffer.wrap(bytes)));
        }
        ChecksumMismatchException e = assertThrows(ChecksumMismatchException.class, () -> store.storeAll(batch));
        assertEquals(batch.get(2).id(), e.id());
        assertTrue(e.getMessage().contains("fragment 2 of tessera " + tessera(32)), e.getMessage());
        assertEquals(List.of(0, 1), store.fragments(tessera(32)).stream().map(f -> f.id().index()).toList(),
                "what came before the bad fragment is stored, it and what follows are not");
        for (int i = 0; i < 2; i++) {
            assertArrayEquals(array(batch.get(i).data()), array(store.read(tessera(32), i).orElseThrow()));
        }
        assertTrue(store.read(tessera(32), 3).isEmpty());
        assertEquals(new StoreStats(1, 2, 6000), store.stats());
        assertNothingHalfStored(store);
        store = reopen(store);
        assertEquals(new StoreStats(1, 2, 6000), store.stats());
    }

    @Test
    void storeAllRefusesAConflictNamingItAndAcceptsRepeats() throws Exception {
        byte[] held = bytes(500);
        store.store(id(tessera(33), 1, false, held), ByteBuffer.wrap(held));
        byte[] first = bytes(500);
        byte[] other = bytes(500);
        List<FragmentBytes> batch = List.of(
                new FragmentBytes(id(tessera(33), 0, false, first), ByteBuffer.wrap(first)),
                new FragmentBytes(id(tessera(33), 0, false, first), ByteBuffer.wrap(first)),
                new FragmentBytes(id(tessera(33), 1, false, other), ByteBuffer.wrap(other)));
        FragmentConflictException e = assertThrows(FragmentConflictException.class, () -> store.storeAll(batch));
        assertTrue(e.getMessage().contains(tessera(33).toHex()), e.getMessage());
        assertArrayEquals(first, array(store.read(tessera(33), 0).orElseThrow()));
        assertArrayEquals(held, array(store.read(tessera(33), 1).orElseThrow()));
        assertEquals(new StoreStats(1, 2, 1000), store.stats());
        assertNothingHalfStored(store);
    }

    @Test
    void concurrentBatchesStoresAndStreamingReadersAgree() throws Exception {
        ContentHash tessera = tessera(34);
        List<byte[]> payloads = new ArrayList<>();
        List<FragmentBytes> all = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            byte[] bytes = bytes(3000 + i);
            payloads.add(bytes);
            all.add(new FragmentBytes(id(tessera, i, false, bytes), ByteBuffer.wrap(bytes)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                int from = round * 4;
                // Overlapping batches, in different orders, beside single stores of the same fragments.
                futures.add(pool.submit(() -> store.storeAll(all.subList(from, from + 12))));
                List<FragmentBytes> reversed = new ArrayList<>(all.subList(from, from + 12));
                java.util.Collections.reverse(reversed);
                futures.add(pool.submit(() -> store.storeAll(reversed)));
                for (int i = from; i < from + 12; i += 3) {
                    FragmentBytes f = all.get(i);
                    int index = i;
                    futures.add(pool.submit(() -> store.store(f.id(), f.data())));
                    futures.add(pool.submit(() -> {
                        Optional<SeekableByteChannel> opened = store.open(tessera, index);
                        if (opened.isPresent()) {
                            try (SeekableByteChannel channel = opened.get()) {
                                assertArrayEquals(payloads.get(index), readFully(channel, 1000));
                            }
                        }
                        return null;
                    }));
                }
            }
            for (Future<?> f : futures) {
                f.get(5, java.util.concurrent.TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(new StoreStats(1, 20, payloads.subList(0, 20).stream().mapToLong(b -> b.length).sum()),
                store.stats());
        assertTrue(store.verify(tessera).stream().allMatch(VerifyResult::ok));
        assertNothingHalfStored(store);
    }

    @Test
    void pagesOfTesserasCoverTheListingOnceInOrder() {
        for (int i = 0; i < 7; i++) {
            for (int index = 0; index < 3; index++) {
                byte[] bytes = bytes(10);
                store.store(id(tessera(40 + i), index, false, bytes), ByteBuffer.wrap(bytes));
            }
        }
        List<ContentHash> all = store.tesseras();
        assertEquals(7, all.size());
        List<ContentHash> paged = new ArrayList<>();
        ContentHash after = null;
        int pages = 0;
        while (true) {
            List<ContentHash> page = store.tesseras(after, 3);
            assertTrue(page.size() <= 3);
            if (page.isEmpty()) {
                break;
            }
            paged.addAll(page);
            after = page.get(page.size() - 1);
            pages++;
        }
        assertEquals(all, paged);
        assertEquals(3, pages);
        assertEquals(List.of(), store.tesseras(all.get(6), 10), "after the last, nothing");
        assertEquals(all.subList(1, 7), store.tesseras(all.get(0), 100));
        assertEquals(all.subList(0, 1), store.tesseras(null, 1));
        assertThrows(IllegalArgumentException.class, () -> store.tesseras(null, 0));
    }

    @Test
    void countsMatchWhatIsHeldAfterStoresDeletesRestoresAndReopen() throws Exception {
        Map<String, Integer> held = new HashMap<>();
        List<FragmentId> ids = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            byte[] bytes = bytes(100 * (i + 1));
            FragmentId id = id(tessera(60 + i % 3), i, false, bytes);
            store.store(id, ByteBuffer.wrap(bytes));
            store.store(id, ByteBuffer.wrap(bytes)); // a no-op counts nothing
            held.put(id.tessera() + "/" + i, bytes.length);
            ids.add(id);
        }
        assertEquals(expected(held), store.stats());
        for (int i : new int[] {0, 3, 6, 1}) { // 0, 3 and 6 are all of tessera(60)
            assertTrue(store.delete(ids.get(i).tessera(), i));
            held.remove(ids.get(i).tessera() + "/" + i);
            assertEquals(expected(held), store.stats());
        }
        assertFalse(store.delete(ids.get(0).tessera(), 0));
        assertEquals(expected(held), store.stats());
        byte[] again = bytes(777);
        FragmentId restored = id(tessera(60), 0, false, again);
        store.store(restored, ByteBuffer.wrap(again));
        held.put(restored.tessera() + "/0", again.length);
        assertEquals(expected(held), store.stats());
        List<FragmentBytes> batch = new ArrayList<>();
        for (int i = 20; i < 24; i++) {
            byte[] bytes = bytes(50 + i);
            FragmentId id = id(tessera(70), i, false, bytes);
            batch.add(new FragmentBytes(id, ByteBuffer.wrap(bytes)));
            held.put(id.tessera() + "/" + i, bytes.length);
        }
        store.storeAll(batch);
        assertEquals(expected(held), store.stats());
        store = reopen(store);
        assertEquals(expected(held), store.stats());
        assertEquals(expected(held).tesseras(), store.tesseras().size());
    }

    private static StoreStats expected(Map<String, Integer> held) {
        long tesseras = held.keySet().stream().map(k -> k.substring(0, k.indexOf('/'))).distinct().count();
        return new StoreStats(tesseras, held.size(), held.values().stream().mapToLong(Integer::longValue).sum());
    }

    /** Reads a channel from its position to its end, {@code chunk} bytes at a time. */
    protected static byte[] readFully(SeekableByteChannel channel, int chunk) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(chunk);
        while (channel.read(buffer.clear()) >= 0) {
            out.write(buffer.array(), 0, buffer.position());
        }
        return out.toByteArray();
    }

    private static byte[] readAt(SeekableByteChannel channel, long position, int length) throws IOException {
        channel.position(position);
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
            // until full or at the end
        }
        return Arrays.copyOf(buffer.array(), buffer.position());
    }

    /** Random bytes, reproducible per test class. */
    protected byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    protected static ContentHash hash(byte[] bytes) {
        return ContentHash.of(Blake3.hash(bytes));
    }

    protected static ContentHash tessera(int seed) {
        return hash(new byte[] {(byte) seed, (byte) (seed >> 8), 't'});
    }

    protected static FragmentId id(ContentHash tessera, int index, boolean parity, byte[] bytes) {
        return new FragmentId(tessera, index, parity, hash(bytes));
    }

    protected static byte[] array(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }
}
