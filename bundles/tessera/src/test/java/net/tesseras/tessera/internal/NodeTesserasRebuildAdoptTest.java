package net.tesseras.tessera.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import net.tesseras.core.ContentHash;
import net.tesseras.erasure.ErasureCoder;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.internal.db.DatabaseConfig;
import net.tesseras.storage.internal.db.SqliteDatabase;
import net.tesseras.storage.internal.fs.FsFragmentStore;
import net.tesseras.tessera.ExportResult;
import net.tesseras.tessera.FragmentPlan;
import net.tesseras.tessera.SignedFragmentPlan;
import net.tesseras.tessera.TesseraException;
import net.tesseras.tessera.TesseraInfo;
import net.tesseras.tessera.TesseraProgress;
import net.tesseras.tessera.TesseraVerification;
import net.tesseras.tessera.Tier;
import net.tesseras.tessera.internal.erasure.ReedSolomonCoder;
import net.tesseras.testkit.TestIdentity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rebuilding lost or damaged fragments from the others, and taking up on a second node a tessera
 * whose fragments were copied there (what repair and restore from the network do).
 */
class NodeTesserasRebuildAdoptTest {

    @TempDir
    Path dir;

    private final ErasureCoder coder = new ReedSolomonCoder();
    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private final TestIdentity creator = new TestIdentity();
    private Node a;
    private Node b;
    private Path photos;

    /** One node: its own database, store and tessera service. */
    private final class Node implements AutoCloseable {
        final SqliteDatabase db;
        final FsFragmentStore store;
        final NodeTesseras tesseras;
        final Path root;

        Node(String name, TestIdentity identity) {
            root = dir.resolve(name);
            db = SqliteDatabase.open(DatabaseConfig.file(root.resolve("db/tesseras.db")));
            store = FsFragmentStore.open("fs", root.resolve("fragments"), db, 0, true);
            tesseras = new NodeTesseras(new TesseraTable(db), Collaborators.fixed(store, identity, coder),
                    root.resolve("tmp"), new WriterLimits(2, 8L << 20), executor,
                    Clock.fixed(Instant.parse("2026-11-30T12:00:00Z"), ZoneOffset.UTC));
        }

        Path shardFile(ContentHash hash, int index) {
            return root.resolve("fragments").resolve(hash.toHex()).resolve(String.format("%03d.shard", index));
        }

        @Override
        public void close() {
            store.close();
            db.close();
        }
    }

    @BeforeEach
    void open() throws IOException {
        a = new Node("a", creator);
        b = new Node("b", new TestIdentity());
        photos = dir.resolve("home/photos");
        Files.createDirectories(photos.resolve("2020"));
        Files.writeString(photos.resolve("note.txt"), "hello world");
        Files.write(photos.resolve("2020/beach.jpg"), random(1, 200_000));
    }

    @AfterEach
    void close() {
        executor.shutdownNow();
        a.close();
        b.close();
    }

    private static byte[] random(long seed, int size) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private TesseraInfo medium() throws IOException {
        Files.write(photos.resolve("film.webm"), random(3, 5 << 20));
        TesseraInfo info = a.tesseras.create(List.of(photos), TesseraProgress.NONE);
        assertEquals(Tier.MEDIUM, info.tier());
        return info;
    }

    private SignedFragmentPlan plan(TesseraInfo info) {
        return a.tesseras.show(info.hash()).plan();
    }

    private static void flipByte(Path shard) throws IOException {
        byte[] bytes = Files.readAllBytes(shard);
        bytes[bytes.length / 2] ^= 0x10;
        Files.write(shard, bytes);
    }

    @Test
    void missingAndDamagedMediumFragmentsAreRebuiltAndGoodOnesLeftAlone() throws IOException {
        TesseraInfo info = medium();
        SignedFragmentPlan plan = plan(info);
        assertTrue(a.store.delete(info.hash(), 2));
        assertTrue(a.store.delete(info.hash(), 20));
        flipByte(a.shardFile(info.hash(), 7));
        assertFalse(a.tesseras.verify(info.hash(), TesseraProgress.NONE).passed());

        SortedSet<Integer> rebuilt = a.tesseras.rebuild(plan, Set.of(2, 7, 20, 9), TesseraProgress.NONE);

        assertEquals(new TreeSet<>(List.of(2, 7, 20)), rebuilt);
        TesseraVerification verification = a.tesseras.verify(info.hash(), TesseraProgress.NONE);
        assertTrue(verification.passed(), verification.toString());
        assertEquals(Set.of(), a.tesseras.rebuild(plan, Set.of(2, 7, 20), TesseraProgress.NONE),
                "nothing left to rebuild");
    }

