package net.tesseras.replication.internal.repair;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import net.tesseras.core.ContentHash;
import net.tesseras.replication.ReplicationException;
import net.tesseras.replication.RestoreResult;
import net.tesseras.replication.internal.ReplicationMetrics;
import net.tesseras.replication.internal.wire.MessageTypes;
import net.tesseras.storage.internal.db.DatabaseConfig;
import net.tesseras.storage.internal.db.SqliteDatabase;
import net.tesseras.storage.internal.fs.FsFragmentStore;
import net.tesseras.tessera.FragmentPlan;
import net.tesseras.tessera.SignedFragmentPlan;
import net.tesseras.tessera.TesseraInfo;
import net.tesseras.tessera.TesseraProgress;
import net.tesseras.tessera.TesseraService;
import net.tesseras.tessera.Tier;
import net.tesseras.tessera.internal.TesseraNodes;
import net.tesseras.testkit.TestIdentity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restore on an empty node from four fake peers backed by real stores holding the fragments of a
 * real tessera (fragment i on peer i % 4), each answering GET_PLAN with the real GetPlanHandler.
 */
class RestorerTest {

    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

    @TempDir
    Path dir;

    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final List<AutoCloseable> open = new ArrayList<>();
    private final java.util.Map<String, SqliteDatabase> databases = new java.util.HashMap<>();
    private final FakeNetwork network = new FakeNetwork();
    private final List<FakeNetwork.Node> holders = new ArrayList<>();
    private final TestIdentity creatorKey = new TestIdentity();
    private TesseraService creator;
    private FsFragmentStore creatorStore;
    private FsFragmentStore emptyStore;
    private TesseraService empty;
    private Path files;
    private TesseraInfo info;
    private SignedFragmentPlan plan;

    private FsFragmentStore store(String name) {
        SqliteDatabase db = SqliteDatabase.open(DatabaseConfig.file(dir.resolve(name + "/db/tesseras.db")));
        FsFragmentStore store = FsFragmentStore.open("fs", dir.resolve(name + "/fragments"), db, 0, true);
        open.add(db);
        open.add(store::close);
        databases.put(name, db);
        return store;
    }

