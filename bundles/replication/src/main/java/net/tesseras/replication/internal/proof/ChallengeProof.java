package net.tesseras.replication.internal.proof;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import net.tesseras.core.Blake3;
import net.tesseras.core.Blake3Tree;
import net.tesseras.core.Blake3Tree.ChunkProof;
import net.tesseras.core.ContentHash;

/**
 * The CHALLENGE_PROOF answer: per challenged fragment, in the request's order, either the
 * selected chunks with their BLAKE3 tree proofs, or why there are none. Payload:
 * <pre>
 * tessera 32 | nonce 32 | count u16 |
 * count x ( index u16 | status u8 |
 *           if status = 0 (HELD): size u64 | chunks u8 |
 *              chunks x ( chunk u32 | length u16 | length bytes | siblings u8 | siblings x 32 ) )
 * </pre>
 *
 * @param tessera the challenged tessera (echoed)
 * @param nonce the challenge's nonce (echoed; the accessor returns a copy)
 * @param fragments one answer per challenged fragment
 */
public record ChallengeProof(ContentHash tessera, byte[] nonce, List<FragmentAnswer> fragments) {

    /** Most siblings a chunk's proof has: enough for any content up to 2^64 bytes. */
    public static final int MAX_SIBLINGS = 54;

    /** What the holder answers for one fragment. */
    public enum Status {
        /** The chunks and their proofs follow. */
        HELD,
        /** The holder's index has no such fragment. */
        NOT_HELD,
        /** The holder lists it but could not read it whole (its own check found it damaged, or the read failed). */
        UNREADABLE
    }

    /**
     * One fragment's answer.
     *
     * @param index the fragment's index
     * @param status whether proofs follow
     * @param size the fragment's size in bytes (0 unless {@link Status#HELD})
     * @param chunks the selected chunks with their proofs (empty unless {@link Status#HELD})
     */
    public record FragmentAnswer(int index, Status status, long size, List<ChunkProof> chunks) {

        public FragmentAnswer {
            Objects.requireNonNull(status, "status");
            chunks = List.copyOf(chunks);
            if (status != Status.HELD && (size != 0 || !chunks.isEmpty())) {
                throw new IllegalArgumentException("a fragment answered " + status + " carries no size or chunks");
            }
        }

        /** The answer for a fragment the holder cannot prove. */
        public static FragmentAnswer without(int index, Status status) {
            return new FragmentAnswer(index, status, 0, List.of());
        }
    }

    public ChallengeProof {
        Objects.requireNonNull(tessera, "tessera");
        nonce = Objects.requireNonNull(nonce, "nonce").clone();
        fragments = List.copyOf(fragments);
    }

    /** The payload. */
    public ByteBuffer toBuffer() {
        int length = ContentHash.LENGTH + nonce.length + 2;
        for (FragmentAnswer fragment : fragments) {
            length += 3;
            if (fragment.status() == Status.HELD) {
                length += 9;
                for (ChunkProof chunk : fragment.chunks()) {
                    length += 4 + 2 + chunk.bytes().length + 1 + Blake3.OUT_LEN * chunk.siblings().size();
                }
            }
        }
        ByteBuffer out = ByteBuffer.allocate(length);
        out.put(tessera.toBytes()).put(nonce).putShort((short) fragments.size());
        for (FragmentAnswer fragment : fragments) {
            out.putShort((short) fragment.index()).put((byte) fragment.status().ordinal());
            if (fragment.status() == Status.HELD) {
                out.putLong(fragment.size()).put((byte) fragment.chunks().size());
                for (ChunkProof chunk : fragment.chunks()) {
                    out.putInt((int) chunk.chunk()).putShort((short) chunk.bytes().length).put(chunk.bytes());
                    out.put((byte) chunk.siblings().size());
                    chunk.siblings().forEach(out::put);
                }
            }
        }
        return out.flip();
    }

    /**
     * Decodes a CHALLENGE_PROOF payload strictly; does not verify the proofs.
     *
     * @throws net.tesseras.transport.PeerException MALFORMED naming the field that is wrong
     */
    public static ChallengeProof parse(ByteBuffer payload) {
        WireReader in = new WireReader(payload, "CHALLENGE_PROOF");
        ContentHash tessera = in.hash("the tessera hash");
        byte[] nonce = in.bytes(Attestation.NONCE_LENGTH, "the nonce");
        int count = in.u16("the fragment count");
        List<FragmentAnswer> fragments = new ArrayList<>(Math.min(count, ChallengeRequest.MAX_FRAGMENTS));
        for (int f = 0; f < count; f++) {
            String name = "fragment answer " + f;
            int index = in.u16(name + "'s index");
            int statusCode = in.u8(name + "'s status");
            if (statusCode >= Status.values().length) {
                throw in.malformed("gives " + name + " status " + statusCode + " (0 held, 1 not held, 2 unreadable)");
            }
            Status status = Status.values()[statusCode];
            if (status != Status.HELD) {
                fragments.add(FragmentAnswer.without(index, status));
                continue;
            }
            long size = in.u64(name + "'s size");
            int chunks = in.u8(name + "'s chunk count");
            List<ChunkProof> proofs = new ArrayList<>(chunks);
            for (int c = 0; c < chunks; c++) {
                String chunkName = name + ", chunk " + c;
                long chunk = in.u32(chunkName + "'s number");
                int length = in.u16(chunkName + "'s length");
                if (length > Blake3Tree.CHUNK_LEN) {
                    throw in.malformed("gives " + chunkName + " " + length + " bytes; a chunk has at most " + Blake3Tree.CHUNK_LEN);
                }
                byte[] bytes = in.bytes(length, chunkName + "'s bytes");
                int siblingCount = in.u8(chunkName + "'s sibling count");
                if (siblingCount > MAX_SIBLINGS) {
                    throw in.malformed("gives " + chunkName + " " + siblingCount + " siblings; a proof has at most " + MAX_SIBLINGS);
                }
                List<byte[]> siblings = new ArrayList<>(siblingCount);
                for (int s = 0; s < siblingCount; s++) {
                    siblings.add(in.bytes(Blake3.OUT_LEN, chunkName + "'s sibling " + s));
                }
                proofs.add(new ChunkProof(chunk, bytes, siblings));
            }
            fragments.add(new FragmentAnswer(index, status, size, proofs));
        }
        in.end();
        return new ChallengeProof(tessera, nonce, fragments);
    }

    @Override
    public byte[] nonce() {
        return nonce.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChallengeProof other && tessera.equals(other.tessera) && Arrays.equals(nonce, other.nonce)
                && fragments.equals(other.fragments);
    }

    @Override
    public int hashCode() {
        return tessera.hashCode() * 31 + fragments.hashCode();
    }

    @Override
    public String toString() {
        return "ChallengeProof[" + tessera.toShortHex(12) + ", " + fragments.size() + " fragments]";
    }
}