    @Test
    void aMediumTesseraMissingMoreThanItsParityCannotBeRebuiltAndSaysToFetch() throws IOException {
        TesseraInfo info = medium();
        for (int index = 0; index < 9; index++) {
            assertTrue(a.store.delete(info.hash(), index));
        }
        TesseraException e = assertThrows(TesseraException.class,
                () -> a.tesseras.rebuild(plan(info), Set.of(0, 1), TesseraProgress.NONE));
        assertTrue(e.getMessage().contains("15 good fragments and 16 are needed"), e.getMessage());
        assertTrue(e.getMessage().contains("fetch more fragments from peers"), e.getMessage());
        assertTrue(a.store.read(info.hash(), 0).isEmpty(), "nothing was stored");
    }

    @Test
    void aSmallTesseraHasNoParitySoItsOnlyCopyIsFetchedNotRebuilt() throws IOException {
        TesseraInfo info = a.tesseras.create(List.of(photos), TesseraProgress.NONE);
        assertEquals(Tier.SMALL, info.tier());
        SignedFragmentPlan plan = plan(info);
        assertEquals(Set.of(), a.tesseras.rebuild(plan, Set.of(0), TesseraProgress.NONE), "a good copy is left alone");

        // A peer's copy, as repair would fetch it.
        ByteBuffer peerCopy = a.store.read(info.hash(), 0).orElseThrow();
        flipByte(a.shardFile(info.hash(), 0));
        TesseraException e = assertThrows(TesseraException.class,
                () -> a.tesseras.rebuild(plan, Set.of(0), TesseraProgress.NONE));
        assertTrue(e.getMessage().contains("0 good fragments and 1 are needed"), e.getMessage());

        // What repair does then: store the fetched good copy over the damaged one.
        a.store.delete(info.hash(), 0);
        a.store.store(plan.plan().fragmentId(0), peerCopy);
        assertTrue(a.tesseras.verify(info.hash(), TesseraProgress.NONE).passed());
    }

    @Test
    void aPlanWhoseSignatureDoesNotVerifyIsRefused() throws IOException {
        TesseraInfo info = medium();
        SignedFragmentPlan plan = plan(info);
        byte[] signature = plan.signature();
        signature[5] ^= 1;
        SignedFragmentPlan forged = new SignedFragmentPlan(plan.plan(), signature);
        a.store.delete(info.hash(), 3);

        TesseraException rebuild = assertThrows(TesseraException.class,
                () -> a.tesseras.rebuild(forged, Set.of(3), TesseraProgress.NONE));
        assertTrue(rebuild.getMessage().contains("not signed by its creator key"), rebuild.getMessage());
        TesseraException adopt = assertThrows(TesseraException.class, () -> b.tesseras.adopt(forged, TesseraProgress.NONE));
        assertTrue(adopt.getMessage().contains("not signed by its creator key"), adopt.getMessage());
        assertThrows(TesseraException.class, () -> a.tesseras.rebuild(plan, Set.of(24), TesseraProgress.NONE),
                "index 24 is beyond a 16 + 8 plan");
    }

    /** Copies fragments from a's store into b's, as a restore fetches them from peers. */
    private void copyFragments(ContentHash hash, SignedFragmentPlan plan, int... indices) {
        for (int index : indices) {
            b.store.store(plan.plan().fragmentId(index), a.store.read(hash, index).orElseThrow());
        }
    }

