package net.tesseras.replication.internal.ledger;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import net.tesseras.identity.NodeId;
import net.tesseras.replication.LedgerEntry;
import net.tesseras.replication.internal.peers.MintedIdentity;
import net.tesseras.storage.internal.db.DatabaseConfig;
import net.tesseras.storage.internal.db.SqliteDatabase;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reciprocity ledger over a real SQLite database. */
class SqliteLedgerTest {

    private static final long MIB = 1L << 20;

    @TempDir
    Path dir;

    private SqliteDatabase db;
    private final Clock clock = Clock.fixed(Instant.parse("2026-11-30T12:00:00Z"), ZoneOffset.UTC);
    private SqliteLedger ledger;
    private final NodeId peer = MintedIdentity.newNodeId();

    @BeforeEach
    void open() {
        db = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("node.db")));
        ledger = new SqliteLedger(db, clock, SqliteLedger.DEFAULT_DEFICIT_LIMIT_BYTES, Set.of());
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void aPeerNeverRecordedHasZeroCounts() {
        LedgerEntry entry = ledger.entry(peer);
        assertEquals(0, entry.storedForThem());
        assertEquals(0, entry.theyStoreForUs());
        assertEquals(0, entry.balance());
        assertEquals(List.of(), ledger.entries());
    }

    @Test
    void bothDirectionsAddUp() {
        ledger.storedForPeer(peer, 100);
        ledger.storedForPeer(peer, 50);
        ledger.peerStoresForUs(peer, 30);
        LedgerEntry entry = ledger.entry(peer);
        assertEquals(150, entry.storedForThem());
        assertEquals(30, entry.theyStoreForUs());
        assertEquals(-120, entry.balance());
        assertEquals(clock.instant(), entry.lastUpdated());
        assertEquals(List.of(entry), ledger.entries());
    }

    @Test
    void exactlyAtTheLimitIsAcceptedOneByteMoreIsRefused() {
        ledger.storedForPeer(peer, 100 * MIB);
        ledger.peerStoresForUs(peer, 10 * MIB);
        long balance = -90 * MIB;
        long upToLimit = 256 * MIB + balance; // balance - additional == -limit

        assertDoesNotThrow(() -> ledger.checkCredit(peer, upToLimit));
        PeerException refused = assertThrows(PeerException.class, () -> ledger.checkCredit(peer, upToLimit + 1));

        assertEquals(ErrorCode.FORBIDDEN, refused.code());
        String reason = refused.getMessage();
        assertTrue(reason.contains("peer " + peer), reason);
        assertTrue(reason.contains("balance of " + balance + " bytes"), reason);
        assertTrue(reason.contains("storing " + (upToLimit + 1) + " bytes more"), reason);
        assertTrue(reason.contains("deficit limit of " + 256 * MIB + " bytes"), reason);
        assertTrue(reason.contains("ledger.deficit.limit.mb"), reason);
        assertTrue(reason.contains("etc/net.tesseras.replication.cfg"), reason);
    }

    @Test
    void aPeerAlreadyPastTheLimitIsRefusedEvenForNothingMore() {
        ledger.storedForPeer(peer, 256 * MIB);
        assertDoesNotThrow(() -> ledger.checkCredit(peer, 0), "exactly -limit");
        ledger.storedForPeer(peer, 1);
        assertThrows(PeerException.class, () -> ledger.checkCredit(peer, 0));
    }

    @Test
    void whatAPeerStoresForUsEarnsItCredit() {
        ledger.storedForPeer(peer, 300 * MIB);
        assertThrows(PeerException.class, () -> ledger.checkCredit(peer, 1));
        ledger.peerStoresForUs(peer, 100 * MIB);
        assertDoesNotThrow(() -> ledger.checkCredit(peer, 56 * MIB));
    }

    @Test
    void theLimitIsSettableLive() {
        ledger.storedForPeer(peer, 10 * MIB);
        ledger.setDeficitLimit(10 * MIB);
        assertDoesNotThrow(() -> ledger.checkCredit(peer, 0));
        assertThrows(PeerException.class, () -> ledger.checkCredit(peer, 1));
        ledger.setDeficitLimit(0);
        assertThrows(PeerException.class, () -> ledger.checkCredit(peer, 0));
        assertDoesNotThrow(() -> ledger.checkCredit(MintedIdentity.newNodeId(), 0), "a new peer with limit 0 may ask for nothing");
        assertThrows(IllegalArgumentException.class, () -> ledger.setDeficitLimit(-1));
        assertEquals(0, ledger.deficitLimit());
    }

    @Test
    void institutionalPeersAreNeverRefused() {
        ledger.storedForPeer(peer, 10_000 * MIB);
        assertThrows(PeerException.class, () -> ledger.checkCredit(peer, 1));
        assertFalse(ledger.institutional(peer));

        ledger.setInstitutional(Set.of(peer));

        assertTrue(ledger.institutional(peer));
        assertDoesNotThrow(() -> ledger.checkCredit(peer, 10L << 30));
        assertTrue(ledger.entry(peer).institutional());
        ledger.setInstitutional(Set.of());
        assertThrows(PeerException.class, () -> ledger.checkCredit(peer, 1), "removed from the list: refused again");
    }

    @Test
    void largeValuesDoNotOverflowTheCheck() {
        ledger.setDeficitLimit(Long.MAX_VALUE);
        assertDoesNotThrow(() -> ledger.checkCredit(peer, Long.MAX_VALUE));
        ledger.setDeficitLimit(0);
        ledger.peerStoresForUs(peer, Long.MAX_VALUE / 2);
        assertDoesNotThrow(() -> ledger.checkCredit(peer, Long.MAX_VALUE / 2));
        assertThrows(PeerException.class, () -> ledger.checkCredit(peer, Long.MAX_VALUE));
    }

    @Test
    void negativeAmountsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ledger.storedForPeer(peer, -1));
        assertThrows(IllegalArgumentException.class, () -> ledger.peerStoresForUs(peer, -1));
        assertThrows(IllegalArgumentException.class, () -> ledger.checkCredit(peer, -1));
        assertEquals(List.of(), ledger.entries());
    }

    @Test
    void concurrentIncrementsAllCount() throws Exception {
        int threads = 8;
        int perThread = 200;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                boolean giving = t % 2 == 0;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        if (giving) {
                            ledger.peerStoresForUs(peer, 3);
                        } else {
                            ledger.storedForPeer(peer, 5);
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        LedgerEntry entry = ledger.entry(peer);
        assertEquals(threads / 2 * perThread * 3L, entry.theyStoreForUs());
        assertEquals(threads / 2 * perThread * 5L, entry.storedForThem());
    }

    @Test
    void entriesSurviveARestartInNodeIdOrder() {
        List<NodeId> peers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            NodeId id = MintedIdentity.newNodeId();
            peers.add(id);
            ledger.storedForPeer(id, i + 1);
            ledger.peerStoresForUs(id, 10L * i);
        }
        List<LedgerEntry> before = ledger.entries();

        db.close();
        db = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("node.db")));
        SqliteLedger reopened = new SqliteLedger(db, clock, SqliteLedger.DEFAULT_DEFICIT_LIMIT_BYTES, Set.of());

        assertEquals(before, reopened.entries());
        assertEquals(peers.stream().sorted().toList(), reopened.entries().stream().map(LedgerEntry::peer).toList());
        LedgerEntry last = reopened.entry(peers.get(4));
        assertEquals(5, last.storedForThem());
        assertEquals(40, last.theyStoreForUs());
    }
}
