package net.tesseras.replication.internal.placement;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import net.tesseras.identity.NodeId;
import net.tesseras.replication.internal.wire.MessageTypes;
import net.tesseras.storage.internal.db.SqliteDatabase;
import net.tesseras.tessera.SignedFragmentPlan;
import net.tesseras.testkit.TestIdentity;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerException;
import net.tesseras.transport.PeerMessage;
import net.tesseras.transport.PeerRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PlanOfferHandlerTest {

    private static final long SHARD = 256 * 1024;

    private final SqliteDatabase db = SqliteDatabase.inMemory();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T10:00:00Z"));
    private final AcceptedPlans accepted = new AcceptedPlans(db, () -> null, clock);
    private final FakeLedger ledger = new FakeLedger(1024 * 1024);
    private final AtomicLong free = new AtomicLong(100L << 20);
    private final RecordingMetrics metrics = new RecordingMetrics();
    private final PlanOfferHandler handler = new PlanOfferHandler(accepted, ledger, free::get, PlanOfferHandler.DEFAULT_MAX_TESSERA_BYTES,
            metrics, clock);
    private final TestPeers peers = new TestPeers(16);
    private final NodeId sender = peers.at("10.6.0.1").nodeId();
    private final TestPlans.Made medium = TestPlans.medium(4);

    @AfterEach
    void close() {
        db.close();
    }

    private PeerMessage offer(byte[] plan, List<Integer> indices) {
        return offer(sender, plan, indices);
    }

    private PeerMessage offer(NodeId from, byte[] plan, List<Integer> indices) {
        return handler.handle(new PeerRequest(from, new InetSocketAddress("127.0.0.1", 1), new PlanOffer(plan, indices).toMessage()));
    }

    private PeerException refused(NodeId from, byte[] plan, List<Integer> indices) {
        return assertThrows(PeerException.class, () -> offer(from, plan, indices));
    }

    private PeerException refused(byte[] plan, List<Integer> indices) {
        return assertThrows(PeerException.class, () -> offer(plan, indices));
    }

    @Test
    void anAcceptedOfferIsRecordedAndAnsweredWithItsIndices() {
        PeerMessage answer = offer(medium.signed().toBytes(), List.of(2, 5, 9));
        assertEquals(MessageTypes.PLAN_ACCEPTED, answer.type());
        assertEquals(List.of(2, 5, 9), PlanOffer.readAccepted(answer));
        assertEquals(Set.of(2, 5, 9), accepted.acceptedFrom(medium.plan().tessera(), sender));
        assertTrue(accepted.accepted(medium.plan().tessera(), sender, 5));
        assertEquals(medium.signed(), accepted.plan(medium.plan().tessera()).orElseThrow());
        assertEquals(List.of(medium.plan().tessera()), accepted.tesseras());
        assertEquals(List.of(2, 5, 9), PlanOffer.readAccepted(offer(medium.signed().toBytes(), List.of(2, 5, 9))),
                "offered again (a publisher resuming): accepted again");
        assertEquals(List.of(), metrics.refused);
    }

    @Test
    void theWireBytesAreALengthPrefixedPlanThenCountAndIndices() {
        byte[] plan = medium.signed().toBytes();
        ByteBuffer bytes = new PlanOffer(plan, List.of(7, 1)).toMessage().payload();
        assertEquals(4 + plan.length + 2 + 4, bytes.remaining());
        assertEquals(plan.length, bytes.getInt(0));
        assertEquals(2, bytes.getShort(4 + plan.length));
        assertEquals(1, bytes.getShort(4 + plan.length + 2), "ascending");
        assertEquals(7, bytes.getShort(4 + plan.length + 4));
        ByteBuffer answer = PlanOffer.accepted(List.of(3, 1)).payload();
        assertArrayEquals(new byte[] {0, 2, 0, 1, 0, 3}, toArray(answer));
    }

    private static byte[] toArray(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    @Test
    void aPlanWhoseSignatureDoesNotVerifyIsForbidden() {
        SignedFragmentPlan other = TestPlans.medium(5).signed();
        SignedFragmentPlan forged = new SignedFragmentPlan(medium.plan(), other.signature());
        PeerException e = refused(forged.toBytes(), List.of(0));
        assertEquals(ErrorCode.FORBIDDEN, e.code());
        assertTrue(e.getMessage().startsWith("plan signature"), e.getMessage());
        assertEquals(List.of("signature"), metrics.refused);
        assertTrue(accepted.tesseras().isEmpty());
    }

    @Test
    void unreadableOffersAndPlansAreMalformed() {
        PeerException garbage = refused("not a plan".getBytes(StandardCharsets.UTF_8), List.of(0));
        assertEquals(ErrorCode.MALFORMED, garbage.code());
        assertTrue(garbage.getMessage().contains("cannot be read"), garbage.getMessage());

        PeerRequest truncated = new PeerRequest(sender, new InetSocketAddress("127.0.0.1", 1),
                new PeerMessage(MessageTypes.PLAN_OFFER, ByteBuffer.wrap(new byte[] {0, 0, 1, 0, 1})));
        assertEquals(ErrorCode.MALFORMED, assertThrows(PeerException.class, () -> handler.handle(truncated)).code());

        PeerException range = refused(medium.signed().toBytes(), List.of(3, 24));
        assertEquals(ErrorCode.MALFORMED, range.code());
        assertTrue(range.getMessage().contains("fragment index 24 does not exist"), range.getMessage());
        assertEquals(ErrorCode.MALFORMED, refused(medium.signed().toBytes(), List.of()).code());
        assertEquals(List.of("plan", "plan", "plan", "plan"), metrics.refused);
    }

    @Test
    void aTesseraAboveTheLimitIsTooLarge() {
        PlanOfferHandler strict = new PlanOfferHandler(accepted, ledger, free::get, 1024 * 1024, metrics, clock);
        PeerException e = assertThrows(PeerException.class, () -> strict.handle(new PeerRequest(sender,
                new InetSocketAddress("127.0.0.1", 1), new PlanOffer(medium.signed().toBytes(), List.of(0)).toMessage())));
        assertEquals(ErrorCode.TOO_LARGE, e.code());
        assertTrue(e.getMessage().contains(String.valueOf(medium.plan().payloadLength())), e.getMessage());
        assertEquals(List.of("size"), metrics.refused);
    }

    @Test
    void withoutRoomForTheOfferedBytesItIsInsufficientStorage() {
        free.set(3 * SHARD - 1);
        PeerException e = refused(medium.signed().toBytes(), List.of(0, 1, 2));
        assertEquals(ErrorCode.INSUFFICIENT_STORAGE, e.code());
        assertTrue(e.getMessage().contains(String.valueOf(3 * SHARD)), e.getMessage());
        assertEquals(List.of("space"), metrics.refused);
        free.set(3 * SHARD);
        offer(medium.signed().toBytes(), List.of(0, 1, 2));
    }

    @Test
    void aSenderBeyondItsDeficitIsForbiddenWithTheLedgersReason() {
        ledger.storedForPeer(sender, 1024 * 1024 - SHARD + 1);
        PeerException e = refused(medium.signed().toBytes(), List.of(0));
        assertEquals(ErrorCode.FORBIDDEN, e.code());
        assertTrue(e.getMessage().contains("deficit"), e.getMessage());
        assertEquals(List.of("balance"), metrics.refused);
        assertTrue(accepted.acceptedFrom(medium.plan().tessera(), sender).isEmpty());
    }

    @Test
    void aDifferentPlanFromTheSameSenderIsAConflict() {
        offer(medium.signed().toBytes(), List.of(0));
        // The same tessera, validly signed by its creator, but listing other fragment checksums.
        SignedFragmentPlan changed = SignedFragmentPlan.sign(new net.tesseras.tessera.FragmentPlan(medium.plan().tessera(),
                medium.plan().tier(), medium.plan().dataShards(), medium.plan().parityShards(), medium.plan().shardSize(),
                medium.plan().payloadLength(), TestPlans.medium(6).plan().checksums(), TestPlans.CREATOR.publicKey()),
                TestPlans.CREATOR::sign);
        PeerException e = refused(changed.toBytes(), List.of(1));
        assertEquals(ErrorCode.CONFLICT, e.code());
        assertTrue(e.getMessage().contains(sender.toHex()), e.getMessage());
        assertEquals(medium.signed(), accepted.planFrom(medium.plan().tessera(), sender).orElseThrow(), "its first plan stays");
        assertEquals(List.of("plan"), metrics.refused);
    }

    @Test
    void aForgedPlanOfferedFirstDoesNotKeepTheCreatorOut() {
        NodeId forger = peers.at("10.6.9.1").nodeId();
        TestPlans.Made forged = TestPlans.forged(medium, new TestIdentity(), 41);
        offer(forger, forged.signed().toBytes(), List.of(0, 1, 2));
        assertEquals(List.of(0, 1, 2), PlanOffer.readAccepted(offer(medium.signed().toBytes(), List.of(0, 1, 2))),
                "the creator's plan is accepted although another plan for the tessera came first");
        assertEquals(forged.signed(), accepted.planFrom(medium.plan().tessera(), forger).orElseThrow());
        assertEquals(medium.signed(), accepted.planFrom(medium.plan().tessera(), sender).orElseThrow());
        assertEquals(List.of(), metrics.refused);
    }

    @Test
    void offersAcceptedButNotYetReceivedCountAgainstTheDeficitLimit() {
        // 1 MiB of credit is four 256 KiB shards: offered one at a time, the fifth must not pass.
        for (int index = 0; index < 4; index++) {
            offer(medium.signed().toBytes(), List.of(index));
        }
        PeerException e = refused(medium.signed().toBytes(), List.of(4));
        assertEquals(ErrorCode.FORBIDDEN, e.code());
        assertTrue(e.getMessage().contains("deficit"), e.getMessage());
        assertEquals(new AcceptedPlans.Outstanding(4 * SHARD, 1), accepted.outstanding(sender));
        assertEquals(List.of(0, 1, 2, 3), PlanOffer.readAccepted(offer(medium.signed().toBytes(), List.of(0, 1, 2, 3))),
                "offering the accepted ones again reserves nothing more");
        assertEquals(List.of("balance"), metrics.refused);
    }

    @Test
    void offersAcceptedButNotYetReceivedCountAgainstTheFreeSpace() {
        NodeId other = peers.at("10.6.3.1").nodeId();
        free.set(3 * SHARD);
        offer(medium.signed().toBytes(), List.of(0, 1));
        PeerException e = refused(other, TestPlans.medium(8).signed().toBytes(), List.of(0, 1));
        assertEquals(ErrorCode.INSUFFICIENT_STORAGE, e.code());
        assertTrue(e.getMessage().contains("room for " + SHARD) && e.getMessage().contains(2 * SHARD + " promised"), e.getMessage());
        offer(other, TestPlans.medium(8).signed().toBytes(), List.of(0));
    }

    @Test
    void aSenderWithTooManyTesserasNotYetSentIsOverloaded() {
        PlanOfferHandler roomy = new PlanOfferHandler(accepted, new FakeLedger(1L << 40), free::get,
                PlanOfferHandler.DEFAULT_MAX_TESSERA_BYTES, metrics, clock);
        for (int i = 0; i < PlanOfferHandler.MAX_WAITING_TESSERAS; i++) {
            roomy.handle(new PeerRequest(sender, new InetSocketAddress("127.0.0.1", 1),
                    new PlanOffer(TestPlans.small(1000 + i).signed().toBytes(), List.of(0)).toMessage()));
        }
        byte[] oneMore = TestPlans.small(999).signed().toBytes();
        PeerException e = assertThrows(PeerException.class, () -> roomy.handle(new PeerRequest(sender,
                new InetSocketAddress("127.0.0.1", 1), new PlanOffer(oneMore, List.of(0)).toMessage())));
        assertEquals(ErrorCode.OVERLOADED, e.code());
        assertTrue(e.getMessage().contains("limit of " + PlanOfferHandler.MAX_WAITING_TESSERAS), e.getMessage());
        assertEquals(List.of("waiting"), metrics.refused);

        accepted.received(sender, TestPlans.small(1000).plan().fragmentId(0));
        roomy.handle(new PeerRequest(sender, new InetSocketAddress("127.0.0.1", 1), new PlanOffer(oneMore, List.of(0)).toMessage()));
    }

    @Test
    void acceptedOffersWhoseFragmentsNeverCameExpire() {
        for (int index = 0; index < 4; index++) {
            offer(medium.signed().toBytes(), List.of(index));
        }
        assertEquals(ErrorCode.FORBIDDEN, refused(medium.signed().toBytes(), List.of(4)).code());
        clock.advance(AcceptedPlans.OFFER_TTL.plusSeconds(1));
        assertEquals(new AcceptedPlans.Outstanding(0, 0), accepted.outstanding(sender));
        offer(medium.signed().toBytes(), List.of(4));
        assertEquals(Set.of(4), accepted.acceptedFrom(medium.plan().tessera(), sender), "the lapsed ones are gone");
    }
}
