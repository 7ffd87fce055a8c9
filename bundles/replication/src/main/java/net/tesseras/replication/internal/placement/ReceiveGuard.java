package net.tesseras.replication.internal.placement;

import java.util.Optional;
import net.tesseras.core.FragmentId;
import net.tesseras.identity.NodeId;
import net.tesseras.replication.internal.ReplicationMetrics;
import net.tesseras.replication.internal.ledger.Ledger;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.tessera.FragmentPlan;
import net.tesseras.tessera.SignedFragmentPlan;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerException;
import net.tesseras.transport.WriteGuard;

/**
 * Admits a peer's PUT under the transport's {@code write.policy = replication}, before any byte of
 * it is read, with the original's receive checks in the original's order:
 * <ol>
 * <li>size: a plan was accepted for the tessera and its payload length is within the limit
 * (TOO_LARGE), and this sender had this fragment index accepted (FORBIDDEN);
 * <li>checksum: the announced checksum is the plan's for that index (CHECKSUM_MISMATCH), and
 * the announced data/parity kind is the plan's (MALFORMED);
 * <li>length: the announced size is the plan's shard size (MALFORMED: the request contradicts the
 * plan; the original reported it as a checksum mismatch);
 * <li>balance: the ledger still gives the sender credit (FORBIDDEN, the ledger's reason).
 * </ol>
 * The store then verifies the bytes against the checksum as for any PUT. Once stored, the sender
 * is credited: {@link Ledger#storedForPeer}.
 */
public final class ReceiveGuard implements WriteGuard {

    private final AcceptedPlans accepted;
    private final Ledger ledger;
    private final long maxTesseraBytes;
    private final ReplicationMetrics metrics;

    public ReceiveGuard(AcceptedPlans accepted, Ledger ledger, long maxTesseraBytes, ReplicationMetrics metrics) {
        this.accepted = accepted;
        this.ledger = ledger;
        this.maxTesseraBytes = maxTesseraBytes;
        this.metrics = metrics;
    }

    @Override
    public void admit(NodeId sender, FragmentId id, long size) {
        String fragment = id.tessera().toHex() + "/" + id.index();
        Optional<SignedFragmentPlan> signed = accepted.plan(id.tessera());
        // 1. size (and the plan offer that makes the size known)
        if (signed.isPresent() && signed.get().plan().payloadLength() > maxTesseraBytes) {
            throw refuse("size", ErrorCode.TOO_LARGE, "tessera " + id.tessera().toHex() + " is "
                    + signed.get().plan().payloadLength() + " bytes, more than the " + maxTesseraBytes + " bytes this node accepts");
        }
        if (signed.isEmpty() || !accepted.accepted(id.tessera(), sender, id.index())) {
            throw refuse("plan", ErrorCode.FORBIDDEN, "no accepted plan offer for fragment " + fragment + " from "
                    + sender.toHex() + "; the sender must offer the plan first");
        }
        FragmentPlan plan = signed.get().plan();
        FragmentId planned = plan.fragmentId(id.index());
        // 2. checksum
        if (!planned.checksum().equals(id.checksum())) {
            throw refuse("checksum", ErrorCode.CHECKSUM_MISMATCH, "fragment " + fragment + " is announced with checksum "
                    + id.checksum().toHex() + " but the accepted plan lists " + planned.checksum().toHex());
        }
        if (planned.parity() != id.parity()) {
            throw refuse("checksum", ErrorCode.MALFORMED, "fragment " + fragment + " is announced as a "
                    + (id.parity() ? "parity" : "data") + " shard but the accepted plan makes it a "
                    + (planned.parity() ? "parity" : "data") + " shard");
        }
        // 3. length
        if (size != plan.shardSize()) {
            throw refuse("length", ErrorCode.MALFORMED, "fragment " + fragment + " is announced as " + size
                    + " bytes but the accepted plan's shards are " + plan.shardSize() + " bytes");
        }
        // 4. balance
        try {
            ledger.checkCredit(sender, 0);
        } catch (PeerException e) {
            metrics.refused("balance");
            throw e;
        }
    }

    @Override
    public void stored(NodeId sender, FragmentInfo stored) {
        ledger.storedForPeer(sender, stored.size());
        metrics.fragmentReceived(stored.size());
    }

    private PeerException refuse(String word, ErrorCode code, String reason) {
        metrics.refused(word);
        return new PeerException(code, reason);
    }
}
