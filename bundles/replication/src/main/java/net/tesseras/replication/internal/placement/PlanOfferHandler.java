package net.tesseras.replication.internal.placement;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import net.tesseras.core.ContentHash;
import net.tesseras.identity.NodeId;
import net.tesseras.replication.internal.ReplicationMetrics;
import net.tesseras.replication.internal.ledger.Ledger;
import net.tesseras.tessera.FragmentPlan;
import net.tesseras.tessera.FragmentPlanFormatException;
import net.tesseras.tessera.SignedFragmentPlan;
import net.tesseras.tessera.Tier;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.MessageHandler;
import net.tesseras.transport.PeerException;
import net.tesseras.transport.PeerMessage;
import net.tesseras.transport.PeerRequest;

/**
 * Answers PLAN_OFFER (0x20) with PLAN_ACCEPTED (0x21): a peer offers this node fragments of a
 * signed plan, and this node accepts all of them or refuses with an ERROR. Checks, in this order
 * (the first that fails answers): the message's bytes (MALFORMED), the plan parses (MALFORMED) and
 * its creator's signature verifies (FORBIDDEN), its payload length is within the limit
 * (TOO_LARGE), the indices exist in the plan (MALFORMED), this sender offered no other plan for
 * the tessera (CONFLICT; other senders' plans for it do not matter, so no peer can claim a tessera
 * first with a plan of its own), the sender has fewer than {@link #MAX_WAITING_TESSERAS} tesseras
 * accepted whose fragments have not arrived (OVERLOADED), the store has room for the offered bytes
 * on top of every byte accepted and not yet received (INSUFFICIENT_STORAGE), and the ledger gives
 * the sender credit for the offered bytes on top of those it was accepted for and has not sent
 * (FORBIDDEN, the ledger's reason). An accepted offer is recorded in {@link AcceptedPlans}, which
 * then admits the sender's PUTs of those fragments until they arrive or {@link
 * AcceptedPlans#OFFER_TTL} passes. Offering indices accepted before is accepted again (an
 * interrupted publisher resumes).
 */
public final class PlanOfferHandler implements MessageHandler {

    /** The largest tessera accepted by default: 10 GiB, the largest the tiers cut. */
    public static final long DEFAULT_MAX_TESSERA_BYTES = Tier.MAX_PAYLOAD;

    /** How many tesseras one sender may have accepted here whose fragments have not all arrived. */
    public static final int MAX_WAITING_TESSERAS = 64;

    // Expired acceptances are already ignored by every query; deleting them is housekeeping, done this often.
    private static final Duration EXPIRY_SWEEP = Duration.ofHours(1);

    private final AcceptedPlans accepted;
    private final Ledger ledger;
    private final LongSupplier freeBytes;
    private final long maxTesseraBytes;
    private final ReplicationMetrics metrics;
    private final Clock clock;
    private final AtomicReference<Instant> lastSweep = new AtomicReference<>(Instant.MIN);

