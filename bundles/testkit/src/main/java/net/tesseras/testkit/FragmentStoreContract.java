package net.tesseras.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import net.tesseras.core.Blake3;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.storage.ChecksumMismatchException;
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
