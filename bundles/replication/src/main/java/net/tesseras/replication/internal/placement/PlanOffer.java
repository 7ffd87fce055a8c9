package net.tesseras.replication.internal.placement;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import net.tesseras.replication.internal.wire.MessageTypes;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerException;
import net.tesseras.transport.PeerMessage;

/**
 * The bytes of PLAN_OFFER and PLAN_ACCEPTED (big-endian, docs/REPLICATION.md).
 * <pre>
 * PLAN_OFFER (0x20):    u32 planLength | planLength bytes: SignedFragmentPlan.toBytes() | u16 count | count x u16 index
 * PLAN_ACCEPTED (0x21): u16 count | count x u16 index (ascending)
 * </pre>
 * Indices are strictly ascending in both (no duplicates), so an offer has one encoding.
 *
 * @param plan the signed plan's bytes, as {@link net.tesseras.tessera.SignedFragmentPlan#toBytes()} writes them
 * @param indices the fragment indices offered, ascending
 */
public record PlanOffer(byte[] plan, List<Integer> indices) {

    /** The longest plan accepted: a Large plan (72 fragments) is about 6 KiB; this leaves room and bounds memory. */
    public static final int MAX_PLAN_BYTES = 64 * 1024;

    public PlanOffer {
        Objects.requireNonNull(plan, "plan");
        plan = plan.clone();
        indices = List.copyOf(new TreeSet<>(indices));
    }

    @Override
    public byte[] plan() {
        return plan.clone();
    }

    /** The PLAN_OFFER message. */
    public PeerMessage toMessage() {
        ByteBuffer out = ByteBuffer.allocate(4 + plan.length + 2 + 2 * indices.size());
        out.putInt(plan.length).put(plan);
        putIndices(out, indices);
        return new PeerMessage(MessageTypes.PLAN_OFFER, out.flip());
    }

    /** Reads a PLAN_OFFER payload. @throws PeerException MALFORMED naming what is wrong */
    public static PlanOffer read(ByteBuffer payload) {
        ByteBuffer in = payload.duplicate();
        try {
            long length = Integer.toUnsignedLong(in.getInt());
            if (length > MAX_PLAN_BYTES || length > in.remaining()) {
                throw malformed("its plan length " + length + " exceeds " + (length > MAX_PLAN_BYTES
                        ? "the limit of " + MAX_PLAN_BYTES + " bytes" : "the " + in.remaining() + " bytes that follow"));
            }
            byte[] plan = new byte[(int) length];
            in.get(plan);
            List<Integer> indices = readIndices(in, "PLAN_OFFER");
            return new PlanOffer(plan, indices);
        } catch (BufferUnderflowException e) {
            throw malformed("it ends early (" + payload.remaining() + " bytes)");
        }
    }

    /** The PLAN_ACCEPTED message for {@code indices}. */
    public static PeerMessage accepted(List<Integer> indices) {
        ByteBuffer out = ByteBuffer.allocate(2 + 2 * indices.size());
        putIndices(out, new ArrayList<>(new TreeSet<>(indices)));
        return new PeerMessage(MessageTypes.PLAN_ACCEPTED, out.flip());
    }

    /** Reads a PLAN_ACCEPTED answer. @throws PeerException MALFORMED when it is not one */
    public static List<Integer> readAccepted(PeerMessage answer) {
        if (answer.type() != MessageTypes.PLAN_ACCEPTED) {
            throw new PeerException(ErrorCode.MALFORMED, "the peer answered PLAN_OFFER with message type " + answer.type()
                    + ", not PLAN_ACCEPTED (" + MessageTypes.PLAN_ACCEPTED + ")");
        }
        try {
            return readIndices(answer.payload().duplicate(), "PLAN_ACCEPTED");
        } catch (BufferUnderflowException e) {
            throw new PeerException(ErrorCode.MALFORMED, "the PLAN_ACCEPTED answer ends early");
        }
    }

    private static void putIndices(ByteBuffer out, List<Integer> indices) {
        out.putShort((short) indices.size());
        for (int index : indices) {
            if (index < 0 || index > 0xFFFF) {
                throw new IllegalArgumentException("a fragment index is 0..65535, not " + index);
            }
            out.putShort((short) index);
        }
    }

    private static List<Integer> readIndices(ByteBuffer in, String what) {
        int count = Short.toUnsignedInt(in.getShort());
        List<Integer> indices = new ArrayList<>(count);
        int previous = -1;
        for (int i = 0; i < count; i++) {
            int index = Short.toUnsignedInt(in.getShort());
            if (index <= previous) {
                throw new PeerException(ErrorCode.MALFORMED, "the " + what + " indices must be strictly ascending: " + index
                        + " follows " + previous);
            }
            indices.add(index);
            previous = index;
        }
        if (in.hasRemaining()) {
            throw new PeerException(ErrorCode.MALFORMED, "the " + what + " message has " + in.remaining()
                    + " bytes after its " + count + " indices");
        }
        return indices;
    }

    private static PeerException malformed(String problem) {
        return new PeerException(ErrorCode.MALFORMED, "the PLAN_OFFER is malformed: " + problem
                + "; expected u32 plan length, the signed plan, u16 count and count u16 indices");
    }
}