    /**
     * @param freeBytes bytes the local store may still take for peers (free space above its reserve), asked per offer
     * @param maxTesseraBytes the largest payload length accepted
     */
    public PlanOfferHandler(AcceptedPlans accepted, Ledger ledger, LongSupplier freeBytes, long maxTesseraBytes,
            ReplicationMetrics metrics, Clock clock) {
        if (maxTesseraBytes < 1) {
            throw new IllegalArgumentException("the largest tessera accepted must be at least 1 byte, not " + maxTesseraBytes);
        }
        this.accepted = accepted;
        this.ledger = ledger;
        this.freeBytes = freeBytes;
        this.maxTesseraBytes = maxTesseraBytes;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public PeerMessage handle(PeerRequest request) {
        NodeId sender = request.peer();
        PlanOffer offer = refusedAs("plan", () -> PlanOffer.read(request.payload()));
        SignedFragmentPlan signed = parse(offer.plan());
        FragmentPlan plan = signed.plan();
        ContentHash tessera = plan.tessera();
        if (!signed.verifies()) {
            throw refuse("signature", ErrorCode.FORBIDDEN, "plan signature: the plan of tessera " + tessera.toHex()
                    + " offered by " + sender.toHex() + " is not signed by its creator key; the sender must offer the plan"
                    + " exactly as its creator signed it");
        }
        if (plan.payloadLength() > maxTesseraBytes) {
            throw refuse("size", ErrorCode.TOO_LARGE, "tessera " + tessera.toHex() + " is " + plan.payloadLength()
                    + " bytes, more than the " + maxTesseraBytes + " bytes this node accepts; offer it to another peer");
        }
        List<Integer> indices = offer.indices();
        if (indices.isEmpty()) {
            throw refuse("plan", ErrorCode.MALFORMED, "the offer of tessera " + tessera.toHex() + " names no fragment index");
        }
        int last = indices.get(indices.size() - 1);
        if (last >= plan.totalShards()) {
            throw refuse("plan", ErrorCode.MALFORMED, "fragment index " + last + " does not exist in the plan of tessera "
                    + tessera.toHex() + ", which has " + plan.totalShards() + " fragments (0.." + (plan.totalShards() - 1) + ")");
        }
        // Checked and recorded as one step: offers handled at the same moment must not each find the same room.
        synchronized (accepted) {
            checkAndAccept(sender, signed, indices);
        }
        return PlanOffer.accepted(indices);
    }

    private void checkAndAccept(NodeId sender, SignedFragmentPlan signed, List<Integer> indices) {
        FragmentPlan plan = signed.plan();
        ContentHash tessera = plan.tessera();
        sweepExpired();
        Optional<SignedFragmentPlan> known = accepted.planFrom(tessera, sender);
        if (known.isPresent() && !known.get().equals(signed)) {
            throw refuse("plan", ErrorCode.CONFLICT, "peer " + sender.toHex() + " offered a different plan for tessera "
                    + tessera.toHex() + " before (its fragments' checksums or signature differ); offer the plan offered"
                    + " before, or offer this tessera to another peer");
        }
        Set<Integer> before = accepted.acceptedFrom(tessera, sender);
        List<Integer> fresh = new ArrayList<>(indices);
        fresh.removeAll(before);
        long offeredBytes = plan.shardSize() * fresh.size();
        AcceptedPlans.Outstanding outstanding = accepted.outstanding(sender);
        if (!fresh.isEmpty() && outstanding.tesseras() >= MAX_WAITING_TESSERAS && !accepted.waitingFor(tessera, sender)) {
            throw refuse("waiting", ErrorCode.OVERLOADED, "peer " + sender.toHex() + " has " + outstanding.tesseras()
                    + " tesseras accepted here whose fragments have not arrived, the limit of " + MAX_WAITING_TESSERAS
                    + " per peer; send those fragments first, or offer tessera " + tessera.toHex() + " again after"
                    + " unsent acceptances expire (" + AcceptedPlans.OFFER_TTL.toHours() + " h)");
        }
        long free = freeBytes.getAsLong();
        long reserved = accepted.reservedBytes();
        if (offeredBytes > free - reserved) {
            throw refuse("space", ErrorCode.INSUFFICIENT_STORAGE, "this node has room for " + Math.max(0, free - reserved)
                    + " more bytes from peers (" + Math.max(0, free) + " free, " + reserved + " promised to accepted offers"
                    + " not yet received), not the " + offeredBytes + " bytes of " + fresh.size() + " fragments of tessera "
                    + tessera.toHex() + "; offer them to another peer");
        }
        try {
            // What the sender was accepted for and has not sent counts as stored: else many offers pass one limit.
            ledger.checkCredit(sender, offeredBytes + outstanding.bytes());
        } catch (PeerException e) {
            metrics.refused("balance");
            throw e;
        }
        accepted.accept(signed, sender, indices, clock.instant());
    }

    private void sweepExpired() {
        Instant now = clock.instant();
        Instant last = lastSweep.get();
        if (last.plus(EXPIRY_SWEEP).isBefore(now) && lastSweep.compareAndSet(last, now)) {
            accepted.expire();
        }
    }

    private SignedFragmentPlan parse(byte[] bytes) {
        try {
            return SignedFragmentPlan.parse(bytes);
        } catch (FragmentPlanFormatException | IllegalArgumentException e) {
            throw refuse("plan", ErrorCode.MALFORMED, "the offered plan cannot be read: " + e.getMessage()
                    + "; the sender must send SignedFragmentPlan.toBytes()");
        }
    }

    private <T> T refusedAs(String word, java.util.function.Supplier<T> work) {
        try {
            return work.get();
        } catch (PeerException e) {
            metrics.refused(word);
            throw e;
        }
    }

    private PeerException refuse(String word, ErrorCode code, String reason) {
        metrics.refused(word);
        return new PeerException(code, reason);
    }
}
