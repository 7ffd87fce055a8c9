package net.tesseras.replication.internal.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.tesseras.core.ContentHash;
import net.tesseras.identity.NodeId;
import net.tesseras.replication.TesseraStatus.Proof;
import net.tesseras.replication.internal.placement.PlacementBook.Placement;
import net.tesseras.replication.internal.placement.PlacementBook.State;
import net.tesseras.storage.internal.db.DatabaseConfig;
import net.tesseras.storage.internal.db.SqliteDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqlitePlacementBookTest {

    private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
    private final TestPeers peers = new TestPeers(15);
    private final NodeId a = peers.at("10.5.0.1").nodeId();
    private final NodeId b = peers.at("10.5.1.1").nodeId();
    private final ContentHash tessera = TestPlans.medium(3).plan().tessera();

    @TempDir
    Path dir;

    @Test
    void aNewBookOverTheSameDatabaseResumesDuePlacements() {
        Path file = dir.resolve("tesseras.db");
        try (SqliteDatabase db = SqliteDatabase.open(DatabaseConfig.file(file))) {
            SqlitePlacementBook book = new SqlitePlacementBook(db);
            book.plan(tessera, List.of(Placement.pending(tessera, 0, a, T0), Placement.pending(tessera, 1, b, T0),
                    Placement.pending(tessera, 2, a, T0.plusSeconds(600))));
            book.acked(tessera, 1, b, T0.plusSeconds(1));
            book.failed(tessera, 0, a, "TIMEOUT no answer", T0.plusSeconds(30), false);
        }
        try (SqliteDatabase db = SqliteDatabase.open(DatabaseConfig.file(file))) {
            SqlitePlacementBook book = new SqlitePlacementBook(db);
            assertEquals(List.of(tessera), book.tesseras());
            assertEquals(List.of(), book.due(T0.plusSeconds(29), 10), "backing off");
            List<Placement> due = book.due(T0.plusSeconds(30), 10);
            assertEquals(1, due.size());
            assertEquals(0, due.get(0).index());
            assertEquals(1, due.get(0).attempts());
            assertEquals("TIMEOUT no answer", due.get(0).detail());
            assertEquals(2, book.due(T0.plusSeconds(600), 10).size(), "the later one falls due too; the acked one never");
            assertEquals(1, book.due(T0.plusSeconds(600), 1).size(), "limit");
            assertEquals(State.ACKED, book.of(tessera).get(1).state());
        }
    }

    @Test
    void giveUpLosesAndAReplanRevivesOnlyLostPlacements() {
        try (SqliteDatabase db = SqliteDatabase.inMemory()) {
            SqlitePlacementBook book = new SqlitePlacementBook(db);
            book.plan(tessera, List.of(Placement.pending(tessera, 0, a, T0), Placement.pending(tessera, 1, a, T0)));
            book.failed(tessera, 0, a, "FORBIDDEN refused", T0, true);
            book.acked(tessera, 1, a, T0);
            assertEquals(State.LOST, book.of(tessera).get(0).state());
            book.plan(tessera, List.of(Placement.pending(tessera, 0, a, T0.plusSeconds(5)), Placement.pending(tessera, 1, a, T0)));
            List<Placement> rows = book.of(tessera);
            assertEquals(State.PENDING, rows.get(0).state());
            assertEquals(0, rows.get(0).attempts());
            assertEquals(State.ACKED, rows.get(1).state(), "an acked placement is not planned again");
            book.failed(tessera, 1, a, "late failure", T0, true);
            assertEquals(State.ACKED, book.of(tessera).get(1).state(), "failed() only touches pending placements");
        }
    }

    @Test
    void aConclusiveProofLosesWhatItDidNotCoverAnUnreachableOneKeepsIt() {
        try (SqliteDatabase db = SqliteDatabase.inMemory()) {
            SqlitePlacementBook book = new SqlitePlacementBook(db);
            book.plan(tessera, List.of(Placement.pending(tessera, 0, a, T0), Placement.pending(tessera, 1, a, T0),
                    Placement.pending(tessera, 2, b, T0)));
            for (int i = 0; i < 2; i++) {
                book.acked(tessera, i, a, T0);
            }
            book.acked(tessera, 2, b, T0);
            Instant proof = T0.plusSeconds(100);
            book.proved(tessera, a, Set.of(0), Proof.PASSED, "", proof);
            book.proved(tessera, b, Set.of(), Proof.UNREACHABLE, "TIMEOUT", proof);
            List<Placement> rows = book.of(tessera);
            assertTrue(rows.get(0).live());
            assertEquals(Proof.PASSED, rows.get(0).proof());
            assertEquals(Optional.of(proof), rows.get(0).lastProof());
            assertEquals(State.LOST, rows.get(1).state(), "fragment 1 missing from a passed proof");
            assertEquals(State.ACKED, rows.get(2).state(), "unreachable: repair decides");
            assertEquals(Proof.UNREACHABLE, rows.get(2).proof());
            assertEquals("TIMEOUT", rows.get(2).detail());

            book.lost(tessera, 0, a, "holder gone");
            assertEquals(State.LOST, book.of(tessera).get(0).state());
            book.repaired(tessera, proof);
            book.repaired(tessera, proof.plusSeconds(1));
            assertEquals(Optional.of(proof.plusSeconds(1)), book.lastRepair(tessera));
            book.forget(tessera);
            assertEquals(List.of(), book.of(tessera));
            assertEquals(Optional.empty(), book.lastRepair(tessera));
            assertEquals(List.of(), book.tesseras());
        }
    }
}
