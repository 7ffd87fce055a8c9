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
    void reconcileRemovesTemporaryFilesReindexesOrphansAndKeepsMissingRows() throws Exception {
        ContentHash tessera = tessera(10);
        byte[] kept = bytes(100);
        byte[] lost = bytes(100);
        byte[] orphan = bytes(10);
        store.store(id(tessera, 0, false, kept), ByteBuffer.wrap(kept));
        store.store(id(tessera, 1, false, lost), ByteBuffer.wrap(lost));
        Path tesseraDir = dir.resolve("fragments").resolve(tessera.toHex());
        // A crash mid-write, a crash between rename and index commit, and a lost file.
        Files.write(tesseraDir.resolve(".002.shard.1234.tmp"), bytes(10));
        Files.write(tesseraDir.resolve("003.shard"), orphan);
        Files.delete(tesseraDir.resolve("001.shard"));
        Files.write(tesseraDir.resolve("notes.txt"), bytes(3));

        FsFragmentStore reopened = FsFragmentStore.open("fs", dir.resolve("fragments"), db, 0, true);
        assertEquals(new ReconcileReport(1, 1, 0, 1, 0, 1), reopened.reconcileReport());
        assertFalse(Files.exists(tesseraDir.resolve(".002.shard.1234.tmp")));
        assertArrayEquals(orphan, toArray(reopened.read(tessera, 3).orElseThrow()), "the whole orphan is indexed again");
        assertEquals(Blake3Hashing.hash(orphan), reopened.fragments(tessera).get(2).id().checksum());
        assertFalse(Files.exists(dir.resolve("fragments/lost+found")));
        assertEquals(3, reopened.fragments(tessera).size(), "the row of the lost file is kept for verify to report");
        assertArrayEquals(kept, toArray(reopened.read(tessera, 0).orElseThrow()));
        assertEquals(new ReconcileReport(0, 0, 0, 1, 0, 1),
                FsFragmentStore.open("fs", dir.resolve("fragments"), db, 0, true).reconcileReport());
    }

    @Test
    void strayEntriesAreLeftAloneAndCountedNeverFatal() throws Exception {
        byte[] bytes = bytes(100);
        FragmentId id = id(tessera(11), 0, false, bytes);
        store.store(id, ByteBuffer.wrap(bytes));
        Path root = dir.resolve("fragments");
        Path tesseraDir = root.resolve(id.tessera().toHex());
        // Character.isDigit and Character.digit accept FULLWIDTH DIGIT ZERO (U+FF10).
        Path fullwidth = Files.createDirectories(root.resolve("\uFF10".repeat(64)));
        Files.write(fullwidth.resolve("000.shard"), bytes(5));
        Path temporaryDirectory = Files.createDirectories(tesseraDir.resolve(".x.tmp"));
        Files.write(temporaryDirectory.resolve("inside"), bytes(5));
        Files.createDirectories(tesseraDir.resolve("004.shard"));
        Files.createDirectories(root.resolve(id.tessera().toHex().toUpperCase()));
        Files.write(root.resolve("README"), bytes(5));
        Files.write(tesseraDir.resolve(".notes.tmp"), bytes(5));

        FsFragmentStore reopened = FsFragmentStore.open("fs", root, db, 0, true);
        assertEquals(new ReconcileReport(0, 0, 0, 0, 0, 6), reopened.reconcileReport());
        assertTrue(reopened.toString().contains("6 unknown entries left alone"), reopened.toString());
        assertTrue(Files.isRegularFile(tesseraDir.resolve(".notes.tmp")), "only this store's temporary names are removed");
        assertArrayEquals(bytes, toArray(reopened.read(id.tessera(), 0).orElseThrow()));
        assertTrue(Files.isRegularFile(temporaryDirectory.resolve("inside")), "nothing it does not understand is touched");
        assertTrue(Files.isRegularFile(fullwidth.resolve("000.shard")));
        assertEquals(1, reopened.stats().fragments());
    }

    @Test
    void fragmentsTheIndexLostAreReindexedFromTheirWholeFiles() throws Exception {
        List<FragmentId> ids = new ArrayList<>();
        List<byte[]> contents = new ArrayList<>();
        ContentHash tessera = tessera(12);
        for (int i = 0; i < 24; i++) {
            byte[] bytes = bytes(300 + i);
            FragmentId id = id(tessera, i, i >= 16, bytes);
            store.store(id, ByteBuffer.wrap(bytes));
            ids.add(id);
            contents.add(bytes);
        }
        // What a damaged database does to acknowledged fragments: their rows are gone.
        db.write(c -> c.createStatement().executeUpdate("DELETE FROM fs_fragments WHERE idx >= 12"));
        store.close();

        FsFragmentStore reopened = FsFragmentStore.open("fs", dir.resolve("fragments"), db, 0, true);
        assertEquals(12, reopened.reconcileReport().reindexed());
        assertTrue(reopened.toString().contains("ERROR at start: 12 fragment(s) missing from the index re-indexed"),
                reopened.toString());
        for (int i = 0; i < ids.size(); i++) {
            assertArrayEquals(contents.get(i), toArray(reopened.read(tessera, i).orElseThrow()));
        }
        assertEquals(ids, reopened.fragments(tessera).stream().map(FragmentInfo::id).toList(),
                "checksums from the bytes, parity from the rows that survived");
        assertTrue(reopened.verify(tessera).stream().allMatch(VerifyResult::ok));
        assertFalse(Files.exists(dir.resolve("fragments/lost+found")));
        assertTrue(FsFragmentStore.open("fs", dir.resolve("fragments"), db, 0, true).reconcileReport().clean());
    }

    @Test
    void aCorruptOrTruncatedWalLosesNoAcknowledgedFragment() throws Exception {
        for (boolean truncate : new boolean[] {true, false}) {
            Path base = Files.createDirectories(dir.resolve(truncate ? "truncated" : "flipped"));
            Path dbFile = base.resolve("db/tesseras.db");
            Path root = base.resolve("fragments");
            List<FragmentId> ids = new ArrayList<>();
            List<byte[]> contents = new ArrayList<>();
            long walBefore;
            Path image = Files.createDirectories(base.resolve("image"));
            try (SqliteDatabase live = SqliteDatabase.open(DatabaseConfig.file(dbFile))) {
                FsFragmentStore fs = FsFragmentStore.open("fs", root, live, 0, true);
                walBefore = Files.size(Path.of(dbFile + "-wal"));
                for (int i = 0; i < 12; i++) {
                    byte[] bytes = bytes(1000 + i);
                    FragmentId id = id(tessera(300 + i % 3), i, false, bytes);
                    fs.store(id, ByteBuffer.wrap(bytes));
                    ids.add(id);
                    contents.add(bytes);
                }
                // The state a kill -9 leaves: the database file and its WAL, not checkpointed.
                Files.copy(dbFile, image.resolve("tesseras.db"));
                Files.copy(Path.of(dbFile + "-wal"), image.resolve("tesseras.db-wal"));
                fs.close();
            }
            Path wal = image.resolve("tesseras.db-wal");
            long walAfter = Files.size(wal);
            assertTrue(walAfter > walBefore, "the fragments' rows are in the WAL");
            long cut = walBefore + (walAfter - walBefore) / 3;
            if (truncate) {
                try (var channel = java.nio.channels.FileChannel.open(wal, java.nio.file.StandardOpenOption.WRITE)) {
                    channel.truncate(cut);
                }
            } else {
                byte[] walBytes = Files.readAllBytes(wal);
                walBytes[(int) cut] ^= 0x10;
                Files.write(wal, walBytes);
            }
            try (SqliteDatabase damaged = SqliteDatabase.open(DatabaseConfig.file(image.resolve("tesseras.db")))) {
                FsFragmentStore reopened = FsFragmentStore.open("fs", root, damaged, 0, true);
                assertTrue(reopened.reconcileReport().reindexed() > 0, "the WAL lost rows: " + reopened.reconcileReport());
                for (int i = 0; i < ids.size(); i++) {
                    assertArrayEquals(contents.get(i), toArray(reopened.read(ids.get(i).tessera(), i).orElseThrow()));
                }
                assertEquals(12, reopened.stats().fragments());
                for (ContentHash t : reopened.tesseras()) {
                    assertTrue(reopened.verify(t).stream().allMatch(VerifyResult::ok));
                }
                assertFalse(Files.exists(root.resolve("lost+found")));
                reopened.close();
            }
        }
    }

    @Test
    void filesEarlierVersionsMovedToLostAndFoundAreRecovered() throws Exception {
        ContentHash tessera = tessera(13);
        byte[] unindexed = bytes(200);
        byte[] missing = bytes(300);
        byte[] held = bytes(400);
        store.store(id(tessera, 1, false, missing), ByteBuffer.wrap(missing));
        store.store(id(tessera, 2, false, held), ByteBuffer.wrap(held));
        Path root = dir.resolve("fragments");
        Path quarantine = Files.createDirectories(root.resolve("lost+found").resolve(tessera.toHex()));
        Files.write(quarantine.resolve("000.shard"), unindexed);
        Files.move(root.resolve(tessera.toHex()).resolve("001.shard"), quarantine.resolve("001.shard"));
        Files.write(quarantine.resolve("002.shard"), bytes(10));
        Files.write(quarantine.resolve("junk"), bytes(10));

        FsFragmentStore reopened = FsFragmentStore.open("fs", root, db, 0, true);
        assertEquals(2, reopened.reconcileReport().recoveredFromLostAndFound());
        assertEquals(1, reopened.reconcileReport().reindexed());
        assertEquals(0, reopened.reconcileReport().missingFiles());
        assertArrayEquals(unindexed, toArray(reopened.read(tessera, 0).orElseThrow()));
        assertArrayEquals(missing, toArray(reopened.read(tessera, 1).orElseThrow()));
        assertArrayEquals(held, toArray(reopened.read(tessera, 2).orElseThrow()));
        assertTrue(reopened.verify(tessera).stream().allMatch(VerifyResult::ok));
        assertTrue(Files.exists(quarantine.resolve("002.shard")), "a copy of a fragment held whole stays");
        assertTrue(Files.exists(quarantine.resolve("junk")));
    }

    @Test
    void aTruncatedShardIsReportedAtStartAndNeverServed() throws Exception {
        byte[] bytes = bytes(1000);
        FragmentId id = id(tessera(14), 0, false, bytes);
        store.store(id, ByteBuffer.wrap(bytes));
        Path file = dir.resolve("fragments").resolve(id.tessera().toHex()).resolve("000.shard");
        Files.write(file, java.util.Arrays.copyOf(bytes, 500));

        FsFragmentStore reopened = FsFragmentStore.open("fs", dir.resolve("fragments"), db, 0, true);
        assertEquals(new ReconcileReport(0, 0, 0, 0, 1, 0), reopened.reconcileReport());
        assertTrue(reopened.toString().contains("ERROR at start: 1 fragment file(s) whose size differs"), reopened.toString());
        FragmentStoreException e = assertThrows(FragmentStoreException.class, () -> reopened.read(id.tessera(), 0));
        assertTrue(e.getMessage().contains("500 bytes long but the index records 1000"), e.getMessage());
        assertEquals(VerifyResult.Status.CORRUPT, reopened.verify(id.tessera()).get(0).status());
    }

    @Test
    void readsRefuseBytesThatFailTheirChecksum() throws Exception {
        byte[] bytes = bytes(1000);
        FragmentId id = id(tessera(15), 4, false, bytes);
        store.store(id, ByteBuffer.wrap(bytes));
        byte[] flipped = bytes.clone();
        flipped[10] ^= 1;
        Files.write(dir.resolve("fragments").resolve(id.tessera().toHex()).resolve("004.shard"), flipped);
        FragmentStoreException e = assertThrows(FragmentStoreException.class, () -> store.read(id.tessera(), 4));
        assertTrue(e.getMessage().contains("fragment 4 of tessera " + id.tessera() + " is damaged"), e.getMessage());
        assertTrue(e.getMessage().contains("Storing the fragment again"), e.getMessage());
        store.store(id, ByteBuffer.wrap(bytes));
        assertArrayEquals(bytes, toArray(store.read(id.tessera(), 4).orElseThrow()));
    }

    @Test
    void aFullDiskWhileIndexingSaysSoAndLeavesNothingBehind() throws Exception {
        SqlFailingDatabase failing = new SqlFailingDatabase(db);
        FsFragmentStore full = FsFragmentStore.open("full", dir.resolve("full"), failing, 0, true);
        byte[] bytes = bytes(1000);
        FragmentId id = id(tessera(16), 7, false, bytes);
        failing.failWritesWith(new org.sqlite.SQLiteException("[SQLITE_FULL] database or disk is full",
                org.sqlite.SQLiteErrorCode.SQLITE_FULL));
        InsufficientStorageException e = assertThrows(InsufficientStorageException.class,
                () -> full.store(id, ByteBuffer.wrap(bytes)));
        assertTrue(e.getMessage().contains("fragment 7 of tessera " + id.tessera()), e.getMessage());
        assertTrue(e.getMessage().contains("full"), e.getMessage());
        assertThrows(InsufficientStorageException.class,
                () -> full.store(id, Channels.newChannel(new ByteArrayInputStream(bytes)), bytes.length));
        try (Stream<Path> files = Files.walk(dir.resolve("full"))) {
            assertEquals(List.of(), files.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().equals(VolumeIdentity.MARKER)).toList(),
                    "no shard, no temporary file");
        }
        failing.failWritesWith(null);
        FsFragmentStore reopened = FsFragmentStore.open("full", dir.resolve("full"), db, 0, true);
        assertTrue(reopened.reconcileReport().clean(), reopened.reconcileReport().toString());
        assertTrue(reopened.read(id.tessera(), 7).isEmpty());
        reopened.store(id, ByteBuffer.wrap(bytes));
        assertArrayEquals(bytes, toArray(reopened.read(id.tessera(), 7).orElseThrow()));
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
