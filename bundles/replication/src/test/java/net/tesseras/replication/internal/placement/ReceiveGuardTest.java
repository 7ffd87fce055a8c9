package net.tesseras.replication.internal.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.core.FragmentId;
import net.tesseras.storage.internal.db.DatabaseConfig;
import net.tesseras.identity.NodeId;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.internal.db.SqliteDatabase;
import net.tesseras.storage.internal.fs.FsFragmentStore;
import net.tesseras.tessera.FragmentPlan;
import net.tesseras.testkit.TestIdentity;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReceiveGuardTest {

    private static final Instant NOW = Instant.parse("2026-11-30T10:00:00Z");

    @TempDir
    Path dir;
    private SqliteDatabase db;
    private FsFragmentStore local;
    private AcceptedPlans accepted;
    private ReceiveGuard guard;
    private final MutableClock clock = new MutableClock(NOW);
    private final FakeLedger ledger = new FakeLedger(1024 * 1024);
    private final RecordingMetrics metrics = new RecordingMetrics();
    private final TestPeers peers = new TestPeers(17);
    private final NodeId sender = peers.at("10.7.0.1").nodeId();
    private final NodeId stranger = peers.at("10.7.1.1").nodeId();
    private final TestPlans.Made medium = TestPlans.medium(7);
    private final FragmentPlan plan = medium.plan();

    @BeforeEach
    void open() {
        db = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("db/tesseras.db")));
        local = FsFragmentStore.open("fs", dir.resolve("fragments"), db, 0, false);
        accepted = new AcceptedPlans(db, () -> local, clock);
        guard = new ReceiveGuard(accepted, ledger, PlanOfferHandler.DEFAULT_MAX_TESSERA_BYTES, metrics, () -> local);
    }

    @AfterEach
    void close() {
        local.close();
        db.close();
    }

    private PeerException refused(NodeId from, FragmentId id, long size) {
        return assertThrows(PeerException.class, () -> guard.admit(from, id, size));
    }

    /** What the transport does for an admitted PUT: the store keeps it (or answers with the copy it has), then stored(). */
    private void put(NodeId from, TestPlans.Made made, int index) {
        FragmentId id = made.plan().fragmentId(index);
        guard.admit(from, id, made.plan().shardSize());
        FragmentInfo info = local.store(id, ByteBuffer.wrap(made.fragments().get(index)));
        guard.stored(from, info);
    }

    @Test
    void aFragmentOfAnAcceptedOfferIsAdmittedAndCreditedOnceStored() {
        accepted.accept(medium.signed(), sender, List.of(3, 20), NOW);
        guard.admit(sender, plan.fragmentId(3), plan.shardSize());
        guard.admit(sender, plan.fragmentId(20), plan.shardSize());
        guard.stored(sender, new FragmentInfo(plan.fragmentId(3), plan.shardSize(), NOW, Optional.empty()));
        assertEquals(plan.shardSize(), ledger.storedFor(sender));
        assertEquals(plan.shardSize(), metrics.received.get());
        assertEquals(List.of(), metrics.refused);
    }

    @Test
    void aFragmentSentAgainIsCreditedOnlyOnce() {
        accepted.accept(medium.signed(), sender, List.of(3), NOW);
        put(sender, medium, 3);
        put(sender, medium, 3); // a retry after a lost acknowledgement
        put(sender, medium, 3); // a resumed publisher
        assertEquals(plan.shardSize(), ledger.storedFor(sender), "the store holds one copy: one credit");
        assertEquals(3 * plan.shardSize(), metrics.received.get(), "every PUT's bytes did arrive");
    }

    @Test
    void aFragmentAnotherSenderStoredAlreadyEarnsNoCredit() {
        accepted.accept(medium.signed(), sender, List.of(3), NOW);
        accepted.accept(medium.signed(), stranger, List.of(3), NOW);
        put(sender, medium, 3);
        put(stranger, medium, 3);
        assertEquals(plan.shardSize(), ledger.storedFor(sender));
        assertEquals(0, ledger.storedFor(stranger), "nothing more is stored for it");
    }

    @Test
    void withoutAnAcceptedOfferFromThisSenderItIsForbidden() {
        PeerException none = refused(sender, plan.fragmentId(3), plan.shardSize());
        assertEquals(ErrorCode.FORBIDDEN, none.code());
        assertEquals("no accepted plan offer for fragment " + plan.tessera().toHex() + "/3 from " + sender.toHex()
                + "; the sender must offer the plan first", none.getMessage());

        accepted.accept(medium.signed(), sender, List.of(3), NOW);
        assertEquals(ErrorCode.FORBIDDEN, refused(stranger, plan.fragmentId(3), plan.shardSize()).code(), "another sender");
        assertEquals(ErrorCode.FORBIDDEN, refused(sender, plan.fragmentId(4), plan.shardSize()).code(), "another index");
        assertEquals(List.of("plan", "plan", "plan"), metrics.refused);
    }

    @Test
    void eachSenderIsCheckedAgainstThePlanItOffered() {
        TestPlans.Made forged = TestPlans.forged(medium, new TestIdentity(), 99);
        accepted.accept(forged.signed(), stranger, List.of(3), NOW);
        accepted.accept(medium.signed(), sender, List.of(3), NOW);
        guard.admit(sender, plan.fragmentId(3), plan.shardSize());
        guard.admit(stranger, forged.plan().fragmentId(3), plan.shardSize());
        assertEquals(ErrorCode.CHECKSUM_MISMATCH, refused(stranger, plan.fragmentId(3), plan.shardSize()).code(),
                "the stranger offered the forged plan, not the creator's");
        assertEquals(ErrorCode.CHECKSUM_MISMATCH, refused(sender, forged.plan().fragmentId(3), plan.shardSize()).code());
    }

    @Test
    void anAcceptanceWhoseFragmentDidNotArriveInTimeLapses() {
        accepted.accept(medium.signed(), sender, List.of(3, 4), NOW);
        put(sender, medium, 3);
        clock.advance(AcceptedPlans.OFFER_TTL);
        assertEquals(ErrorCode.FORBIDDEN, refused(sender, plan.fragmentId(4), plan.shardSize()).code(), "expired");
        guard.admit(sender, plan.fragmentId(3), plan.shardSize()); // arrived: it stays accepted (a re-send is harmless)
        assertEquals(new AcceptedPlans.Outstanding(0, 0), accepted.outstanding(sender));
    }

    @Test
    void aTesseraAboveTheLimitIsRefusedFirst() {
        accepted.accept(medium.signed(), sender, List.of(3), NOW);
        ReceiveGuard strict = new ReceiveGuard(accepted, ledger, 1024, metrics);
        FragmentId wrong = new FragmentId(plan.tessera(), 3, false, Blake3Hashing.hash(new byte[] {1}));
        ledger.storedForPeer(sender, 10L << 20);
        PeerException e = assertThrows(PeerException.class, () -> strict.admit(sender, wrong, 5));
        assertEquals(ErrorCode.TOO_LARGE, e.code(), "size before checksum, length and balance: " + e.getMessage());
        assertEquals(List.of("size"), metrics.refused);
    }

    @Test
    void checksumBeforeLengthBeforeBalance() {
        accepted.accept(medium.signed(), sender, List.of(3), NOW);
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
        accepted.accept(medium.signed(), sender, List.of(3), NOW);
        FragmentId asParity = new FragmentId(plan.tessera(), 3, true, plan.checksums().get(3));
        assertEquals(ErrorCode.MALFORMED, refused(sender, asParity, plan.shardSize()).code());
    }
}
