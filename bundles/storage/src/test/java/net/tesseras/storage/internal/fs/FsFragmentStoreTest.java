package net.tesseras.storage.internal.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.storage.ChecksumMismatchException;
import net.tesseras.storage.FragmentConflictException;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.FragmentStoreException;
import net.tesseras.storage.InsufficientStorageException;
import net.tesseras.storage.StoreStats;
import net.tesseras.storage.VerifyResult;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.storage.internal.db.DatabaseConfig;
import net.tesseras.storage.internal.db.SqliteDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FsFragmentStoreTest {

    @TempDir
    Path dir;

    private SqliteDatabase db;
    private FsFragmentStore store;
    private final Random random = new Random(42);

    @BeforeEach
    void open() {
        db = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("db/tesseras.db")));
        store = FsFragmentStore.open("fs", dir.resolve("fragments"), db, 0, true);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void storesReadsAndListsAFragment() {
        byte[] bytes = bytes(5000);
        FragmentId id = id(tessera(1), 3, false, bytes);
        FragmentInfo info = store.store(id, ByteBuffer.wrap(bytes));
        assertEquals(id, info.id());
        assertEquals(5000, info.size());

        ByteBuffer read = store.read(id.tessera(), 3).orElseThrow();
        assertTrue(read.isReadOnly());
        assertEquals(0, read.position());
        assertArrayEquals(bytes, toArray(read));
        assertEquals(List.of(info.id()), store.fragments(id.tessera()).stream().map(FragmentInfo::id).toList());
        assertEquals(List.of(id.tessera()), store.tesseras());
        assertEquals(new StoreStats(1, 1, 5000), store.stats());
    }

    @Test
    void layoutIsTesseraHexSlashThreeDigitIndex() {
        byte[] bytes = bytes(10);
        FragmentId id = id(tessera(2), 7, true, bytes);
        store.store(id, ByteBuffer.wrap(bytes));
        Path file = dir.resolve("fragments").resolve(id.tessera().toHex()).resolve("007.shard");
        assertTrue(Files.isRegularFile(file), file + " exists");
        assertTrue(store.fragments(id.tessera()).get(0).id().parity());
    }

    @Test
    void refusesBytesThatDoNotMatchTheChecksumAndKeepsNothing() {
        byte[] bytes = bytes(100);
        FragmentId id = new FragmentId(tessera(3), 0, false, Blake3Hashing.hash(bytes(100)));
        ChecksumMismatchException e = assertThrows(ChecksumMismatchException.class,
                () -> store.store(id, ByteBuffer.wrap(bytes)));
        assertEquals(Blake3Hashing.hash(bytes), e.actual());
        assertThrows(ChecksumMismatchException.class,
                () -> store.store(id, Channels.newChannel(new ByteArrayInputStream(bytes)), bytes.length));
        assertTrue(store.read(id.tessera(), 0).isEmpty());
        assertEquals(new StoreStats(0, 0, 0), store.stats());
        assertNoTemporaryFiles();
    }

    @Test
    void storingTheSameFragmentTwiceIsANoOp() {
        byte[] bytes = bytes(100);
        FragmentId id = id(tessera(4), 0, false, bytes);
        FragmentInfo first = store.store(id, ByteBuffer.wrap(bytes));
        FragmentInfo second = store.store(id, ByteBuffer.wrap(bytes));
        assertEquals(first, second);
        assertEquals(1, store.stats().fragments());
    }

    @Test
    void refusesDifferentBytesAtAnOccupiedIndex() {
        byte[] bytes = bytes(100);
        byte[] other = bytes(100);
        ContentHash tessera = tessera(5);
        store.store(id(tessera, 0, false, bytes), ByteBuffer.wrap(bytes));
        assertThrows(FragmentConflictException.class,
                () -> store.store(id(tessera, 0, false, other), ByteBuffer.wrap(other)));
        assertArrayEquals(bytes, toArray(store.read(tessera, 0).orElseThrow()), "the first fragment is kept");
    }

    @Test
    void streamsLargeFragmentsAndChecksTheirLength() {
        byte[] bytes = bytes(3 * 1024 * 1024 + 17);
        FragmentId id = id(tessera(6), 1, false, bytes);
        store.store(id, Channels.newChannel(new ByteArrayInputStream(bytes)), bytes.length);
        assertArrayEquals(bytes, toArray(store.read(id.tessera(), 1).orElseThrow()));

        FragmentId shortOne = id(tessera(6), 2, false, bytes);
        assertThrows(FragmentStoreException.class, () -> store.store(shortOne,
                Channels.newChannel(new ByteArrayInputStream(bytes, 0, 1000)), bytes.length));
        assertThrows(FragmentStoreException.class, () -> store.store(shortOne,
                Channels.newChannel(new ByteArrayInputStream(bytes)), bytes.length - 1));
        assertTrue(store.read(id.tessera(), 2).isEmpty());
        assertNoTemporaryFiles();
    }

    @Test
    void deleteRemovesFileAndRow() {
        byte[] bytes = bytes(100);
        FragmentId id = id(tessera(7), 0, false, bytes);
        store.store(id, ByteBuffer.wrap(bytes));
        assertTrue(store.delete(id.tessera(), 0));
        assertFalse(store.delete(id.tessera(), 0));
        assertTrue(store.read(id.tessera(), 0).isEmpty());
        assertTrue(store.fragments(id.tessera()).isEmpty());
    }

    @Test
    void verifyFindsCorruptAndMissingFragments() throws Exception {
        ContentHash tessera = tessera(8);
        for (int i = 0; i < 3; i++) {
            byte[] bytes = bytes(1000);
            store.store(id(tessera, i, false, bytes), ByteBuffer.wrap(bytes));
        }
        Path dirOfTessera = dir.resolve("fragments").resolve(tessera.toHex());
        Files.write(dirOfTessera.resolve("001.shard"), bytes(1000));
        Files.delete(dirOfTessera.resolve("002.shard"));

        List<VerifyResult> results = store.verify(tessera);
        assertEquals(List.of(VerifyResult.Status.OK, VerifyResult.Status.CORRUPT, VerifyResult.Status.MISSING),
                results.stream().map(VerifyResult::status).toList());
        assertTrue(store.fragments(tessera).get(0).lastVerified().isPresent());
        assertTrue(store.fragments(tessera).get(1).lastVerified().isEmpty());
    }

    @Test
    void storingAMissingFragmentAgainRepairsIt() throws Exception {
        byte[] bytes = bytes(1000);
        FragmentId id = id(tessera(9), 0, false, bytes);
        store.store(id, ByteBuffer.wrap(bytes));
        Files.delete(dir.resolve("fragments").resolve(id.tessera().toHex()).resolve("000.shard"));
        store.store(id, ByteBuffer.wrap(bytes));
        assertEquals(VerifyResult.Status.OK, store.verify(id.tessera()).get(0).status());
    }

    @Test
    void rejectsIndicesOutsideTheU16Range() {
        assertThrows(IllegalArgumentException.class, () -> store.read(tessera(1), 65536));
        assertThrows(IllegalArgumentException.class, () -> store.read(tessera(1), -1));
        assertThrows(IllegalArgumentException.class, () -> store.delete(tessera(1), 70000));
    }

    @Test
    void refusesStoresThatWouldEatIntoTheFreeSpaceReserve() {
        FsFragmentStore tight = FsFragmentStore.open("tight", dir.resolve("tight"), db, Long.MAX_VALUE / 2, true);
        byte[] bytes = bytes(10);
        InsufficientStorageException e = assertThrows(InsufficientStorageException.class,
                () -> tight.store(id(tessera(1), 0, false, bytes), ByteBuffer.wrap(bytes)));
        assertTrue(e.getMessage().contains("free"), e.getMessage());
        assertEquals(0, tight.stats().fragments());
    }

    @Test
    void twoStoresShareTheDatabaseButNotTheirIndex() {
        FsFragmentStore other = FsFragmentStore.open("other", dir.resolve("other"), db, 0, true);
        byte[] bytes = bytes(10);
        store.store(id(tessera(1), 0, false, bytes), ByteBuffer.wrap(bytes));
        assertEquals(0, other.stats().fragments());
        assertTrue(other.read(tessera(1), 0).isEmpty());
    }

    @Test
    void reconcileRemovesTemporaryFilesQuarantinesOrphansAndKeepsMissingRows() throws Exception {
        ContentHash tessera = tessera(10);
        byte[] kept = bytes(100);
        byte[] lost = bytes(100);
        store.store(id(tessera, 0, false, kept), ByteBuffer.wrap(kept));
        store.store(id(tessera, 1, false, lost), ByteBuffer.wrap(lost));
        Path tesseraDir = dir.resolve("fragments").resolve(tessera.toHex());
        // A crash mid-write, a crash between rename and index commit, and a lost file.
        Files.write(tesseraDir.resolve(".002.shard.1234.tmp"), bytes(10));
        Files.write(tesseraDir.resolve("003.shard"), bytes(10));
        Files.delete(tesseraDir.resolve("001.shard"));
        Files.write(tesseraDir.resolve("notes.txt"), bytes(3));

        FsFragmentStore reopened = FsFragmentStore.open("fs", dir.resolve("fragments"), db, 0, true);
        assertEquals(new ReconcileReport(1, 1, 1, 1), reopened.reconcileReport());
        assertFalse(Files.exists(tesseraDir.resolve(".002.shard.1234.tmp")));
        assertFalse(Files.exists(tesseraDir.resolve("003.shard")));
        assertTrue(Files.exists(dir.resolve("fragments/lost+found").resolve(tessera.toHex()).resolve("003.shard")));
        assertEquals(2, reopened.fragments(tessera).size(), "the row of the lost file is kept for verify to report");
        assertArrayEquals(kept, toArray(reopened.read(tessera, 0).orElseThrow()));
        assertEquals(new ReconcileReport(0, 0, 1, 1),
                FsFragmentStore.open("fs", dir.resolve("fragments"), db, 0, true).reconcileReport());
    }

    @Test
    void aDirectoryThatAnotherDatabaseIndexesIsRefusedUntouched() throws Exception {
        byte[] bytes = bytes(100);
        store.store(id(tessera(20), 0, false, bytes), ByteBuffer.wrap(bytes));
        try (SqliteDatabase other = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("db/other.db")))) {
            FragmentStoreException e = assertThrows(FragmentStoreException.class,
                    () -> FsFragmentStore.open("fs", dir.resolve("fragments"), other, 0, true));
            assertTrue(e.getMessage().contains("never indexed"), e.getMessage());
        }
        assertArrayEquals(bytes, toArray(store.read(tessera(20), 0).orElseThrow()), "nothing was moved");
        assertFalse(Files.exists(dir.resolve("fragments/lost+found")));
    }

    @Test
    void anIndexPointedAtAnotherDirectoryIsRefused() throws Exception {
        byte[] bytes = bytes(100);
        store.store(id(tessera(21), 0, false, bytes), ByteBuffer.wrap(bytes));
        Files.createDirectories(dir.resolve("unmounted"));
        FragmentStoreException e = assertThrows(FragmentStoreException.class,
                () -> FsFragmentStore.open("fs", dir.resolve("unmounted"), db, 0, true));
        assertTrue(e.getMessage().contains("is the volume mounted?"), e.getMessage());
        assertEquals(1, store.stats().fragments(), "the index is unchanged");
    }

    @Test
    void fragmentDirectoriesWithoutAVolumeMarkerAreNotAdopted() throws Exception {
        Files.createDirectories(dir.resolve("foreign").resolve(tessera(22).toHex()));
        FragmentStoreException e = assertThrows(FragmentStoreException.class,
                () -> FsFragmentStore.open("foreign", dir.resolve("foreign"), db, 0, true));
        assertTrue(e.getMessage().contains("refusing to adopt"), e.getMessage());
    }

    @Test
    void survivesReopeningWithEveryFragment() {
        List<FragmentId> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            byte[] bytes = bytes(200 + i);
            FragmentId id = id(tessera(100 + i % 4), i, i % 3 == 0, bytes);
            store.store(id, ByteBuffer.wrap(bytes));
            ids.add(id);
        }
        db.close();
        db = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("db/tesseras.db")));
        FsFragmentStore reopened = FsFragmentStore.open("fs", dir.resolve("fragments"), db, 0, true);
        assertTrue(reopened.reconcileReport().clean());
        for (FragmentId id : ids) {
            assertTrue(reopened.verify(id.tessera()).stream().allMatch(VerifyResult::ok));
        }
        assertEquals(20, reopened.stats().fragments());
        assertEquals(4, reopened.stats().tesseras());
    }

    @Test
    void concurrentWritersAndReadersAgree() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> futures = new ArrayList<>();
            List<byte[]> payloads = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                payloads.add(bytes(4096));
            }
            ContentHash tessera = tessera(200);
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < payloads.size(); i++) {
                    int index = i;
                    futures.add(pool.submit(() -> store.store(id(tessera, index, false, payloads.get(index)),
                            ByteBuffer.wrap(payloads.get(index)))));
                    futures.add(pool.submit(() -> store.read(tessera, index)
                            .ifPresent(b -> assertArrayEquals(payloads.get(index), toArray(b)))));
                }
            }
            for (Future<?> f : futures) {
                f.get();
            }
            assertEquals(64, store.stats().fragments());
            assertTrue(store.verify(tessera).stream().allMatch(VerifyResult::ok));
            assertNoTemporaryFiles();
        } finally {
            pool.shutdownNow();
        }
    }

    private void assertNoTemporaryFiles() {
        try (Stream<Path> files = Files.walk(dir.resolve("fragments"))) {
            assertEquals(List.of(), files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static ContentHash tessera(int seed) {
        return Blake3Hashing.hash(new byte[] {(byte) seed, (byte) (seed >> 8)});
    }

    private static FragmentId id(ContentHash tessera, int index, boolean parity, byte[] bytes) {
        return new FragmentId(tessera, index, parity, Blake3Hashing.hash(bytes));
    }

    private static byte[] toArray(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
