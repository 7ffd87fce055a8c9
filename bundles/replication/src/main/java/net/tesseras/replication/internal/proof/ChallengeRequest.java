package net.tesseras.replication.internal.proof;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import net.tesseras.core.ContentHash;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerException;

/**
 * The CHALLENGE request: a tessera, the requester's fresh nonce, how many chunks the nonce selects
 * per fragment ({@link ChunkSelection}), and the fragments challenged. Payload:
 * <pre>
 * tessera 32 | nonce 32 | chunks per fragment u8 | count u16 | count x index u16 (strictly increasing)
 * </pre>
 *
 * @param tessera the tessera
 * @param nonce 32 random bytes (the accessor returns a copy)
 * @param chunksPerFragment 1..{@value #MAX_CHUNKS_PER_FRAGMENT}
 * @param indices 1..{@value #MAX_FRAGMENTS} fragment indices, strictly increasing
 */
public record ChallengeRequest(ContentHash tessera, byte[] nonce, int chunksPerFragment, List<Integer> indices) {

    /** Most fragments one challenge names. */
    public static final int MAX_FRAGMENTS = 64;

    /** Most chunks one challenge selects per fragment. */
    public static final int MAX_CHUNKS_PER_FRAGMENT = 16;

    private static final int HEADER_LENGTH = ContentHash.LENGTH + Attestation.NONCE_LENGTH + 1 + 2;

    /** @throws IllegalArgumentException when a value is outside the limits above */
    public ChallengeRequest {
        Objects.requireNonNull(tessera, "tessera");
        Objects.requireNonNull(nonce, "nonce");
        if (nonce.length != Attestation.NONCE_LENGTH) {
            throw new IllegalArgumentException("a nonce is " + Attestation.NONCE_LENGTH + " bytes, not " + nonce.length);
        }
        nonce = nonce.clone();
        if (chunksPerFragment < 1 || chunksPerFragment > MAX_CHUNKS_PER_FRAGMENT) {
            throw new IllegalArgumentException("a challenge selects 1.." + MAX_CHUNKS_PER_FRAGMENT + " chunks per fragment, not "
                    + chunksPerFragment);
        }
        indices = List.copyOf(indices);
        if (indices.isEmpty() || indices.size() > MAX_FRAGMENTS) {
            throw new IllegalArgumentException("a challenge names 1.." + MAX_FRAGMENTS + " fragments, not " + indices.size());
        }
        for (int i = 0; i < indices.size(); i++) {
            int index = indices.get(i);
            if (index < 0 || index > 0xFFFF || (i > 0 && index <= indices.get(i - 1))) {
                throw new IllegalArgumentException("challenged indices are 0..65535 in strictly increasing order: " + indices);
            }
        }
    }

    /** The payload. */
    public ByteBuffer toBuffer() {
        ByteBuffer out = ByteBuffer.allocate(HEADER_LENGTH + 2 * indices.size());
        out.put(tessera.toBytes()).put(nonce).put((byte) chunksPerFragment).putShort((short) indices.size());
        indices.forEach(index -> out.putShort((short) (int) index));
        return out.flip();
    }

    /**
     * Decodes a CHALLENGE payload strictly.
     *
     * @throws PeerException MALFORMED naming the field that is wrong; TOO_LARGE when it asks more
     *     than the limits above
     */
    public static ChallengeRequest parse(ByteBuffer payload) {
        WireReader in = new WireReader(payload, "CHALLENGE");
        ContentHash tessera = in.hash("the tessera hash");
        byte[] nonce = in.bytes(Attestation.NONCE_LENGTH, "the nonce");
        int chunks = in.u8("the chunks per fragment");
        int count = in.u16("the fragment count");
        if (chunks == 0 || count == 0) {
            throw in.malformed("asks for " + chunks + " chunks of " + count + " fragments; ask for at least one of each");
        }
        if (chunks > MAX_CHUNKS_PER_FRAGMENT || count > MAX_FRAGMENTS) {
            throw new PeerException(ErrorCode.TOO_LARGE, "CHALLENGE asks for " + chunks + " chunks of " + count
                    + " fragments; a challenge asks for at most " + MAX_CHUNKS_PER_FRAGMENT + " chunks of " + MAX_FRAGMENTS
                    + " fragments: split it");
        }
        if (in.remaining() != 2 * count) {
            throw in.malformed("announces " + count + " indices (" + 2 * count + " bytes) but " + in.remaining()
                    + " bytes follow the count");
        }
        List<Integer> indices = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int index = in.u16("index " + i);
            if (i > 0 && index <= indices.get(i - 1)) {
                throw in.malformed("lists index " + index + " after " + indices.get(i - 1) + " (indices must strictly increase)");
            }
            indices.add(index);
        }
        in.end();
        return new ChallengeRequest(tessera, nonce, chunks, indices);
    }

    @Override
    public byte[] nonce() {
        return nonce.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChallengeRequest other && tessera.equals(other.tessera) && Arrays.equals(nonce, other.nonce)
                && chunksPerFragment == other.chunksPerFragment && indices.equals(other.indices);
    }

    @Override
    public int hashCode() {
        return Objects.hash(tessera, chunksPerFragment, indices) * 31 + Arrays.hashCode(nonce);
    }

    @Override
    public String toString() {
        return "ChallengeRequest[" + tessera.toShortHex(12) + ", " + chunksPerFragment + " chunks of " + indices + "]";
    }
}
