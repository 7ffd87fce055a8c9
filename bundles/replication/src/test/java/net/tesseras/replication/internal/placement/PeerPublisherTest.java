package net.tesseras.replication.internal.placement;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import net.tesseras.core.ContentHash;
import net.tesseras.identity.NodeId;
import net.tesseras.replication.Peer;
import net.tesseras.replication.internal.placement.PlacementBook.Placement;
import net.tesseras.replication.internal.placement.PlacementBook.State;
import net.tesseras.replication.internal.placement.Publisher.PlaceResult;
import net.tesseras.storage.internal.db.DatabaseConfig;
import net.tesseras.storage.internal.db.SqliteDatabase;
import net.tesseras.storage.internal.fs.FsFragmentStore;
import net.tesseras.tessera.SignedFragmentPlan;
import net.tesseras.tessera.TesseraProgress;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerPublisherTest {

    private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
    private static final PeerPublisher.Settings SETTINGS = new PeerPublisher.Settings(2, 8, 4, Duration.ofSeconds(30),
            Duration.ofHours(1), Duration.ofMinutes(10), 16L << 20);

    @TempDir
    Path dir;

    private final TestPeers peers = new TestPeers(18);
    private final MutableClock clock = new MutableClock(T0);
    private final NodeId self = peers.at("10.8.255.1").nodeId();
    private final FakeNetwork network = new FakeNetwork(self, clock);
    private final FakeLedger ledger = new FakeLedger(1L << 40);
    private final RecordingMetrics metrics = new RecordingMetrics();
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final Map<ContentHash, SignedFragmentPlan> plans = new java.util.concurrent.ConcurrentHashMap<>();
    private SqliteDatabase db;
    private FsFragmentStore local;
    private SqlitePlacementBook book;

    @BeforeEach
    void open() {
        db = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("db/tesseras.db")));
        local = FsFragmentStore.open("fs", dir.resolve("fragments"), db, 0, false);
        book = new SqlitePlacementBook(db);
    }

    @AfterEach
    void close() {
        executor.shutdownNow();
        network.close();
        local.close();
        db.close();
    }

    private PeerPublisher publisher(PlacementBook on) {
        return new PeerPublisher(network, network, () -> local, t -> Optional.ofNullable(plans.get(t)), on, ledger,
                new PlacementRules(), new Spread(7), SETTINGS, metrics, clock, executor, new Random(1));
    }

    private void addPeers(int n) {
        for (int i = 0; i < n; i++) {
            network.add(peers.at("10.8." + network.nodes.size() + ".1"));
        }
    }

    /** A plan whose fragments are in the local store. */
    private TestPlans.Made held(TestPlans.Made made) {
        for (int i = 0; i < made.fragments().size(); i++) {
            local.store(made.plan().fragmentId(i), ByteBuffer.wrap(made.fragments().get(i)));
        }
        plans.put(made.plan().tessera(), made.signed());
        return made;
    }

    private static Set<Integer> all(int n) {
        return IntStream.range(0, n).boxed().collect(Collectors.toSet());
    }

    private Placement placement(ContentHash tessera, int index, NodeId peer) {
        return book.of(tessera).stream().filter(p -> p.index() == index && p.peer().equals(peer)).findFirst().orElseThrow();
    }

    @Test
    void aMediumTesseraGoesOneFragmentPerPeerAndEachAckIsCredited() {
        addPeers(30);
        TestPlans.Made made = held(TestPlans.medium(20));
        long shard = made.plan().shardSize();

        PlaceResult result = publisher(book).place(made.signed(), all(24), Set.of(), TesseraProgress.NONE);

        assertEquals(24, result.placed(), result.notes().toString());
        assertEquals(0, result.pending());
        assertEquals(24 * shard, result.bytes());
        List<Placement> placements = book.of(made.plan().tessera());
        assertEquals(24, placements.size());
        assertTrue(placements.stream().allMatch(p -> p.state() == State.ACKED));
        assertEquals(24, placements.stream().map(Placement::peer).distinct().count(), "one fragment per peer");
        for (Placement p : placements) {
            FakeNetwork.Node node = network.node(p.peer());
            assertTrue(node.holds(made.plan().tessera(), p.index()));
            assertArrayEquals(made.fragments().get(p.index()), node.stored.get(made.plan().tessera().toHex() + "/" + p.index()));
            assertEquals(shard, ledger.storesForUs(p.peer()), "credited on its ack");
            assertEquals(shard, node.ledger.storedFor(self), "the receiver credited the authenticated sender");
        }
        assertEquals(24 * shard, metrics.sent.get());
        // The chosen are the 24 closest by XOR (every peer is on its own subnet).
        Set<NodeId> closest = network.closest(PlacementRules.target(made.plan().tessera()), 24).stream().map(Peer::nodeId)
                .collect(Collectors.toSet());
        assertEquals(closest, placements.stream().map(Placement::peer).collect(Collectors.toSet()));
    }

    @Test
    void overSevenPeersTheFragmentsAreBalanced() {
        addPeers(7);
        TestPlans.Made made = held(TestPlans.medium(21));
        PlaceResult result = publisher(book).place(made.signed(), all(24), Set.of(), TesseraProgress.NONE);
        assertEquals(24, result.placed());
        Map<NodeId, Long> perPeer = book.of(made.plan().tessera()).stream()
                .collect(Collectors.groupingBy(Placement::peer, Collectors.counting()));
        assertEquals(7, perPeer.size());
        assertTrue(perPeer.values().stream().allMatch(c -> c == 3 || c == 4), perPeer.toString());
    }

    @Test
    void aPeerRefusingTheOfferLosesItsPlacementsAndTheyAreBackfilledElsewhere() {
        addPeers(10);
        TestPlans.Made made = held(TestPlans.medium(22));
        Peer closest = network.closest(PlacementRules.target(made.plan().tessera()), 1).get(0);
        FakeNetwork.Node refusing = network.node(closest.nodeId());
        refusing.refuseOffers = new PeerException(ErrorCode.FORBIDDEN, "peer is 300 MiB in deficit");

        PlaceResult result = publisher(book).place(made.signed(), all(24), Set.of(), TesseraProgress.NONE);

        assertEquals(24, result.placed(), result.notes().toString());
        List<Placement> placements = book.of(made.plan().tessera());
        List<Placement> lost = placements.stream().filter(p -> p.peer().equals(closest.nodeId())).toList();
        assertFalse(lost.isEmpty(), "the closest peer was chosen and offered fragments");
        assertTrue(lost.stream().allMatch(p -> p.state() == State.LOST && p.detail().contains("300 MiB in deficit")), lost.toString());
        Set<Integer> acked = placements.stream().filter(p -> p.state() == State.ACKED).map(Placement::index).collect(Collectors.toSet());
        assertEquals(all(24), acked, "every fragment ACKED on another peer");
        assertTrue(refusing.stored.isEmpty());
        assertEquals(0, ledger.storesForUs(closest.nodeId()), "nothing credited for a refusal");
        assertTrue(result.notes().stream().anyMatch(n -> n.contains("300 MiB in deficit")), result.notes().toString());
    }

    @Test
    void aPeerWhoseReplicationIsStoppedIsRetriedLaterNotGivenUp() {
        addPeers(10);
        TestPlans.Made made = held(TestPlans.medium(23));
        Peer closest = network.closest(PlacementRules.target(made.plan().tessera()), 1).get(0);
        // Its transport answers, but no handler serves PLAN_OFFER while its replication bundle is stopped.
        network.node(closest.nodeId()).refuseOffers = new PeerException(ErrorCode.UNKNOWN_TYPE,
                "message type 0x20 is not served here");

        publisher(book).place(made.signed(), all(24), Set.of(), TesseraProgress.NONE);

        List<Placement> its = book.of(made.plan().tessera()).stream().filter(p -> p.peer().equals(closest.nodeId())).toList();
        assertFalse(its.isEmpty());
        assertTrue(its.stream().allMatch(p -> p.state() == State.PENDING), its.toString());
    }

    @Test
    void aPeersErrorTextReachesPlacementsWithoutControlCharactersAndCut() {
        addPeers(10);
        TestPlans.Made made = held(TestPlans.small(24));
        Peer closest = network.closest(PlacementRules.target(made.plan().tessera()), 1).get(0);
        String hostile = "refused\r\n2026-12-01 INFO forged log line\u001b[2J\u202e" + "x".repeat(64 * 1024);
        network.node(closest.nodeId()).refuseOffers = new PeerException(ErrorCode.FORBIDDEN, hostile);

        publisher(book).place(made.signed(), all(1), Set.of(), TesseraProgress.NONE);

        Placement lost = book.of(made.plan().tessera()).stream().filter(p -> p.peer().equals(closest.nodeId()))
                .findFirst().orElseThrow();
        assertTrue(lost.detail().contains("refused  2026-12-01 INFO forged log line [2J"), lost.detail());
        assertTrue(lost.detail().chars().noneMatch(c -> Character.isISOControl(c) || c == 0x202e), lost.detail());
        assertTrue(lost.detail().length() < 400 && lost.detail().endsWith("... (cut)"), lost.detail().length() + " characters");
    }

    @Test
    void aPutThatFailsTwiceIsRetriedWithGrowingBackoffThenAckedAndOnlyThenCredited() {
        addPeers(7);
        TestPlans.Made made = held(TestPlans.small(23));
        ContentHash tessera = made.plan().tessera();
        FakeNetwork.Node flaky = network.nodes.get(3);
        flaky.failPuts.set(2);
        PeerPublisher publisher = publisher(book);

        PlaceResult first = publisher.place(made.signed(), Set.of(0), Set.of(), TesseraProgress.NONE);

        assertEquals(6, first.placed(), first.notes().toString());
        assertEquals(1, first.pending());
        Placement waiting = placement(tessera, 0, flaky.peer.nodeId());
        assertEquals(State.PENDING, waiting.state());
        assertEquals(1, waiting.attempts());
        Duration wait1 = Duration.between(T0, waiting.nextAttempt());
        assertTrue(wait1.compareTo(Duration.ofSeconds(15)) >= 0 && wait1.compareTo(Duration.ofSeconds(30)) <= 0, wait1.toString());
        assertEquals(0, ledger.storesForUs(flaky.peer.nodeId()), "no credit before an ack");

        assertEquals(0, publisher.resumeDue(100).placed(), "not due yet");
        clock.advance(wait1);
        PlaceResult second = publisher.resumeDue(100);
        assertEquals(0, second.placed());
        Placement again = placement(tessera, 0, flaky.peer.nodeId());
        assertEquals(2, again.attempts());
        Duration wait2 = Duration.between(clock.instant(), again.nextAttempt());
        assertTrue(wait2.compareTo(Duration.ofSeconds(30)) >= 0 && wait2.compareTo(Duration.ofSeconds(60)) <= 0, wait2.toString());

        clock.advance(wait2);
        PlaceResult third = publisher.resumeDue(100);
        assertEquals(1, third.placed(), third.notes().toString());
        assertEquals(State.ACKED, placement(tessera, 0, flaky.peer.nodeId()).state());
        assertEquals(made.plan().shardSize(), ledger.storesForUs(flaky.peer.nodeId()));
        assertEquals(7, network.nodes.stream().filter(n -> n.holds(tessera, 0)).count(), "r = 7 whole copies");
        assertEquals(2, metrics.sendFailed.get());
    }

    @Test
    void afterTheLastAttemptAPlacementIsLost() {
        addPeers(7);
        TestPlans.Made made = held(TestPlans.small(24));
        FakeNetwork.Node dead = network.nodes.get(0);
        dead.failPuts.set(100);
        PeerPublisher publisher = publisher(book);
        publisher.place(made.signed(), Set.of(0), Set.of(), TesseraProgress.NONE);
        for (int i = 0; i < SETTINGS.maxAttempts(); i++) {
            clock.advance(SETTINGS.maxRetry());
            publisher.resumeDue(100);
        }
        Placement gone = placement(made.plan().tessera(), 0, dead.peer.nodeId());
        assertEquals(State.LOST, gone.state());
        assertEquals(SETTINGS.maxAttempts(), gone.attempts());
        assertTrue(gone.detail().contains("injected TIMEOUT"), gone.detail());
    }

    @Test
    void aRestartResumesPendingPlacementsFromTheBook() {
        addPeers(7);
        TestPlans.Made made = held(TestPlans.small(25));
        ContentHash tessera = made.plan().tessera();
        FakeNetwork.Node away = network.nodes.get(5);
        away.down = true;
        publisher(book).place(made.signed(), Set.of(0), Set.of(), TesseraProgress.NONE);
        assertEquals(State.PENDING, placement(tessera, 0, away.peer.nodeId()).state());
        assertTrue(network.contacted.contains(away.peer.nodeId().toHex() + " silent"));

        // A new publisher over a new book on the same database: a restarted node or bundle.
        SqlitePlacementBook reopened = new SqlitePlacementBook(db);
        away.down = false;
        clock.advance(SETTINGS.maxRetry());
        PlaceResult resumed = publisher(reopened).resumeDue(100);

        assertEquals(1, resumed.placed(), resumed.notes().toString());
        assertEquals(State.ACKED, placement(tessera, 0, away.peer.nodeId()).state());
        assertTrue(away.holds(tessera, 0));
        assertEquals(made.plan().shardSize(), ledger.storesForUs(away.peer.nodeId()));
    }

    @Test
    void aRepairPlacesOnlyWhatHasNoHolderAndAvoidsTheGivenPeers() {
        addPeers(12);
        TestPlans.Made made = held(TestPlans.medium(26));
        ContentHash tessera = made.plan().tessera();
        PeerPublisher publisher = publisher(book);
        publisher.place(made.signed(), all(24), Set.of(), TesseraProgress.NONE);
        assertEquals(0, publisher.place(made.signed(), all(24), Set.of(), TesseraProgress.NONE).placed(), "nothing to do");

        NodeId gone = book.of(tessera).get(0).peer();
        Set<Integer> itsFragments = book.of(tessera).stream().filter(p -> p.peer().equals(gone)).map(Placement::index)
                .collect(Collectors.toSet());
        itsFragments.forEach(i -> book.lost(tessera, i, gone, "holder gone"));
        int putsBefore = network.puts.get();

        PlaceResult repair = publisher.place(made.signed(), all(24), Set.of(gone), TesseraProgress.NONE);

        assertEquals(itsFragments.size(), repair.placed());
        assertEquals(itsFragments.size(), network.puts.get() - putsBefore, "only the lost fragments travel");
        Set<NodeId> newHolders = new HashSet<>();
        for (int i : itsFragments) {
            book.of(tessera).stream().filter(p -> p.index() == i && p.state() == State.ACKED).forEach(p -> newHolders.add(p.peer()));
        }
        assertFalse(newHolders.contains(gone));
    }
}