    @BeforeEach
    void open() throws IOException {
        creatorStore = store("creator");
        creator = TesseraNodes.service(databases.get("creator"), creatorStore, creatorKey, dir.resolve("creator/tmp"),
                executor, Clock.fixed(NOW, ZoneOffset.UTC));
        files = dir.resolve("home/films");
        Files.createDirectories(files);
        byte[] film = new byte[5 << 20];
        new Random(3).nextBytes(film);
        Files.write(files.resolve("film.webm"), film);
        Files.writeString(files.resolve("note.txt"), "the summer of 2020");
        info = creator.create(List.of(files), TesseraProgress.NONE);
        assertEquals(Tier.MEDIUM, info.tier());
        plan = creator.show(info.hash()).plan();
        for (int p = 0; p < 4; p++) {
            FsFragmentStore store = store("peer" + p);
            for (int i = p; i < 24; i += 4) {
                store.store(plan.plan().fragmentId(i), creatorStore.read(info.hash(), i).orElseThrow());
            }
            FakeNetwork.Node node = network.add(store, NOW);
            node.handlers.put(MessageTypes.GET_PLAN, new GetPlanHandler(h -> h.equals(info.hash()) ? Optional.of(plan)
                    : Optional.empty()));
            holders.add(node);
        }
        emptyStore = store("empty");
        empty = TesseraNodes.service(databases.get("empty"), emptyStore, new TestIdentity(),
                dir.resolve("empty/tmp"), executor, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void close() throws Exception {
        executor.shutdownNow();
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private Restorer restorer() {
        return new Restorer(network, network, emptyStore, empty, ReplicationMetrics.NONE, executor,
                new Restorer.Settings(20, 3), dir.resolve("empty/work"));
    }

    private void assertRestored(Path out) throws IOException {
        assertArrayEquals(Files.readAllBytes(files.resolve("film.webm")), Files.readAllBytes(out.resolve("films/film.webm")));
        assertEquals("the summer of 2020", Files.readString(out.resolve("films/note.txt")));
    }

    @Test
    void anEmptyNodeRestoresFromTheDataFragmentsOfItsPeers() throws IOException {
        Path out = dir.resolve("restored");

        RestoreResult result = restorer().restore(info.hash(), out, TesseraProgress.NONE);

        assertEquals(16, result.fragmentsFetched());
        assertEquals(16 * plan.plan().shardSize(), result.bytesFetched());
        assertEquals(4, result.peers().size());
        assertEquals(2, result.export().files());
        assertRestored(out);
        assertTrue(network.fetches.stream().allMatch(f -> Integer.parseInt(f.substring(f.indexOf('/') + 1)) < 16),
                "data fragments only: " + network.fetches);
        assertEquals(info, empty.find(info.hash()).orElseThrow(), "adopted: show, verify and export work on it");
    }

    @Test
    void aPeerServingWrongBytesIsPassedOverForAnotherFragment() throws IOException {
        holders.get(1).servesWrongBytes.add(1); // fragment 1 is only on peer 1
        holders.get(2).servesWrongBytes.add(6);

        RestoreResult result = restorer().restore(info.hash(), dir.resolve("restored"), TesseraProgress.NONE);

        assertEquals(16, result.fragmentsFetched());
        assertRestored(dir.resolve("restored"));
        assertTrue(emptyStore.read(info.hash(), 1).isEmpty(), "the wrong bytes were never stored");
        assertTrue(emptyStore.read(info.hash(), 16).isPresent() && emptyStore.read(info.hash(), 17).isPresent(),
                "parity fragments took the place of the two refused");
    }

    @Test
    void tooFewReachableFragmentsIsAClearErrorThatCounts() throws IOException {
        holders.get(0).down = true;
        holders.get(1).down = true; // 12 of 24 left, 16 needed

        ReplicationException e = assertThrows(ReplicationException.class,
                () -> restorer().restore(info.hash(), dir.resolve("restored"), TesseraProgress.NONE));

        assertTrue(e.getMessage().contains("only 12 distinct fragments"), e.getMessage());
        assertTrue(e.getMessage().contains("16 are needed"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("restored")));
        assertTrue(empty.find(info.hash()).isEmpty());
    }

    @Test
    void fragmentsThatFailWhenFetchedBelowWhatIsNeededIsAClearError() {
        for (FakeNetwork.Node node : holders.subList(0, 3)) {
            for (int i = 0; i < 24; i++) {
                node.servesWrongBytes.add(i);
            }
        }
        ReplicationException e = assertThrows(ReplicationException.class,
                () -> restorer().restore(info.hash(), dir.resolve("restored"), TesseraProgress.NONE));
        assertTrue(e.getMessage().contains("could fetch only 6 of the 16"), e.getMessage());
        assertTrue(e.getMessage().contains("refused by the local store"), e.getMessage());
    }

    @Test
    void withoutAnyKnownPeerItSaysToAddBootstrapPeers() {
        FakeNetwork nobody = new FakeNetwork();
        Restorer restorer = new Restorer(nobody, nobody, emptyStore, empty, ReplicationMetrics.NONE, executor,
                Restorer.Settings.DEFAULT, dir.resolve("empty/work"));
        ReplicationException e = assertThrows(ReplicationException.class,
                () -> restorer.restore(info.hash(), dir.resolve("restored"), TesseraProgress.NONE));
        assertTrue(e.getMessage().contains("add bootstrap peers in etc/net.tesseras.replication.cfg"), e.getMessage());
    }

    @Test
    void anUnknownTesseraHasNoPlanAnywhere() {
        ContentHash other = Fixtures.hash(3);
        ReplicationException e = assertThrows(ReplicationException.class,
                () -> restorer().restore(other, dir.resolve("restored"), TesseraProgress.NONE));
        assertTrue(e.getMessage().contains("none of the 4 peers asked has a valid plan"), e.getMessage());
        assertTrue(e.getMessage().contains("NOT_FOUND"), e.getMessage());
    }

    @Test
    void forgedPlansAreRefusedAndAGoodOneFromAnotherPeerUsed() throws IOException {
        TestIdentity forger = new TestIdentity();
        FragmentPlan real = plan.plan();
        SignedFragmentPlan otherCreator = SignedFragmentPlan.sign(new FragmentPlan(real.tessera(), real.tier(),
                real.dataShards(), real.parityShards(), real.shardSize(), real.payloadLength(), real.checksums(),
                forger.publicKey()), forger::sign);
        byte[] signature = plan.signature();
        signature[0] ^= 1;
        SignedFragmentPlan badSignature = new SignedFragmentPlan(real, signature);
        holders.get(0).handlers.put(MessageTypes.GET_PLAN, new GetPlanHandler(h -> Optional.of(badSignature)));
        holders.get(1).handlers.put(MessageTypes.GET_PLAN, new GetPlanHandler(h -> Optional.of(badSignature)));
        holders.get(2).handlers.put(MessageTypes.GET_PLAN, new GetPlanHandler(h -> Optional.empty()));

        RestoreResult result = restorer().restore(info.hash(), dir.resolve("restored"), TesseraProgress.NONE);
        assertEquals(16, result.fragmentsFetched());

        // A plan signed by someone else than the manifest's creator verifies, but adopting refuses it.
        for (FakeNetwork.Node node : holders) {
            node.handlers.put(MessageTypes.GET_PLAN, new GetPlanHandler(h -> Optional.of(otherCreator)));
        }
        assertTrue(empty.delete(info.hash()));
        ReplicationException e = assertThrows(ReplicationException.class,
                () -> restorer().restore(info.hash(), dir.resolve("again"), TesseraProgress.NONE));
        assertTrue(e.getMessage().contains("a check failed"), e.getMessage());
        assertTrue(e.getMessage().contains("signed by " + info.creator()), e.getMessage());
    }

    /** The holders in the order a restore asks them: closest to the hash first. */
    private List<FakeNetwork.Node> byCloseness() {
        List<net.tesseras.identity.NodeId> order = network.closest(java.util.Arrays.copyOf(info.hash().toBytes(),
                net.tesseras.identity.NodeId.LENGTH), 20).stream().map(net.tesseras.replication.Peer::nodeId).toList();
        return order.stream().map(id -> holders.stream().filter(h -> h.id().equals(id)).findFirst().orElseThrow()).toList();
    }

    /** The real plan's facts signed by another key: it verifies, but the manifest was not signed by that key. */
    private SignedFragmentPlan forged(List<ContentHash> checksums) {
        TestIdentity forger = new TestIdentity();
        FragmentPlan real = plan.plan();
        return SignedFragmentPlan.sign(new FragmentPlan(real.tessera(), real.tier(), real.dataShards(), real.parityShards(),
                real.shardSize(), real.payloadLength(), checksums, forger.publicKey()), forger::sign);
    }

    @Test
    void aForgedPlanFromTheClosestPeerDoesNotBlockTheRestore() throws IOException {
        SignedFragmentPlan forged = forged(plan.plan().checksums());
        byCloseness().get(0).handlers.put(MessageTypes.GET_PLAN, new GetPlanHandler(h -> Optional.of(forged)));

        RestoreResult result = restorer().restore(info.hash(), dir.resolve("restored"), TesseraProgress.NONE);

        assertEquals(16, result.fragmentsFetched(), "the plan three peers serve is tried first, and only it");
        assertRestored(dir.resolve("restored"));
    }

    @Test
    void aForgedPlanTriedFirstIsRefusedWithoutTouchingWhatThisNodeHeldAndTheNextPlanRestores() throws IOException {
        List<FakeNetwork.Node> order = byCloseness();
        FakeNetwork.Node forger = order.get(0);
        // The forged plan names other bytes for a fragment this node holds, and the forger serves them.
        int index = (holders.indexOf(forger) + 1) % 4; // not among the forger's own fragments
        byte[] other = new byte[(int) plan.plan().shardSize()];
        new Random(9).nextBytes(other);
        ContentHash otherChecksum = net.tesseras.core.Blake3Hashing.hash(other);
        forger.store.store(new net.tesseras.core.FragmentId(info.hash(), index, false, otherChecksum),
                java.nio.ByteBuffer.wrap(other));
        List<ContentHash> checksums = new ArrayList<>(plan.plan().checksums());
        checksums.set(index, otherChecksum);
        SignedFragmentPlan forged = forged(checksums);
        for (FakeNetwork.Node node : order.subList(0, 2)) { // two peers each: the closest one's plan goes first
            node.handlers.put(MessageTypes.GET_PLAN, new GetPlanHandler(h -> Optional.of(forged)));
        }
        byte[] mine = FragmentBytes.of(creatorStore.read(info.hash(), index).orElseThrow());
        emptyStore.store(plan.plan().fragmentId(index), java.nio.ByteBuffer.wrap(mine));

        RestoreResult result = restorer().restore(info.hash(), dir.resolve("restored"), TesseraProgress.NONE);

        assertRestored(dir.resolve("restored"));
        assertArrayEquals(mine, FragmentBytes.of(emptyStore.read(info.hash(), index).orElseThrow()),
                "the fragment held before is kept");
        assertEquals(15, result.fragmentsFetched(), "the held fragment counts; the refused plan's fetches do not");
    }

    @Test
    void theFragmentsFetchedForARefusedPlanAreRemoved() {
        SignedFragmentPlan forged = forged(plan.plan().checksums());
        for (FakeNetwork.Node node : holders) {
            node.handlers.put(MessageTypes.GET_PLAN, new GetPlanHandler(h -> Optional.of(forged)));
        }

        ReplicationException e = assertThrows(ReplicationException.class,
                () -> restorer().restore(info.hash(), dir.resolve("restored"), TesseraProgress.NONE));

        assertTrue(e.getMessage().contains("a check failed"), e.getMessage());
        assertFalse(network.fetches.isEmpty());
        assertEquals(List.of(), emptyStore.fragments(info.hash()));
    }

    @Test
    void aPlanClaimingMoreThanTheLargestPayloadIsRefusedBeforeAnyFetch() {
        Restorer bounded = new Restorer(network, network, emptyStore, empty, ReplicationMetrics.NONE, executor,
                new Restorer.Settings(20, 3), dir.resolve("empty/work"), 1 << 20);

        ReplicationException e = assertThrows(ReplicationException.class,
                () -> bounded.restore(info.hash(), dir.resolve("restored"), TesseraProgress.NONE));

        assertTrue(e.getMessage().contains("more than the 1048576 this node restores"), e.getMessage());
        assertEquals(List.of(), network.fetches);
    }

    @Test
    void aSmallTesseraIsRestoredFromOneWholeCopy() throws IOException {
        Path letters = dir.resolve("home/letters");
        Files.createDirectories(letters);
        Files.writeString(letters.resolve("to-my-heirs.txt"), "keep the photos");
        TesseraInfo small = creator.create(List.of(letters), TesseraProgress.NONE);
        assertEquals(Tier.SMALL, small.tier());
        SignedFragmentPlan smallPlan = creator.show(small.hash()).plan();
        holders.get(2).store.store(smallPlan.plan().fragmentId(0), creatorStore.read(small.hash(), 0).orElseThrow());
        for (FakeNetwork.Node node : holders) {
            node.handlers.put(MessageTypes.GET_PLAN, new GetPlanHandler(h -> Optional.of(smallPlan)));
        }

        RestoreResult result = restorer().restore(small.hash(), dir.resolve("letters"), TesseraProgress.NONE);

        assertEquals(1, result.fragmentsFetched());
        assertEquals(List.of(holders.get(2).id()), result.peers());
        assertEquals("keep the photos", Files.readString(dir.resolve("letters/letters/to-my-heirs.txt")));
    }

    @Test
    void aDestinationWithFilesIsRefusedBeforeAnythingIsFetched() throws IOException {
        Path out = dir.resolve("busy");
        Files.createDirectories(out);
        Files.writeString(out.resolve("keep.txt"), "mine");
        ReplicationException e = assertThrows(ReplicationException.class,
                () -> restorer().restore(info.hash(), out, TesseraProgress.NONE));
        assertTrue(e.getMessage().contains("not an empty directory"), e.getMessage());
        assertTrue(network.fetches.isEmpty());
    }
}
