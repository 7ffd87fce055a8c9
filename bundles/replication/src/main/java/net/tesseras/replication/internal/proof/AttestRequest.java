package net.tesseras.replication.internal.proof;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import net.tesseras.core.ContentHash;

/**
 * The ATTEST request: which tessera to attest, and the requester's fresh nonce that the signed
 * answer must carry. Payload: tessera 32 | nonce 32.
 *
 * @param tessera the tessera
 * @param nonce 32 random bytes (the accessor returns a copy)
 */
public record AttestRequest(ContentHash tessera, byte[] nonce) {

    /** Bytes of the payload. */
    public static final int LENGTH = ContentHash.LENGTH + Attestation.NONCE_LENGTH;

    public AttestRequest {
        Objects.requireNonNull(tessera, "tessera");
        Objects.requireNonNull(nonce, "nonce");
        if (nonce.length != Attestation.NONCE_LENGTH) {
            throw new IllegalArgumentException("a nonce is " + Attestation.NONCE_LENGTH + " bytes, not " + nonce.length);
        }
        nonce = nonce.clone();
    }

    /** The payload. */
    public ByteBuffer toBuffer() {
        return ByteBuffer.allocate(LENGTH).put(tessera.toBytes()).put(nonce).flip();
    }

    /** @throws net.tesseras.transport.PeerException MALFORMED unless the payload is exactly 64 bytes */
    public static AttestRequest parse(ByteBuffer payload) {
        WireReader in = new WireReader(payload, "ATTEST");
        if (in.remaining() != LENGTH) {
            throw in.malformed("payload is " + in.remaining() + " bytes, not " + LENGTH + " (tessera hash 32, nonce 32)");
        }
        return new AttestRequest(in.hash("the tessera hash"), in.bytes(Attestation.NONCE_LENGTH, "the nonce"));
    }

    @Override
    public byte[] nonce() {
        return nonce.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AttestRequest other && tessera.equals(other.tessera) && Arrays.equals(nonce, other.nonce);
    }

    @Override
    public int hashCode() {
        return tessera.hashCode() * 31 + Arrays.hashCode(nonce);
    }

    @Override
    public String toString() {
        return "AttestRequest[" + tessera.toShortHex(12) + "]";
    }
}
