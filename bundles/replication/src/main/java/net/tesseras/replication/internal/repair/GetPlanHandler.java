package net.tesseras.replication.internal.repair;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.Optional;
import net.tesseras.core.ContentHash;
import net.tesseras.replication.internal.PlanSource;
import net.tesseras.replication.internal.wire.MessageTypes;
import net.tesseras.tessera.SignedFragmentPlan;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.MessageHandler;
import net.tesseras.transport.PeerException;
import net.tesseras.transport.PeerMessage;
import net.tesseras.transport.PeerRequest;

/**
 * Answers GET_PLAN (0x28: the 32-byte tessera hash) with PLAN (0x29: the signed fragment plan as
 * {@link SignedFragmentPlan#toBytes()}), from the plans this node knows. A plan is no secret: it
 * names the fragments' checksums and the creator's key, nothing of the files.
 */
public final class GetPlanHandler implements MessageHandler {

    private final PlanSource plans;

    public GetPlanHandler(PlanSource plans) {
        this.plans = Objects.requireNonNull(plans, "plans");
    }

    /** The GET_PLAN request for a tessera. */
    public static PeerMessage request(ContentHash tessera) {
        return new PeerMessage(MessageTypes.GET_PLAN, ByteBuffer.wrap(tessera.toBytes()).asReadOnlyBuffer());
    }

    @Override
    public PeerMessage handle(PeerRequest request) {
        ByteBuffer payload = request.payload().duplicate();
        if (payload.remaining() != ContentHash.LENGTH) {
            throw new PeerException(ErrorCode.MALFORMED, "GET_PLAN carries exactly the " + ContentHash.LENGTH
                    + "-byte hash of a tessera, not " + payload.remaining() + " bytes");
        }
        byte[] hash = new byte[ContentHash.LENGTH];
        payload.get(hash);
        ContentHash tessera = ContentHash.of(hash);
        Optional<SignedFragmentPlan> plan = plans.plan(tessera);
        if (plan.isEmpty()) {
            throw new PeerException(ErrorCode.NOT_FOUND, "this node knows no fragment plan of tessera " + tessera
                    + "; ask a node that holds its fragments");
        }
        return new PeerMessage(MessageTypes.PLAN, ByteBuffer.wrap(plan.get().toBytes()).asReadOnlyBuffer());
    }
}
