package net.tesseras.replication.internal.placement;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import net.tesseras.core.FragmentId;
import net.tesseras.identity.NodeId;
import net.tesseras.replication.internal.ReplicationMetrics;
import net.tesseras.replication.internal.ledger.Ledger;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.FragmentStore;
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
 * The plan is the one THIS sender offered ({@link AcceptedPlans#planFrom}), so another peer's plan
 * for the same tessera never decides what this sender may PUT. The store then verifies the bytes
 * against the checksum as for any PUT. Once stored, the acceptance is marked received (it no longer
 * reserves credit or space) and the sender is credited ({@link Ledger#storedForPeer}) unless the
 * store already held that exact fragment when the PUT was admitted: a retry or a resumed transfer
 * is answered from the existing copy and must not count twice.
 */
public final class ReceiveGuard implements WriteGuard {

    private final AcceptedPlans accepted;
    private final Ledger ledger;
    private final long maxTesseraBytes;
    private final ReplicationMetrics metrics;
    private final Supplier<FragmentStore> store;
    // PUTs admitted while the store already held their exact fragment, until stored() sees them. A PUT
    // that fails after admit leaves its key behind; the bound keeps those few from growing without end
    // (clearing costs at most one extra credit per fragment then in flight).
    private final Set<String> heldAtAdmit = ConcurrentHashMap.newKeySet();
    private static final int MAX_HELD_AT_ADMIT = 10_000;

    /** Without a store every stored PUT is credited, even of a fragment held already; for tests of the checks. */
    public ReceiveGuard(AcceptedPlans accepted, Ledger ledger, long maxTesseraBytes, ReplicationMetrics metrics) {
        this(accepted, ledger, maxTesseraBytes, metrics, () -> null);
    }

    /** @param store the local fragment store, whose index tells whether a PUT's fragment is held already */
    public ReceiveGuard(AcceptedPlans accepted, Ledger ledger, long maxTesseraBytes, ReplicationMetrics metrics,
            Supplier<FragmentStore> store) {
        this.accepted = accepted;
        this.ledger = ledger;
        this.maxTesseraBytes = maxTesseraBytes;
        this.metrics = metrics;
        this.store = store;
    }

    @Override
    public void admit(NodeId sender, FragmentId id, long size) {
        String fragment = id.tessera().toHex() + "/" + id.index();
        Optional<SignedFragmentPlan> signed = accepted.planFrom(id.tessera(), sender);
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
        if (held(id)) {
            if (heldAtAdmit.size() >= MAX_HELD_AT_ADMIT) {
                heldAtAdmit.clear();
            }
            heldAtAdmit.add(key(sender, id));
        }
    }

    /** Whether the store's index lists exactly this fragment (tessera, index, checksum); no bytes are read. */
    private boolean held(FragmentId id) {
        FragmentStore local = store.get();
        if (local == null) {
            return false;
        }
        try {
            for (FragmentInfo info : local.fragments(id.tessera())) {
                if (info.id().index() == id.index() && info.id().checksum().equals(id.checksum())) {
                    return true;
                }
            }
            return false;
        } catch (RuntimeException e) {
            // The store cannot answer now; its PUT will fail the same way, and nothing is credited then.
            return false;
        }
    }

    private static String key(NodeId sender, FragmentId id) {
        return sender.toHex() + "/" + id.tessera().toHex() + "/" + id.index() + "/" + id.checksum().toHex();
    }

    @Override
    public void stored(NodeId sender, FragmentInfo stored) {
        accepted.received(sender, stored.id());
        if (!heldAtAdmit.remove(key(sender, stored.id()))) {
            ledger.storedForPeer(sender, stored.size());
        }
        metrics.fragmentReceived(stored.size());
    }

    private PeerException refuse(String word, ErrorCode code, String reason) {
        metrics.refused(word);
        return new PeerException(code, reason);
    }
}
