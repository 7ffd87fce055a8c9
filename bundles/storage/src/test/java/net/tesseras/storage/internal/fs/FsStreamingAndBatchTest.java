package net.tesseras.storage.internal.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import net.tesseras.core.Blake3;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.database.Database;
import net.tesseras.database.DatabaseSettings;
import net.tesseras.database.Migration;
import net.tesseras.database.SqlWork;
import net.tesseras.storage.ChecksumMismatchException;
import net.tesseras.storage.FragmentBytes;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.FragmentStoreException;
import net.tesseras.storage.InsufficientStorageException;
import net.tesseras.storage.StoreStats;
import net.tesseras.storage.internal.db.DatabaseConfig;
import net.tesseras.storage.internal.db.SqliteDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the fs store does for large fragments, batches and counts, beyond the shared contract. */
class FsStreamingAndBatchTest {

    private static final int CHUNK = 64 * 1024;

    @TempDir
    Path dir;

    private SqliteDatabase db;
    private FsFragmentStore store;
    private final Random random = new Random(7);

    @BeforeEach
    void open() {
        db = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("db/tesseras.db")));
        store = FsFragmentStore.open("fs", dir.resolve("fragments"), db, 0, true);
    }

    @AfterEach
    void close() {
        store.close();
        db.close();
    }

    @Test
    void aLargeFragmentStreamsBackInSmallChunksWithItsChecksumCheckedAtTheEnd() throws Exception {
        long size = (64L << 20) + 123;
        ContentHash checksum = Blake3Hashing.hash(new Generated(size));
        FragmentId id = new FragmentId(tessera(1), 0, false, checksum);
        store.store(id, new Generated(size), size);

        Generated expected = new Generated(size);
        ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK);
        ByteBuffer want = ByteBuffer.allocate(CHUNK);
        Blake3 hasher = new Blake3();
        long total = 0;
        try (SeekableByteChannel channel = store.open(id.tessera(), 0).orElseThrow()) {
            assertEquals(size, channel.size());
            while (channel.read(chunk.clear()) >= 0) {
                chunk.flip();
                want.clear().limit(chunk.remaining());
                expected.read(want);
                assertEquals(want.flip(), chunk, "bytes at " + total);
                hasher.update(chunk);
                total += chunk.remaining();
            }
        }
        assertEquals(size, total);
        assertEquals(checksum, Blake3Hashing.finish(hasher));

        // One flipped byte near the end: every chunk before it is delivered, the read reaching the end fails.
        Path file = dir.resolve("fragments").resolve(id.tessera().toHex()).resolve("000.shard");
        try (RandomAccessFile raw = new RandomAccessFile(file.toFile(), "rw")) {
            raw.seek(size - 10);
            int b = raw.read();
            raw.seek(size - 10);
            raw.write(b ^ 0x40);
        }
        long delivered = 0;
        try (SeekableByteChannel channel = store.open(id.tessera(), 0).orElseThrow()) {
            IOException e = null;
            while (true) {
                try {
                    int n = channel.read(chunk.clear());
                    if (n < 0) {
                        break;
                    }
                    delivered += n;
                } catch (IOException x) {
                    e = x;
                    break;
                }
            }
            assertTrue(e != null, "a damaged fragment does not read to its end");
            assertTrue(e.getMessage().contains("fragment 0 of tessera " + id.tessera()), e.getMessage());
            assertTrue(e.getMessage().contains("damaged"), e.getMessage());
            assertTrue(delivered < size, "the bytes reaching the end were not delivered");
            assertThrows(IOException.class, () -> channel.read(chunk.clear()), "and it stays failed");
        }
        // A range read is not checked: it serves what is there.
        try (SeekableByteChannel channel = store.open(id.tessera(), 0).orElseThrow()) {
            channel.position(size - 100);
            assertEquals(100, channel.read(ByteBuffer.allocate(1000)));
        }
    }

    @Test
    void readOfAFragmentTooLargeForOneBufferSaysToUseOpenWhichServesIt() throws Exception {
        // A sparse file and its index row: the size check alone, without writing 2 GiB.
        long size = (1L << 31) + 16;
        ContentHash tessera = tessera(2);
        Path file = dir.resolve("fragments").resolve(tessera.toHex()).resolve("000.shard");
        Files.createDirectories(file.getParent());
        try (RandomAccessFile raw = new RandomAccessFile(file.toFile(), "rw")) {
            raw.setLength(size);
            raw.seek(size - 1);
            raw.write(0x5a);
        }
        FragmentId id = new FragmentId(tessera, 0, false, tessera(99));
        new FsIndex(db, "fs").put(new FragmentInfo(id, size, Instant.ofEpochMilli(1000), Optional.empty()),
                tessera.toHex() + "/000.shard");

        FragmentStoreException e = assertThrows(FragmentStoreException.class, () -> store.read(tessera, 0));
        assertTrue(e.getMessage().contains("fragment 0 of tessera " + tessera), e.getMessage());
        assertTrue(e.getMessage().contains("open()"), e.getMessage());
        try (SeekableByteChannel channel = store.open(tessera, 0).orElseThrow()) {
            assertEquals(size, channel.size());
            channel.position(size - 16);
            ByteBuffer tail = ByteBuffer.allocate(64);
            assertEquals(16, channel.read(tail));
            assertEquals(0x5a, tail.get(15));
            assertEquals(-1, channel.read(tail.clear()));
        }
        assertEquals(new StoreStats(1, 1, size), store.stats());
    }

    @Test
    void fragmentsAboveTheLargestSizeAreRefusedBeforeAnyByteIsRead() {
        FragmentId id = new FragmentId(tessera(3), 0, false, tessera(98));
        ReadableByteChannel untouchable = new ReadableByteChannel() {
            @Override
            public int read(ByteBuffer dst) {
                throw new AssertionError("read a fragment that is refused by its size");
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {}
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> store.store(id, untouchable, FragmentStore.MAX_FRAGMENT_SIZE + 1));
        assertTrue(e.getMessage().contains("fragment 0 of tessera " + id.tessera()), e.getMessage());
        assertTrue(e.getMessage().contains("4 GiB"), e.getMessage());
        assertEquals(new StoreStats(0, 0, 0), store.stats());
    }

    @Test
    void storeAllCommitsTheWholeBatchInOneIndexTransaction() {
        SqlFailingDatabase counting = new SqlFailingDatabase(db);
        FsFragmentStore batched = FsFragmentStore.open("batched", dir.resolve("batched"), counting, 0, true);
        try {
            List<FragmentBytes> batch = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                byte[] bytes = bytes(10_000 + i);
                batch.add(new FragmentBytes(new FragmentId(tessera(10 + i % 3), i, false, Blake3Hashing.hash(bytes)),
                        ByteBuffer.wrap(bytes)));
            }
            int before = counting.writes.get();
            batched.storeAll(batch);
            assertEquals(1, counting.writes.get() - before, "one index transaction for the batch");
            for (FragmentBytes f : batch) {
                assertEquals(f.data(), batched.read(f.id().tessera(), f.id().index()).orElseThrow());
            }
            assertEquals(new StoreStats(3, 12, batch.stream().mapToLong(f -> f.data().remaining()).sum()), batched.stats());
        } finally {
            batched.close();
        }
    }

    @Test
    void aBatchWhoseIndexTransactionFailsLeavesNoFileAndNamesItsFirstFragment() throws Exception {
        SqlFailingDatabase failing = new SqlFailingDatabase(db);
        FsFragmentStore full = FsFragmentStore.open("full", dir.resolve("full"), failing, 0, true);
        try {
            List<FragmentBytes> batch = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                byte[] bytes = bytes(2000);
                batch.add(new FragmentBytes(new FragmentId(tessera(20), i + 3, false, Blake3Hashing.hash(bytes)),
                        ByteBuffer.wrap(bytes)));
            }
            failing.failWritesWith(new org.sqlite.SQLiteException("[SQLITE_FULL] database or disk is full",
                    org.sqlite.SQLiteErrorCode.SQLITE_FULL));
            InsufficientStorageException e = assertThrows(InsufficientStorageException.class, () -> full.storeAll(batch));
            assertTrue(e.getMessage().contains("fragment 3 of tessera " + tessera(20)), e.getMessage());
            assertTrue(e.getMessage().contains("full"), e.getMessage());
            try (Stream<Path> files = Files.walk(dir.resolve("full"))) {
                assertEquals(List.of(), files.filter(Files::isRegularFile)
                        .filter(p -> !p.getFileName().toString().equals(VolumeIdentity.MARKER)).toList(),
                        "no shard, no temporary file");
            }
            failing.failWritesWith(null);
            assertEquals(4, full.storeAll(batch).size());
            assertEquals(new StoreStats(1, 4, 8000), full.stats());
        } finally {
            full.close();
        }
    }

    @Test
    void aBatchCutAtABadChecksumKeepsWhatCameBeforeAndWritesNothingAfter() throws Exception {
        List<FragmentBytes> batch = batch(tessera(50), 6, 5000);
        byte[] other = bytes(5000);
        FragmentId wrong = batch.get(3).id();
        batch.set(3, new FragmentBytes(wrong, ByteBuffer.wrap(other)));
        ChecksumMismatchException e = assertThrows(ChecksumMismatchException.class, () -> store.storeAll(batch));
        assertEquals(wrong, e.id());
        assertEquals(List.of(0, 1, 2), store.fragments(tessera(50)).stream().map(f -> f.id().index()).toList());
        assertEquals(List.of("000.shard", "001.shard", "002.shard"), filesOf(tessera(50)),
                "no file for the bad fragment or those after it, no temporary file");
        assertEquals(new StoreStats(1, 3, 15_000), store.stats());
    }

    @Test
    void badBytesUnderTheIdOfARepeatOrOfAHeldFragmentAreRefusedToo() throws Exception {
        List<FragmentBytes> batch = batch(tessera(56), 3, 1000);
        store.store(batch.get(2).id(), batch.get(2).data());
        byte[] other = bytes(1000);
        List<FragmentBytes> repeat = List.of(batch.get(0), new FragmentBytes(batch.get(0).id(), ByteBuffer.wrap(other)),
                batch.get(1));
        ChecksumMismatchException e = assertThrows(ChecksumMismatchException.class, () -> store.storeAll(repeat));
        assertEquals(batch.get(0).id(), e.id());
        assertEquals(List.of(0, 2), store.fragments(tessera(56)).stream().map(f -> f.id().index()).toList(),
                "the fragment before the bad repeat is stored, the one after it is not");
        List<FragmentBytes> held = List.of(batch.get(1), new FragmentBytes(batch.get(2).id(), ByteBuffer.wrap(other)));
        e = assertThrows(ChecksumMismatchException.class, () -> store.storeAll(held));
        assertEquals(batch.get(2).id(), e.id());
        assertArrayEquals(array(batch.get(2).data()), array(store.read(tessera(56), 2).orElseThrow()), "the held copy stays");
        assertEquals(List.of("000.shard", "001.shard", "002.shard"), filesOf(tessera(56)));
        assertEquals(new StoreStats(1, 3, 3000), store.stats());
    }

    @Test
    void aBatchThatWouldEatIntoTheFreeSpaceReserveIsCutAtTheFragmentThatCrossesIt() throws Exception {
        FsFragmentStore tight = FsFragmentStore.open("tight", dir.resolve("tight"), db, 500, true);
        try {
            tight.freeSpace(() -> 3000); // room for two fragments of 1000 bytes above the reserve of 500
            List<FragmentBytes> batch = batch(tessera(51), 4, 1000);
            InsufficientStorageException e = assertThrows(InsufficientStorageException.class, () -> tight.storeAll(batch));
            assertTrue(e.getMessage().contains("fragment 2 of tessera " + tessera(51)), e.getMessage());
            assertTrue(e.getMessage().contains("free.space.reserve.mb"), e.getMessage());
            assertEquals(List.of(0, 1), tight.fragments(tessera(51)).stream().map(f -> f.id().index()).toList());
            assertEquals(List.of("000.shard", "001.shard"), files(dir.resolve("tight").resolve(tessera(51).toHex())),
                    "no temporary file");
            assertEquals(new StoreStats(1, 2, 2000), tight.stats());
        } finally {
            tight.close();
        }
    }

    @Test
    void aBatchWhoseIndexWriteFailsNamesItsFirstNewFragmentAndKeepsWhatWasHeld() throws Exception {
        SqlFailingDatabase failing = new SqlFailingDatabase(db);
        FsFragmentStore broken = FsFragmentStore.open("broken", dir.resolve("broken"), failing, 0, false);
        try {
            List<FragmentBytes> batch = batch(tessera(52), 5, 3000);
            broken.store(batch.get(0).id(), batch.get(0).data());
            StoreStats before = broken.stats();
            failing.failWritesWith(new org.sqlite.SQLiteException("[SQLITE_IOERR] disk I/O error",
                    org.sqlite.SQLiteErrorCode.SQLITE_IOERR));
            FragmentStoreException e = assertThrows(FragmentStoreException.class, () -> broken.storeAll(batch));
            assertFalse(e instanceof InsufficientStorageException, "an I/O error is not a full disk: " + e);
            assertTrue(e.getMessage().contains("fragment 1 of tessera " + tessera(52)), e.getMessage());
            assertTrue(e.getMessage().contains("none of them was stored"), e.getMessage());
            failing.failWritesWith(null);
            assertEquals(before, broken.stats());
            assertEquals(List.of("000.shard"), files(dir.resolve("broken").resolve(tessera(52).toHex())),
                    "the fragment held before stays, the new ones left no file");
            assertArrayEquals(array(batch.get(0).data()), array(broken.read(tessera(52), 0).orElseThrow()));
        } finally {
            broken.close();
        }
    }

    @Test
    void aBatchOfRepeatsRepairsAndNewFragmentsKeepsTheCountsRight() throws Exception {
        List<FragmentBytes> batch = batch(tessera(53), 4, 2000);
        store.store(batch.get(0).id(), batch.get(0).data());
        store.store(batch.get(1).id(), batch.get(1).data());
        Path damaged = dir.resolve("fragments").resolve(tessera(53).toHex()).resolve("001.shard");
        Files.write(damaged, new byte[10]);
        List<FragmentBytes> withRepeats = new ArrayList<>(batch);
        withRepeats.add(batch.get(2));
        List<FragmentInfo> stored = store.storeAll(withRepeats);
        assertEquals(withRepeats.stream().map(FragmentBytes::id).toList(), stored.stream().map(FragmentInfo::id).toList());
        assertEquals(stored.get(2), stored.get(4), "a repeat within the batch is the same fragment");
        assertEquals(new StoreStats(1, 4, 8000), store.stats());
        assertEquals(new FsIndex(db, "fs").scan(), store.stats());
        assertArrayEquals(array(batch.get(1).data()), array(store.read(tessera(53), 1).orElseThrow()), "repaired");
        assertTrue(store.verify(tessera(53)).stream().allMatch(net.tesseras.storage.VerifyResult::ok));
    }

    @Test
    void reconcileAfterBatchesFindsFilesAndIndexInAgreementAndReindexesALostCommit() throws Exception {
        store.storeAll(batch(tessera(54), 24, 4000));
        store.storeAll(batch(tessera(55), 24, 4000));
        StoreStats held = store.stats();
        store.close();
        store = FsFragmentStore.open("fs", dir.resolve("fragments"), db, 0, true);
        assertTrue(store.reconcileReport().clean(), store.reconcileReport().toString());
        assertEquals(held, store.stats());
        // A crash after a batch's renames and before its commit: files in place, no rows.
        db.write(c -> {
            try (PreparedStatement p = c.prepareStatement("DELETE FROM fs_fragments WHERE store = 'fs' AND tessera = ?")) {
                p.setString(1, tessera(55).toHex());
                return p.executeUpdate();
            }
        });
        store.close();
        store = FsFragmentStore.open("fs", dir.resolve("fragments"), db, 0, true);
        assertEquals(24, store.reconcileReport().reindexed());
        assertEquals(held, store.stats());
        assertTrue(store.verify(tessera(55)).stream().allMatch(net.tesseras.storage.VerifyResult::ok));
    }

    @Test
    void concurrentBatchesOverSharedTesserasStoreEachFragmentOnce() throws Exception {
        List<List<FragmentBytes>> tesseras = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            tesseras.add(batch(tessera(60 + t), 16, 1000 + t));
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(6);
        try {
            List<java.util.concurrent.Future<List<FragmentInfo>>> futures = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (int t = 0; t < 4; t++) {
                    // Each batch takes half of two tesseras, so batches overlap in fragments and directories.
                    List<FragmentBytes> mixed = new ArrayList<>(tesseras.get(t).subList(round % 2 * 8, round % 2 * 8 + 8));
                    mixed.addAll(tesseras.get((t + 1) % 4).subList(0, 8));
                    java.util.Collections.shuffle(mixed, new Random(round * 4 + t));
                    futures.add(pool.submit(() -> store.storeAll(mixed)));
                }
            }
            for (var f : futures) {
                f.get(5, java.util.concurrent.TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        long bytes = tesseras.stream().mapToLong(b -> b.stream().mapToLong(f -> f.data().remaining()).sum()).sum();
        assertEquals(new StoreStats(4, 64, bytes), store.stats());
        assertEquals(new FsIndex(db, "fs").scan(), store.stats());
        for (int t = 0; t < 4; t++) {
            assertEquals(16, filesOf(tessera(60 + t)).size(), "one file per fragment, no temporary file");
        }
        store.close();
        store = FsFragmentStore.open("fs", dir.resolve("fragments"), db, 0, true);
        assertTrue(store.reconcileReport().clean(), store.reconcileReport().toString());
    }

    /** {@code count} fragments of {@code size} random bytes, indices 0 to count - 1 of one tessera. */
    private List<FragmentBytes> batch(ContentHash tessera, int count, int size) {
        List<FragmentBytes> batch = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] bytes = bytes(size);
            batch.add(new FragmentBytes(new FragmentId(tessera, i, false, Blake3Hashing.hash(bytes)), ByteBuffer.wrap(bytes)));
        }
        return batch;
    }

    private List<String> filesOf(ContentHash tessera) throws IOException {
        return files(dir.resolve("fragments").resolve(tessera.toHex()));
    }

    private static List<String> files(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static byte[] array(ByteBuffer buffer) {
        byte[] b = new byte[buffer.remaining()];
        buffer.duplicate().get(b);
        return b;
    }

    @Test
    void countsAreRecountedAtOpenAndFollowWhatReconcileReindexes() throws Exception {
        List<FragmentId> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            byte[] bytes = bytes(1000 * (i + 1));
            FragmentId id = new FragmentId(tessera(30 + i % 2), i, false, Blake3Hashing.hash(bytes));
            store.store(id, ByteBuffer.wrap(bytes));
            ids.add(id);
        }
        StoreStats held = new StoreStats(2, 6, 21_000);
        assertEquals(held, store.stats());
        // The index loses two rows (a damaged WAL) and the counts are wrong (as an older version left them).
        db.write(c -> {
            try (PreparedStatement p = c.prepareStatement("DELETE FROM fs_fragments WHERE store = 'fs' AND idx IN (1, 4)")) {
                p.executeUpdate();
            }
            try (PreparedStatement p = c.prepareStatement("UPDATE fs_store_counts SET fragments = 999 WHERE store = 'fs'")) {
                return p.executeUpdate();
            }
        });
        store.close();
        store = FsFragmentStore.open("fs", dir.resolve("fragments"), db, 0, true);
        assertEquals(2, store.reconcileReport().reindexed());
        assertEquals(held, store.stats(), "recounted at open, then kept by the re-indexing");
        assertEquals(new FsIndex(db, "fs").scan(), store.stats());
        store.delete(ids.get(0).tessera(), 0);
        store.delete(ids.get(2).tessera(), 2);
        store.delete(ids.get(4).tessera(), 4);
        assertEquals(new StoreStats(1, 3, 2000 + 4000 + 6000), store.stats());
        assertEquals(new FsIndex(db, "fs").scan(), store.stats());
    }

    @Test
    void anOpenChannelKeepsReadingTheFileItOpenedWhenTheFragmentIsDeleted() throws Exception {
        byte[] bytes = bytes(100_000);
        FragmentId id = new FragmentId(tessera(40), 0, false, Blake3Hashing.hash(bytes));
        store.store(id, ByteBuffer.wrap(bytes));
        try (SeekableByteChannel channel = store.open(id.tessera(), 0).orElseThrow()) {
            ByteBuffer first = ByteBuffer.allocate(1000);
            channel.read(first);
            assertTrue(store.delete(id.tessera(), 0));
            ByteBuffer rest = ByteBuffer.allocate(bytes.length);
            rest.put(first.flip());
            while (channel.read(rest) >= 0) {
                // to the end, checked against the checksum
            }
            assertArrayEquals(bytes, rest.array());
        }
        assertTrue(store.open(id.tessera(), 0).isEmpty());
    }

    @Test
    void pagesAndCountsAreKeyLookupsNotScans() {
        for (String query : List.of(FsIndex.PAGE, FsIndex.COUNTS)) {
            String plan = db.read(c -> {
                StringBuilder out = new StringBuilder();
                try (var rs = c.createStatement().executeQuery("EXPLAIN QUERY PLAN " + query
                        .replaceFirst("\\?", "'fs'").replaceFirst("\\?", "''").replaceFirst("\\?", "10"))) {
                    while (rs.next()) {
                        out.append(rs.getString("detail")).append('\n');
                    }
                }
                return out.toString();
            });
            assertTrue(plan.contains("SEARCH") && !plan.contains("SCAN"), query + ":\n" + plan);
        }
    }

    /** Deterministic pseudo-random bytes of a given length, produced as they are read. */
    private static final class Generated implements ReadableByteChannel {
        private final long size;
        private long position;
        private final byte[] block = new byte[4093];

        Generated(long size) {
            this.size = size;
            new Random(size).nextBytes(block);
        }

        @Override
        public int read(ByteBuffer dst) {
            if (position >= size) {
                return -1;
            }
            int n = (int) Math.min(dst.remaining(), size - position);
            for (int i = 0; i < n; i++) {
                long p = position + i;
                dst.put((byte) (block[(int) (p % block.length)] ^ (p / block.length)));
            }
            position += n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {}
    }

    /** Counts the write transactions asked of a database. */
    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static ContentHash tessera(int seed) {
        return Blake3Hashing.hash(new byte[] {(byte) seed, 's'});
    }
}
