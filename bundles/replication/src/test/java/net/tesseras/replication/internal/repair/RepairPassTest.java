package net.tesseras.replication.internal.repair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import net.tesseras.core.ContentHash;
import net.tesseras.identity.NodeId;
import net.tesseras.replication.RepairReport;
import net.tesseras.replication.RepairReport.TesseraRepair;
import net.tesseras.replication.TesseraStatus.Health;
import net.tesseras.replication.TesseraStatus.Proof;
import net.tesseras.replication.internal.PlanSource;
import net.tesseras.replication.internal.ReplicationMetrics;
import net.tesseras.replication.internal.placement.PlacementBook;
import net.tesseras.replication.internal.placement.PlacementBook.Placement;
import net.tesseras.storage.internal.db.DatabaseConfig;
import net.tesseras.storage.internal.db.SqliteDatabase;
import net.tesseras.storage.internal.fs.FsFragmentStore;
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
 * A repair pass on a creator node with its real database, store and tessera service, over fake
 * holders: what it finds, what it fixes, what it reports.
 */
class RepairPassTest {

    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final Duration GRACE = Duration.ofHours(6);

    @TempDir
    Path dir;

    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private SqliteDatabase db;
    private FsFragmentStore store;
    private SqliteDatabase peerDb;
    private FsFragmentStore peerStore;
    private TesseraService tesseras;
    private final MemoryPlacementBook book = new MemoryPlacementBook();
    private final FakeNetwork network = new FakeNetwork();
    private final List<FakeNetwork.Node> holders = new ArrayList<>();
    private final List<NodeId> spares = new ArrayList<>();
    private FakeProofs proofs;
    private FakePublisher publisher;
    private final AtomicInteger rebuiltMetric = new AtomicInteger();
    private final AtomicInteger placedMetric = new AtomicInteger();
    private final AtomicLong fetchedMetric = new AtomicLong();
    private final ReplicationMetrics metrics = new ReplicationMetrics() {
        @Override
        public void rebuilt(int fragments) {
            rebuiltMetric.addAndGet(fragments);
        }

        @Override
        public void repairPlaced(int fragments, long bytes) {
            placedMetric.addAndGet(fragments);
        }

        @Override
        public void fetched(int fragments, long bytes) {
            fetchedMetric.addAndGet(fragments);
        }
    };

