package net.tesseras.tessera.internal;

import net.tesseras.testkit.TestIdentity;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import net.tesseras.common.internal.ForwardingFragmentStore;
import net.tesseras.core.FragmentId;
import net.tesseras.erasure.ErasureCoder;
import net.tesseras.identity.NodeIdentity;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.FragmentStoreException;
import net.tesseras.storage.internal.db.DatabaseConfig;
import net.tesseras.storage.internal.db.SqliteDatabase;
import net.tesseras.storage.internal.fs.FsFragmentStore;
import net.tesseras.tessera.ExportResult;
import net.tesseras.tessera.TesseraDetails;
import net.tesseras.tessera.TesseraException;
import net.tesseras.tessera.TesseraInfo;
import net.tesseras.tessera.TesseraNotFoundException;
import net.tesseras.tessera.TesseraProgress;
import net.tesseras.tessera.TesseraVerification;
import net.tesseras.tessera.Tier;
import net.tesseras.tessera.internal.erasure.ReedSolomonCoder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tessera service end to end on one node, with the real SQLite database, fs store and
 * Reed-Solomon coder: what a person does with tesseras and what must survive faults.
 */
class NodeTesserasTest {

    @TempDir
    Path dir;

    private SqliteDatabase db;
    private FsFragmentStore fs;
    private FragmentStore store;
    private final NodeIdentity identity = new TestIdentity();
    private final ErasureCoder coder = new ReedSolomonCoder();
    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private NodeTesseras tesseras;
    private Path photos;

