package net.tesseras.replication.internal.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.core.FragmentId;
import net.tesseras.identity.NodeId;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.internal.db.SqliteDatabase;
import net.tesseras.tessera.FragmentPlan;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReceiveGuardTest {

    private final SqliteDatabase db = SqliteDatabase.inMemory();
    private final AcceptedPlans accepted = new AcceptedPlans(db);
    private final FakeLedger ledger = new FakeLedger(1024 * 1024);
    private final RecordingMetrics metrics = new RecordingMetrics();
    private final ReceiveGuard guard = new ReceiveGuard(accepted, ledger, PlanOfferHandler.DEFAULT_MAX_TESSERA_BYTES, metrics);
    private final TestPeers peers = new TestPeers(17);
    private final NodeId sender = peers.at("10.7.0.1").nodeId();
    private final NodeId stranger = peers.at("10.7.1.1").nodeId();
    private final TestPlans.Made medium = TestPlans.medium(7);
    private final FragmentPlan plan = medium.plan();

    @AfterEach
    void close() {
        db.close();
    }

    private PeerException refused(NodeId from, FragmentId id, long size) {
        return assertThrows(PeerException.class, () -> guard.admit(from, id, size));
    }

    @Test
    void aFragmentOfAnAcceptedOfferIsAdmittedAndCreditedOnceStored() {
        accepted.accept(medium.signed(), sender, List.of(3, 20), Instant.EPOCH);
        guard.admit(sender, plan.fragmentId(3), plan.shardSize());
        guard.admit(sender, plan.fragmentId(20), plan.shardSize());
        guard.stored(sender, new FragmentInfo(plan.fragmentId(3), plan.shardSize(), Instant.EPOCH, Optional.empty()));
        assertEquals(plan.shardSize(), ledger.storedFor(sender));
        assertEquals(plan.shardSize(), metrics.received.get());
        assertEquals(List.of(), metrics.refused);
    }

    @Test
    void withoutAnAcceptedOfferFromThisSenderItIsForbidden() {
        PeerException none = refused(sender, plan.fragmentId(3), plan.shardSize());
        assertEquals(ErrorCode.FORBIDDEN, none.code());
        assertEquals("no accepted plan offer for fragment " + plan.tessera().toHex() + "/3 from " + sender.toHex()
                + "; the sender must offer the plan first", none.getMessage());

        accepted.accept(medium.signed(), sender, List.of(3), Instant.EPOCH);
        assertEquals(ErrorCode.FORBIDDEN, refused(stranger, plan.fragmentId(3), plan.shardSize()).code(), "another sender");
        assertEquals(ErrorCode.FORBIDDEN, refused(sender, plan.fragmentId(4), plan.shardSize()).code(), "another index");
        assertEquals(List.of("plan", "plan", "plan"), metrics.refused);
    }

    @Test
    void aTesseraAboveTheLimitIsRefusedFirst() {
        accepted.accept(medium.signed(), sender, List.of(3), Instant.EPOCH);
        ReceiveGuard strict = new ReceiveGuard(accepted, ledger, 1024, metrics);
        FragmentId wrong = new FragmentId(plan.tessera(), 3, false, Blake3Hashing.hash(new byte[] {1}));
        ledger.storedForPeer(sender, 10L << 20);
        PeerException e = assertThrows(PeerException.class, () -> strict.admit(sender, wrong, 5));
        assertEquals(ErrorCode.TOO_LARGE, e.code(), "size before checksum, length and balance: " + e.getMessage());
        assertEquals(List.of("size"), metrics.refused);
    }

    @Test
    void checksumBeforeLengthBeforeBalance() {
        accepted.accept(medium.signed(), sender, List.of(3), Instant.EPOCH);
        ledger.storedForPeer(sender, 10L << 20); // far beyond the deficit limit
        FragmentId wrongChecksum = new FragmentId(plan.tessera(), 3, false, Blake3Hashing.hash(new byte[] {1}));

        PeerException checksum = refused(sender, wrongChecksum, 17);
        assertEquals(ErrorCode.CHECKSUM_MISMATCH, checksum.code());
        assertTrue(checksum.getMessage().contains(wrongChecksum.checksum().toHex())
                && checksum.getMessage().contains(plan.checksums().get(3).toHex()), "names both: " + checksum.getMessage());

        PeerException length = refused(sender, plan.fragmentId(3), 17);
        assertEquals(ErrorCode.MALFORMED, length.code());
        assertTrue(length.getMessage().contains("17") && length.getMessage().contains(String.valueOf(plan.shardSize())),
                "names both sizes: " + length.getMessage());

        PeerException balance = refused(sender, plan.fragmentId(3), plan.shardSize());
        assertEquals(ErrorCode.FORBIDDEN, balance.code());
        assertTrue(balance.getMessage().contains("deficit"), balance.getMessage());
        assertEquals(List.of("checksum", "length", "balance"), metrics.refused);
    }

    @Test
    void aFragmentAnnouncedAsTheWrongKindIsMalformed() {
        accepted.accept(medium.signed(), sender, List.of(3), Instant.EPOCH);
        FragmentId asParity = new FragmentId(plan.tessera(), 3, true, plan.checksums().get(3));
        assertEquals(ErrorCode.MALFORMED, refused(sender, asParity, plan.shardSize()).code());
    }
}