    @BeforeEach
    void open() {
        db = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("node/db/tesseras.db")));
        store = FsFragmentStore.open("fs", dir.resolve("node/fragments"), db, 0, true);
        peerDb = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("peer/db/tesseras.db")));
        peerStore = FsFragmentStore.open("fs", dir.resolve("peer/fragments"), peerDb, 0, true);
        tesseras = TesseraNodes.service(db, store, new TestIdentity(), dir.resolve("node/tmp"), executor,
                Clock.fixed(NOW, ZoneOffset.UTC));
        for (int i = 0; i < 8; i++) {
            // Holder 3 last answered an hour ago, holder 4 seven hours ago; the grace runs from proofs, not from these.
            Instant lastSeen = i == 3 ? NOW.minus(Duration.ofHours(1)) : i == 4 ? NOW.minus(Duration.ofHours(7)) : NOW;
            holders.add(network.add(peerStore, lastSeen));
        }
        for (int i = 0; i < 4; i++) {
            spares.add(network.add(peerStore, NOW).id());
        }
        proofs = new FakeProofs(book);
        publisher = new FakePublisher(book, store, spares);
    }

    @AfterEach
    void close() {
        executor.shutdownNow();
        store.close();
        db.close();
        peerStore.close();
        peerDb.close();
    }

    private TesseraInfo create(int bytes) throws IOException {
        Path files = dir.resolve("files-" + bytes);
        Files.createDirectories(files);
        byte[] content = new byte[bytes];
        new Random(bytes).nextBytes(content);
        Files.write(files.resolve("film.webm"), content);
        return tesseras.create(List.of(files), TesseraProgress.NONE);
    }

    private SignedFragmentPlan plan(ContentHash hash) {
        return tesseras.show(hash).plan();
    }

    /** A pass that re-reads every local fragment each time. */
    private RepairPass pass() {
        return pass(NOW, Bandwidth.UNLIMITED, Duration.ZERO);
    }

    private RepairPass pass(Instant now, Bandwidth bandwidth, Duration verifiedFresh) {
        PlanSource plans = hash -> tesseras.find(hash).map(i -> plan(hash));
        return new RepairPass(book, proofs, network, network, store, tesseras, publisher, plans, metrics,
                Clock.fixed(now, ZoneOffset.UTC), new RepairPass.Settings(7, 100, 2, GRACE, 0), dir.resolve("node/work"),
                bandwidth, new Random(1), verifiedFresh);
    }

    /** Fragment i on holder i % 8, acknowledged. */
    private void spread(ContentHash hash, int fragments) {
        for (int i = 0; i < fragments; i++) {
            NodeId peer = holders.get(i % holders.size()).id();
            book.plan(hash, List.of(Placement.pending(hash, i, peer, NOW)));
            book.acked(hash, i, peer, NOW);
        }
    }

    private Path shardFile(ContentHash hash, int index) {
        return dir.resolve("node/fragments").resolve(hash.toHex()).resolve(String.format("%03d.shard", index));
    }

    @Test
    void aHolderFailingItsChallengeHasItsFragmentsPlacedAgainElsewhere() throws Exception {
        TesseraInfo info = create(5 << 20);
        assertEquals(Tier.MEDIUM, info.tier());
        spread(info.hash(), 24);
        NodeId cheat = holders.get(2).id(); // holds 2, 10, 18
        proofs.failChallengeOn(cheat, Set.of(10, 18));

        RepairReport report = pass().run(Optional.empty());

        TesseraRepair repair = report.tesseras().get(0);
        assertEquals(8, repair.holdersAsked());
        assertEquals(1, repair.proofsFailed());
        assertEquals(2, repair.fragmentsLost());
        assertEquals(0, repair.localRebuilt());
        assertEquals(2, repair.fragmentsPlaced());
        assertEquals(Health.DEGRADED, repair.before());
        assertEquals(Health.HEALTHY, repair.after());
        assertEquals(List.of(new FakePublisher.Call(Set.of(10, 18), Set.of(cheat))), publisher.calls);
        assertTrue(repair.notes().stream().anyMatch(n -> n.contains("challenge failed on fragments [10, 18]")),
                repair.notes().toString());
        List<Placement> after = book.of(info.hash());
        assertTrue(after.stream().anyMatch(p -> p.peer().equals(cheat) && p.index() == 2 && p.live()),
                "the fragment it proved stays");
        assertTrue(after.stream().filter(p -> p.peer().equals(cheat) && p.index() != 2)
                .allMatch(p -> p.state() == PlacementBook.State.LOST));
        assertTrue(after.stream().anyMatch(p -> p.index() == 10 && spares.contains(p.peer())
                && p.state() == PlacementBook.State.ACKED));
        assertEquals(2, placedMetric.get());
        assertTrue(book.lastRepair(info.hash()).isPresent());
    }

    @Test
    void aHolderWithABadSignatureLosesEverythingItHeld() throws Exception {
        TesseraInfo info = create(5 << 20);
        spread(info.hash(), 24);
        proofs.behave(holders.get(6).id(), FakeProofs.Behaviour.BAD_SIGNATURE);

        TesseraRepair repair = pass().repair(info.hash());

        assertEquals(3, repair.fragmentsLost());
        assertEquals(3, repair.fragmentsPlaced());
        assertEquals(Set.of(6, 14, 22), publisher.calls.get(0).indices());
    }

    @Test
    void localBitRotAndALostLocalFragmentAreRebuiltFromTheOthers() throws Exception {
        TesseraInfo info = create(5 << 20);
        spread(info.hash(), 24);
        byte[] bytes = Files.readAllBytes(shardFile(info.hash(), 5));
        bytes[100] ^= 0x20;
        Files.write(shardFile(info.hash(), 5), bytes);
        assertTrue(store.delete(info.hash(), 12));

        TesseraRepair repair = pass().repair(info.hash());

        assertEquals(2, repair.localRebuilt());
        assertEquals(0, repair.fragmentsLost());
        assertEquals(0, repair.fragmentsPlaced());
        assertEquals(Health.HEALTHY, repair.before());
        assertTrue(repair.notes().stream().anyMatch(n -> n.contains("[5] are damaged")), repair.notes().toString());
        assertTrue(tesseras.verify(info.hash(), TesseraProgress.NONE).passed());
        assertEquals(2, rebuiltMetric.get());
        assertEquals(List.of(), publisher.calls);
    }

    @Test
    void localFragmentsVerifiedWithinTheDayAreNotReReadAndTheBytesReReadCountAgainstTheCap() throws Exception {
        TesseraInfo info = create(5 << 20);
        spread(info.hash(), 24); // placed and proven: nothing else moves on these passes
        long shardSize = plan(info.hash()).plan().shardSize();
        List<Duration> waits = new ArrayList<>();
        Bandwidth oneBytePerSecond = new Bandwidth(1, () -> 0L, waits::add); // the clock stands still: no refill

        pass(NOW, oneBytePerSecond, Duration.ofDays(1)).repair(info.hash()); // never verified yet: all re-read
        oneBytePerSecond.acquire(0);
        assertEquals(List.of(Duration.ofSeconds(24 * shardSize - 1)), waits, "24 fragments re-read, paid for");

        Instant verified = store.fragments(info.hash()).get(0).lastVerified().orElseThrow();
        byte[] bytes = Files.readAllBytes(shardFile(info.hash(), 3));
        bytes[100] ^= 0x20;
        Files.write(shardFile(info.hash(), 3), bytes);

        TesseraRepair soon = pass(verified.plus(Duration.ofHours(1)), Bandwidth.UNLIMITED, Duration.ofDays(1))
                .repair(info.hash());
        assertEquals(0, soon.localRebuilt(), "verified an hour ago: not re-read, the rot is not seen yet");
        assertTrue(soon.notes().stream().anyMatch(n -> n.contains("not re-read on this pass")), soon.notes().toString());

        TesseraRepair later = pass(verified.plus(Duration.ofDays(2)), Bandwidth.UNLIMITED, Duration.ofDays(1))
                .repair(info.hash());
        assertEquals(1, later.localRebuilt());
        assertTrue(tesseras.verify(info.hash(), TesseraProgress.NONE).passed());
    }

    @Test
    void anUnansweringHolderKeepsItsFragmentsWithinTheGraceAndLosesThemPastIt() throws Exception {
        TesseraInfo info = create(5 << 20);
        spread(info.hash(), 24);
        NodeId recent = holders.get(3).id(); // last proven 1 h ago: fragments 3, 11, 19 kept
        NodeId gone = holders.get(4).id(); // 7 h ago: fragments 4, 12, 20 lost
        book.proved(info.hash(), recent, Set.of(3, 11, 19), Proof.PASSED, "", NOW.minus(Duration.ofHours(1)));
        book.proved(info.hash(), gone, Set.of(4, 12, 20), Proof.PASSED, "", NOW.minus(Duration.ofHours(7)));
        proofs.behave(recent, FakeProofs.Behaviour.SILENT);
        proofs.behave(gone, FakeProofs.Behaviour.SILENT);

        TesseraRepair repair = pass().repair(info.hash());

        assertEquals(2, repair.proofsFailed());
        assertEquals(3, repair.fragmentsLost());
        assertEquals(List.of(new FakePublisher.Call(Set.of(4, 12, 20), Set.of(recent, gone))), publisher.calls);
        List<Placement> after = book.of(info.hash());
        assertTrue(after.stream().filter(p -> p.peer().equals(recent)).allMatch(p -> p.state() == PlacementBook.State.ACKED));
        assertTrue(after.stream().filter(p -> p.peer().equals(gone)).allMatch(p -> p.state() == PlacementBook.State.LOST));
        assertTrue(network.contacted.contains(recent.toHex() + " silent"));
        assertTrue(repair.notes().stream().anyMatch(n -> n.contains("within the grace")), repair.notes().toString());
    }

    @Test
    void aHolderThatAttestsButNeverPassesAChallengeLosesItsFragmentsOnceTheGraceFromItsLastPassedProofIsOver()
            throws Exception {
        TesseraInfo info = create(5 << 20);
        spread(info.hash(), 24);
        NodeId hollow = holders.get(5).id(); // seen just now, last proven 7 h ago: fragments 5, 13, 21
        book.proved(info.hash(), hollow, Set.of(5, 13, 21), Proof.PASSED, "", NOW.minus(Duration.ofHours(7)));
        proofs.behave(hollow, FakeProofs.Behaviour.REFUSES_CHALLENGES);

        TesseraRepair repair = pass().repair(info.hash());

        assertEquals(3, repair.fragmentsLost());
        assertEquals(List.of(new FakePublisher.Call(Set.of(5, 13, 21), Set.of(hollow))), publisher.calls);
        assertTrue(book.of(info.hash()).stream().filter(p -> p.peer().equals(hollow))
                .allMatch(p -> p.state() == PlacementBook.State.LOST));
    }

    @Test
    void refusingChallengesDoesNotMoveTheGraceForward() throws Exception {
        TesseraInfo info = create(5 << 20);
        spread(info.hash(), 24);
        NodeId hollow = holders.get(5).id();
        Instant proven = NOW.minus(Duration.ofHours(5)); // within the six-hour grace on this pass
        book.proved(info.hash(), hollow, Set.of(5, 13, 21), Proof.PASSED, "", proven);
        proofs.behave(hollow, FakeProofs.Behaviour.REFUSES_CHALLENGES);

        TesseraRepair repair = pass().repair(info.hash());

        assertEquals(0, repair.fragmentsLost());
        assertTrue(book.of(info.hash()).stream().filter(p -> p.peer().equals(hollow))
                .allMatch(p -> p.state() == PlacementBook.State.ACKED && p.lastProof().equals(Optional.of(proven))),
                book.of(info.hash()).toString());
    }

    @Test
    void aHolderNeverProvenRunsItsGraceFromItsAcknowledgement() throws Exception {
        TesseraInfo info = create(5 << 20);
        NodeId late = holders.get(6).id();
        for (int i = 0; i < 24; i++) {
            NodeId peer = holders.get(i % holders.size()).id();
            book.plan(info.hash(), List.of(Placement.pending(info.hash(), i, peer, NOW)));
            book.acked(info.hash(), i, peer, peer.equals(late) ? NOW.minus(Duration.ofHours(7)) : NOW);
        }
        proofs.behave(late, FakeProofs.Behaviour.SILENT); // lastSeen is now: it does not count

        TesseraRepair repair = pass().repair(info.hash());

        assertEquals(3, repair.fragmentsLost());
        assertEquals(List.of(new FakePublisher.Call(Set.of(6, 14, 22), Set.of(late))), publisher.calls);
    }

    @Test
    void stoppingTheNodeMidPassRecordsNothingForTheHolderAskedNorForThoseAfterIt() throws Exception {
        TesseraInfo info = create(5 << 20);
        spread(info.hash(), 24);
        List<NodeId> ordered = holders.stream().map(FakeNetwork.Node::id).sorted().toList();
        NodeId asked = ordered.get(2); // holders are proved in NodeId order
        proofs.behave(asked, FakeProofs.Behaviour.INTERRUPTED);
        List<Placement> before = book.of(info.hash());

        try {
            assertThrows(InterruptedException.class, () -> pass().repair(info.hash()));
        } finally {
            Thread.interrupted();
        }

        for (NodeId untouched : ordered.subList(2, ordered.size())) {
            assertEquals(before.stream().filter(p -> p.peer().equals(untouched)).toList(),
                    book.of(info.hash()).stream().filter(p -> p.peer().equals(untouched)).toList());
        }
        assertTrue(network.contacted.stream().noneMatch(c -> c.endsWith(" silent")), network.contacted.toString());
        assertEquals(List.of(), publisher.calls);
        assertTrue(book.lastRepair(info.hash()).isEmpty());
    }

    @Test
    void aCreatorThatLostMoreThanItsParityFetchesFromHoldersThenRebuildsTheRest() throws Exception {
        TesseraInfo info = create(5 << 20);
        SignedFragmentPlan plan = plan(info.hash());
        for (int i = 0; i < 24; i++) {
            peerStore.store(plan.plan().fragmentId(i), store.read(info.hash(), i).orElseThrow());
        }
        spread(info.hash(), 24);
        for (int i = 0; i < 12; i++) {
            assertTrue(store.delete(info.hash(), i)); // 12 good left, 16 needed
        }

        TesseraRepair repair = pass().repair(info.hash());

        assertEquals(12, repair.localRebuilt());
        assertEquals(4, network.fetches.size(), "only the four missing to reach 16: " + network.fetches);
        assertEquals(4, fetchedMetric.get());
        assertEquals(8, rebuiltMetric.get());
        assertTrue(tesseras.verify(info.hash(), TesseraProgress.NONE).passed());
        assertEquals(0, repair.fragmentsPlaced());
    }

    @Test
    void aSmallTesseraWhoseOnlyLocalCopyRottedIsFetchedFromAHolder() throws Exception {
        TesseraInfo info = create(50_000);
        assertEquals(Tier.SMALL, info.tier());
        SignedFragmentPlan plan = plan(info.hash());
        peerStore.store(plan.plan().fragmentId(0), store.read(info.hash(), 0).orElseThrow());
        for (int i = 0; i < 7; i++) {
            book.plan(info.hash(), List.of(Placement.pending(info.hash(), 0, holders.get(i).id(), NOW)));
            book.acked(info.hash(), 0, holders.get(i).id(), NOW);
        }
        byte[] bytes = Files.readAllBytes(shardFile(info.hash(), 0));
        bytes[7] ^= 1;
        Files.write(shardFile(info.hash(), 0), bytes);

        TesseraRepair repair = pass().repair(info.hash());

        assertEquals(1, repair.localRebuilt());
        assertEquals(0, repair.fragmentsLost());
        assertEquals(1, fetchedMetric.get());
        assertEquals(1, network.fetches.size());
        assertTrue(tesseras.verify(info.hash(), TesseraProgress.NONE).passed());
    }

    @Test
    void aTesseraWhoseRepairFailsIsReportedAndThePassGoesOn() throws Exception {
        TesseraInfo first = create(5 << 20);
        TesseraInfo second = create(60_000);
        spread(first.hash(), 24);
        for (int i = 0; i < 7; i++) {
            book.plan(second.hash(), List.of(Placement.pending(second.hash(), 0, holders.get(i).id(), NOW)));
            book.acked(second.hash(), 0, holders.get(i).id(), NOW);
        }
        ContentHash broken = first.hash().compareTo(second.hash()) < 0 ? first.hash() : second.hash();
        proofs.throwFor(broken);

        RepairReport report = pass().run(Optional.empty());

        assertEquals(2, report.tesseras().size());
        TesseraRepair failed = report.tesseras().stream().filter(r -> r.tessera().equals(broken)).findFirst().orElseThrow();
        assertTrue(failed.notes().get(0).contains("the repair failed: proof service gone"), failed.notes().toString());
        TesseraRepair other = report.tesseras().stream().filter(r -> !r.tessera().equals(broken)).findFirst().orElseThrow();
        assertEquals(other.tessera().equals(first.hash()) ? 8 : 7, other.holdersAsked());
    }

    @Test
    void aTesseraWithoutAKnownPlanIsReportedNotRepaired() throws Exception {
        ContentHash unknown = Fixtures.hash(77);
        book.plan(unknown, List.of(Placement.pending(unknown, 0, holders.get(0).id(), NOW)));

        TesseraRepair repair = pass().repair(unknown);

        assertEquals(0, repair.holdersAsked());
        assertTrue(repair.notes().get(0).contains("no signed fragment plan"), repair.notes().toString());
    }
}