    @BeforeEach
    void open() throws IOException {
        db = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("data/db/tesseras.db")));
        fs = FsFragmentStore.open("fs", dir.resolve("data/fragments"), db, 0, true);
        store = fs;
        tesseras = service();
        photos = dir.resolve("home/photos");
        Files.createDirectories(photos.resolve("2020/summer"));
        Files.writeString(photos.resolve("note.txt"), "hello world");
        Files.write(photos.resolve("2020/summer/beach photo.jpg"), random(1, 300_000));
        Files.write(photos.resolve("2020/voice.wav"), random(2, 20_000));
    }

    @AfterEach
    void close() {
        executor.shutdownNow();
        fs.close();
        db.close();
    }

    private NodeTesseras service() {
        NodeTesseras t = new NodeTesseras(new TesseraTable(db), Collaborators.fixed(store, identity, coder), dir.resolve("data/tmp"),
                new WriterLimits(2, 8L << 20), executor, Clock.fixed(Instant.parse("2026-11-30T12:00:00.750Z"), ZoneOffset.UTC));
        t.recover();
        return t;
    }

    private static byte[] random(long seed, int size) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @Test
    void aDirectoryBecomesASmallTesseraThatVerifiesExportsAndDeletes() throws IOException {
        TesseraInfo info = tesseras.create(List.of(photos), TesseraProgress.NONE);

        assertEquals(Tier.SMALL, info.tier());
        assertEquals(3, info.files());
        assertEquals(Instant.parse("2026-11-30T12:00:00Z"), info.created());
        assertEquals(List.of(info), tesseras.list(null, 10));
        assertEquals(info, tesseras.resolve(info.hash().toHex().substring(0, 6)));
        assertEquals(1, store.fragments(info.hash()).size());

        TesseraDetails details = tesseras.show(info.hash());
        assertEquals(3, details.manifest().entries().size());
        assertEquals(1, details.held());
        assertTrue(details.plan().verifies());

        TesseraVerification verification = tesseras.verify(info.hash(), TesseraProgress.NONE);
        assertTrue(verification.passed(), verification.toString());

        Path out = dir.resolve("restored");
        ExportResult exported = tesseras.export(info.hash(), out, TesseraProgress.NONE);
        assertEquals(3, exported.files());
        assertSameFiles(photos, out);

        assertTrue(tesseras.delete(info.hash()));
        assertTrue(store.fragments(info.hash()).isEmpty());
        assertTrue(tesseras.list(null, 10).isEmpty());
        assertFalse(tesseras.delete(info.hash()));
        assertThrows(TesseraNotFoundException.class, () -> tesseras.verify(info.hash(), TesseraProgress.NONE));
    }

    @Test
    void aMediumTesseraSurvivesTheLossOfAsManyFragmentsAsItHasParity() throws IOException {
        Files.write(photos.resolve("film.webm"), random(3, 10 << 20));
        TesseraInfo info = tesseras.create(List.of(photos), TesseraProgress.NONE);
        assertEquals(Tier.MEDIUM, info.tier());
        assertEquals(24, store.fragments(info.hash()).size());

        for (int index : new int[] {0, 2, 3, 5, 8, 11, 13, 15}) {
            assertTrue(store.delete(info.hash(), index));
        }
        TesseraVerification verification = tesseras.verify(info.hash(), TesseraProgress.NONE);
        assertFalse(verification.passed());
        long missing = verification.checks().stream().filter(c -> !c.passed() && c.detail().contains("missing")).count();
        assertEquals(8, missing, verification.toString());
        assertTrue(verification.checks().stream().anyMatch(c -> c.part().equals("rebuild") && c.passed()),
                verification.toString());

        Path out = dir.resolve("restored");
        ExportResult exported = tesseras.export(info.hash(), out, TesseraProgress.NONE);
        assertEquals(List.of(0, 2, 3, 5, 8, 11, 13, 15), exported.unusableFragments());
        assertSameFiles(photos, out);

        assertTrue(store.delete(info.hash(), 16));
        TesseraException tooFew = assertThrows(TesseraException.class,
                () -> tesseras.export(info.hash(), dir.resolve("again"), TesseraProgress.NONE));
        assertTrue(tooFew.getMessage().contains("cannot be rebuilt"), tooFew.getMessage());
        assertFalse(Files.exists(dir.resolve("again")));
    }

    @Test
    void aFlippedFragmentByteIsCaughtByVerifyAndExportRebuildsAroundIt() throws IOException {
        Files.write(photos.resolve("film.webm"), random(4, 6 << 20));
        TesseraInfo info = tesseras.create(List.of(photos), TesseraProgress.NONE);
        Path shard;
        try (Stream<Path> files = Files.walk(dir.resolve("data/fragments"))) {
            shard = files.filter(p -> p.getFileName().toString().equals("003.shard")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(shard);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(shard, bytes);

        TesseraVerification verification = tesseras.verify(info.hash(), TesseraProgress.NONE);
        assertFalse(verification.passed());
        assertTrue(verification.checks().stream().anyMatch(c -> c.part().startsWith("fragment 3") && !c.passed()),
                verification.toString());

        Path out = dir.resolve("restored");
        tesseras.export(info.hash(), out, TesseraProgress.NONE);
        assertSameFiles(photos, out);
    }

    @Test
    void aDamagedOnlyFragmentIsReportedNotThrownAndExportSaysItCannotRebuild() throws IOException {
        TesseraInfo info = tesseras.create(List.of(photos), TesseraProgress.NONE);
        Path shard = dir.resolve("data/fragments").resolve(info.hash().toHex()).resolve("000.shard");
        byte[] bytes = Files.readAllBytes(shard);
        bytes[bytes.length / 3] ^= 1;
        Files.write(shard, bytes);

        TesseraVerification verification = tesseras.verify(info.hash(), TesseraProgress.NONE);
        assertFalse(verification.passed());
        assertTrue(verification.checks().stream().anyMatch(c -> c.part().equals("fragment 0 (data)") && !c.passed()),
                verification.toString());
        assertTrue(verification.checks().stream().anyMatch(c -> c.part().equals("rebuild") && !c.passed()
                && c.detail().contains("shard 0")), verification.toString());
        TesseraException export = assertThrows(TesseraException.class,
                () -> tesseras.export(info.hash(), dir.resolve("out"), TesseraProgress.NONE));
        assertTrue(export.getMessage().contains("cannot be rebuilt"), export.getMessage());
    }

    @Test
    void aHandEditedManifestFailsItsSignature() {
        TesseraInfo info = tesseras.create(List.of(photos), TesseraProgress.NONE);
        db.write(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE tesseras SET manifest = replace(manifest, 'text/plain', 'text/plaim') WHERE hash = ?")) {
                s.setString(1, info.hash().toHex());
                return s.executeUpdate();
            }
        });
        TesseraVerification verification = tesseras.verify(info.hash(), TesseraProgress.NONE);
        assertFalse(verification.passed());
        assertTrue(verification.checks().stream().anyMatch(c -> c.part().equals("manifest signature") && !c.passed()),
                verification.toString());

        // A damaged creator key in the record is a failed check too, not an exception.
        db.write(c -> c.createStatement().executeUpdate("UPDATE tesseras SET creator = 'zz'"));
        TesseraVerification damaged = tesseras.verify(info.hash(), TesseraProgress.NONE);
        assertTrue(damaged.checks().stream().anyMatch(c -> c.part().equals("manifest signature") && !c.passed()),
                damaged.toString());
    }

    @Test
    void theSameFilesTwiceAreRefusedNamingTheTesseraThatHasThem() {
        TesseraInfo info = tesseras.create(List.of(photos), TesseraProgress.NONE);
        TesseraException twice = assertThrows(TesseraException.class, () -> tesseras.create(List.of(photos), TesseraProgress.NONE));
        assertTrue(twice.getMessage().contains(info.hash().toHex()), twice.getMessage());
    }

    @Test
    void aStoreFailingMidwayLeavesNoFragmentNoRecordAndNoWorkFiles() throws IOException {
        Files.write(photos.resolve("film.webm"), random(5, 5 << 20));
        AtomicInteger stores = new AtomicInteger();
        AtomicInteger heldAtFailure = new AtomicInteger();
        store = new ForwardingFragmentStore() {
            @Override
            protected FragmentStore delegate() {
                return fs;
            }

            @Override
            public FragmentInfo store(FragmentId id, ByteBuffer data) {
                FragmentInfo stored = fs.store(id, data);
                failOnSecondCall(id);
                return stored;
            }

            @Override
            public List<FragmentInfo> storeAll(List<net.tesseras.storage.FragmentBytes> fragments) {
                List<FragmentInfo> stored = fs.storeAll(fragments);
                failOnSecondCall(fragments.get(0).id());
                return stored;
            }

            /** The second call stores its fragments, then fails as if its acknowledgement was lost. */
            private void failOnSecondCall(FragmentId id) {
                if (stores.incrementAndGet() == 2) {
                    heldAtFailure.set(fs.fragments(id.tessera()).size());
                    throw new FragmentStoreException("disk full (test)");
                }
            }
        };
        tesseras = service();
        TesseraException failed = assertThrows(TesseraException.class, () -> tesseras.create(List.of(photos), TesseraProgress.NONE));
        assertTrue(heldAtFailure.get() > 0, "fragments were stored before the failure: " + heldAtFailure.get());
        assertTrue(failed.getMessage().contains("disk full (test)"), failed.getMessage());
        assertTrue(fs.tesseras().isEmpty(), "fragments left: " + fs.tesseras());
        assertTrue(tesseras.list(null, 10).isEmpty());
        try (Stream<Path> left = Files.list(dir.resolve("data/tmp"))) {
            assertEquals(0, left.count());
        }
    }

    @Test
    void aCreationACrashInterruptedIsUndoneAtTheNextStart() {
        TesseraInfo info = tesseras.create(List.of(photos), TesseraProgress.NONE);
        // As if the node died between the first fragment and the last: the row is still 'creating'.
        db.write(c -> c.createStatement().executeUpdate("UPDATE tesseras SET state = 'creating'"));
        assertTrue(tesseras.list(null, 10).isEmpty(), "a half-created tessera is not listed");

        tesseras = service();
        assertTrue(fs.fragments(info.hash()).isEmpty());
        assertTrue(new TesseraTable(db).find(info.hash()).isEmpty());
        // And the same files can be made into a tessera again.
        assertEquals(info.hash(), tesseras.create(List.of(photos), TesseraProgress.NONE).hash());
    }

    @Test
    void aRecordLeftCreatingByADeadCommandDoesNotBlockCreatingTheSameFilesAgain() {
        TesseraInfo info = tesseras.create(List.of(photos), TesseraProgress.NONE);
        // As if a Ctrl-C's clean-up died: the row stays 'creating' while this node keeps running.
        db.write(c -> c.createStatement().executeUpdate("UPDATE tesseras SET state = 'creating'"));

        assertEquals(info.hash(), tesseras.create(List.of(photos), TesseraProgress.NONE).hash());
        assertEquals(List.of(info.hash()), tesseras.list(null, 10).stream().map(TesseraInfo::hash).toList());
    }

    @Test
    void verifyRebuildsOnlyFromFragmentsWhoseStoredBytesAreGoodNotFromACopyInMemory() throws IOException {
        Files.write(photos.resolve("film.webm"), random(7, 6 << 20));
        TesseraInfo info = tesseras.create(List.of(photos), TesseraProgress.NONE);
        // A front that, like the cache, still serves bytes it read before the files went away.
        Path memory = Files.createDirectories(dir.resolve("remembered"));
        for (int index = 0; index < 24; index++) {
            Files.write(memory.resolve(index + ".bin"), toArray(fs.read(info.hash(), index).orElseThrow()));
        }
        store = new ForwardingFragmentStore() {
            @Override
            protected FragmentStore delegate() {
                return fs;
            }

            @Override
            public java.util.Optional<java.nio.channels.SeekableByteChannel> open(net.tesseras.core.ContentHash tessera,
                    int index) {
                try {
                    return java.util.Optional.of(java.nio.channels.FileChannel.open(memory.resolve(index + ".bin")));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
        tesseras = service();
        Path fragments = dir.resolve("data/fragments").resolve(info.hash().toHex());
        for (int index = 0; index < 9; index++) {
            Files.delete(fragments.resolve(String.format("%03d.shard", index)));
        }

        TesseraVerification verification = tesseras.verify(info.hash(), TesseraProgress.NONE);
        assertTrue(verification.checks().stream().anyMatch(c -> c.part().equals("rebuild") && !c.passed()),
                verification.toString());
        assertTrue(verification.checks().stream().anyMatch(c -> c.part().equals("fragments") && c.detail().contains("TOO FEW")),
                verification.toString());
    }

    private static byte[] toArray(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    @Test
    void aDeletionThatCannotRemoveEveryFragmentKeepsItsRecordForTheNextStart() throws IOException {
        Files.write(photos.resolve("film.webm"), random(8, 5 << 20));
        TesseraInfo info = tesseras.create(List.of(photos), TesseraProgress.NONE);
        store = new ForwardingFragmentStore() {
            @Override
            protected FragmentStore delegate() {
                return fs;
            }

            @Override
            public boolean delete(net.tesseras.core.ContentHash tessera, int index) {
                if (index == 3) {
                    throw new FragmentStoreException("device busy (test)");
                }
                return fs.delete(tessera, index);
            }
        };
        tesseras = service();
        TesseraException failed = assertThrows(TesseraException.class, () -> tesseras.delete(info.hash()));
        assertTrue(failed.getMessage().contains("next start tries again"), failed.getMessage());
        assertEquals(TesseraTable.State.DELETING, new TesseraTable(db).find(info.hash()).orElseThrow().state());

        store = fs;
        tesseras = service();
        assertTrue(new TesseraTable(db).find(info.hash()).isEmpty(), "finished at the next start");
        assertTrue(fs.fragments(info.hash()).isEmpty());
    }

    @Test
    void anInterruptedCreationKeepsNothing() throws IOException {
        Files.write(photos.resolve("film.webm"), random(6, 12 << 20));
        TesseraProgress interruptWhileStoring = new TesseraProgress() {
            String phase = "";

            @Override
            public void phase(String label, long totalBytes) {
                phase = label;
            }

            @Override
            public void advanced(long bytes) {
                if (phase.equals("store")) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        assertThrows(TesseraException.class, () -> tesseras.create(List.of(photos), interruptWhileStoring));
        Thread.interrupted();
        assertTrue(fs.tesseras().isEmpty(), "fragments left: " + fs.tesseras());
        assertTrue(tesseras.list(null, 10).isEmpty());
    }

    @Test
    void exportNeverOverwritesAndUnknownOrAmbiguousHashesAreNamed() throws IOException {
        TesseraInfo info = tesseras.create(List.of(photos), TesseraProgress.NONE);
        Path taken = dir.resolve("taken");
        Files.createDirectories(taken);
        Files.writeString(taken.resolve("keep.txt"), "mine");
        TesseraException refused = assertThrows(TesseraException.class,
                () -> tesseras.export(info.hash(), taken, TesseraProgress.NONE));
        assertTrue(refused.getMessage().contains("never overwrites"), refused.getMessage());
        assertEquals("mine", Files.readString(taken.resolve("keep.txt")));

        assertThrows(TesseraNotFoundException.class, () -> tesseras.resolve("zz"));
        assertThrows(TesseraNotFoundException.class, () -> tesseras.resolve(
                info.hash().toHex().startsWith("0") ? "1" : "0"));
        assertThrows(TesseraNotFoundException.class, () -> tesseras.resolve(""));
    }

    private static void assertSameFiles(Path original, Path exported) throws IOException {
        Path root = exported.resolve(original.getFileName());
        List<Path> files;
        try (Stream<Path> walk = Files.walk(original)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        for (Path file : files) {
            Path copy = root.resolve(original.relativize(file).toString());
            assertTrue(Files.isRegularFile(copy), "missing " + copy);
            assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(copy), "differs: " + copy);
        }
    }
}