    @Test
    void aSecondNodeAdoptsATesseraFromFetchedFragmentsAndShowsVerifiesAndExportsIt() throws IOException {
        TesseraInfo info = medium();
        SignedFragmentPlan plan = plan(info);
        // Any 16 of the 24, some parity among them.
        copyFragments(info.hash(), plan, 0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 23);

        TesseraInfo adopted = b.tesseras.adopt(plan, TesseraProgress.NONE);

        assertEquals(info, adopted);
        assertEquals(List.of(info), b.tesseras.list(null, 10));
        assertEquals(plan, b.tesseras.show(info.hash()).plan());
        assertEquals(16, b.tesseras.show(info.hash()).held());
        Path out = dir.resolve("restored");
        ExportResult exported = b.tesseras.export(info.hash(), out, TesseraProgress.NONE);
        assertEquals(3, exported.files());
        assertArrayEquals(Files.readAllBytes(photos.resolve("film.webm")),
                Files.readAllBytes(out.resolve("photos/film.webm")));
        // Verify says which fragments b lacks, and that every other check passes.
        TesseraVerification verification = b.tesseras.verify(info.hash(), TesseraProgress.NONE);
        assertTrue(verification.checks().stream().filter(c -> !c.part().startsWith("fragment")).allMatch(c -> c.passed()),
                verification.toString());
        // b rebuilds the rest and then verifies whole.
        assertEquals(new TreeSet<>(List.of(4, 15, 17, 18, 19, 20, 21, 22)),
                b.tesseras.rebuild(plan, Set.of(4, 15, 17, 18, 19, 20, 21, 22), TesseraProgress.NONE));
        assertTrue(b.tesseras.verify(info.hash(), TesseraProgress.NONE).passed());

        assertEquals(info, b.tesseras.adopt(plan, TesseraProgress.NONE), "adopting again returns the record");
    }

    @Test
    void adoptingWithTooFewFragmentsSaysSoAndRecordsNothing() throws IOException {
        TesseraInfo info = medium();
        SignedFragmentPlan plan = plan(info);
        copyFragments(info.hash(), plan, 0, 1, 2, 3);
        TesseraException e = assertThrows(TesseraException.class, () -> b.tesseras.adopt(plan, TesseraProgress.NONE));
        assertTrue(e.getMessage().contains("cannot be rebuilt"), e.getMessage());
        assertTrue(b.tesseras.find(info.hash()).isEmpty());
    }

    @Test
    void aPlanNamingAnotherTesseraThanThePayloadsManifestIsRefused() throws IOException {
        TesseraInfo info = medium();
        FragmentPlan real = plan(info).plan();
        ContentHash other = ContentHash.of(random(9, 32));
        FragmentPlan lying = new FragmentPlan(other, real.tier(), real.dataShards(), real.parityShards(), real.shardSize(),
                real.payloadLength(), real.checksums(), real.creatorKey());
        SignedFragmentPlan signed = SignedFragmentPlan.sign(lying, creator::sign);
        for (int index = 0; index < 16; index++) {
            b.store.store(lying.fragmentId(index), a.store.read(info.hash(), index).orElseThrow());
        }

        TesseraException e = assertThrows(TesseraException.class, () -> b.tesseras.adopt(signed, TesseraProgress.NONE));
        assertTrue(e.getMessage().contains("holds the manifest of tessera " + info.hash()), e.getMessage());
        assertTrue(b.tesseras.find(other).isEmpty());
    }

    @Test
    void aPlanSignedByAnotherKeyThanTheManifestsCreatorIsRefused() throws IOException {
        TesseraInfo info = medium();
        FragmentPlan real = plan(info).plan();
        TestIdentity stranger = new TestIdentity();
        FragmentPlan claimed = new FragmentPlan(real.tessera(), real.tier(), real.dataShards(), real.parityShards(),
                real.shardSize(), real.payloadLength(), real.checksums(), stranger.publicKey());
        SignedFragmentPlan signed = SignedFragmentPlan.sign(claimed, stranger::sign);
        copyFragments(info.hash(), plan(info), 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);

        TesseraException e = assertThrows(TesseraException.class, () -> b.tesseras.adopt(signed, TesseraProgress.NONE));
        assertTrue(e.getMessage().contains("its manifest is signed by " + info.creator()), e.getMessage());
        assertTrue(b.tesseras.find(info.hash()).isEmpty());
    }

    @Test
    void workDirectoriesOfRebuildAndAdoptAreRemoved() throws IOException {
        TesseraInfo info = medium();
        a.store.delete(info.hash(), 1);
        a.tesseras.rebuild(plan(info), Set.of(1), TesseraProgress.NONE);
        try (Stream<Path> left = Files.list(a.root.resolve("tmp"))) {
            assertEquals(List.of(), left.toList());
        }
    }
}
