package net.tesseras.replication.internal.proof;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import net.tesseras.core.ContentHash;
import net.tesseras.identity.Ed25519;
import net.tesseras.identity.NodeId;
import net.tesseras.identity.NodeIdentity;
import net.tesseras.storage.FragmentInfo;

/**
 * A holder's signed statement of what its index records for one tessera, answering a requester's
 * nonce (docs/PROTOCOL.md ("Attestations and challenges")). Built from the index alone: it proves that the holder kept
 * and will stand behind these rows, not that it kept the bytes (a challenge does that).
 *
 * <p>Wire bytes (the ATTESTATION payload): the signed body without the domain prefix, then the
 * 64-byte signature. Signed bytes: {@link #DOMAIN} (ASCII) followed by the body:
 * <pre>
 * tessera 32 | holder NodeId 20 | nonce 32 | timestamp u64 (ms since epoch) | count u16 |
 * count x (index u16 | checksum 32 | size u64)
 * </pre>
 * all big-endian, entries in strictly increasing index order.
 *
 * @param tessera the tessera attested
 * @param holder the NodeId of the holder that signed
 * @param nonce the requester's 32-byte nonce (the accessor returns a copy)
 * @param timestamp when the holder built it, in milliseconds since the epoch
 * @param entries what the holder's index records, by increasing index; empty when it holds nothing
 * @param signature the holder's 64-byte Ed25519 signature of {@link #signedBytes()} (the accessor returns a copy)
 */
public record Attestation(ContentHash tessera, NodeId holder, byte[] nonce, long timestamp, List<Entry> entries,
        byte[] signature) {

    /** The prefix of the signed bytes, so that no other signed structure can pass for an attestation. */
    public static final String DOMAIN = "tesseras attestation v1";

    /** Bytes of a nonce. */
    public static final int NONCE_LENGTH = 32;

    /** Bytes of one entry on the wire. */
    public static final int ENTRY_LENGTH = 2 + ContentHash.LENGTH + 8;

    /** Bytes of the body before the entries. */
    public static final int HEADER_LENGTH = ContentHash.LENGTH + NodeId.LENGTH + NONCE_LENGTH + 8 + 2;

    /** Most entries in one attestation: the u16 count. */
    public static final int MAX_ENTRIES = 0xFFFF;

    private static final byte[] DOMAIN_BYTES = DOMAIN.getBytes(StandardCharsets.US_ASCII);

    /**
     * One index row.
     *
     * @param index the fragment's index (u16)
     * @param checksum the BLAKE3 hash of its bytes, as the index records it
     * @param size its length in bytes
     */
    public record Entry(int index, ContentHash checksum, long size) {

        public Entry {
            Objects.requireNonNull(checksum, "checksum");
            if (index < 0 || index > 0xFFFF) {
                throw new IllegalArgumentException("a fragment index is 0..65535, not " + index);
            }
            if (size < 0) {
                throw new IllegalArgumentException("a fragment size is not negative: " + size);
            }
        }

        /** The entry of an index row. */
        public static Entry of(FragmentInfo info) {
            return new Entry(info.id().index(), info.id().checksum(), info.size());
        }
    }

    public Attestation {
        Objects.requireNonNull(tessera, "tessera");
        Objects.requireNonNull(holder, "holder");
        nonce = checkNonce(nonce).clone();
        if (timestamp < 0) {
            throw new IllegalArgumentException("an attestation's timestamp is milliseconds since the epoch, not " + timestamp);
        }
        entries = List.copyOf(entries);
        if (entries.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException("an attestation holds at most " + MAX_ENTRIES + " entries, not " + entries.size());
        }
        for (int i = 1; i < entries.size(); i++) {
            if (entries.get(i).index() <= entries.get(i - 1).index()) {
                throw new IllegalArgumentException("attestation entries go by strictly increasing index: " + entries.get(i).index()
                        + " follows " + entries.get(i - 1).index());
            }
        }
        Objects.requireNonNull(signature, "signature");
        if (signature.length != Ed25519.SIGNATURE_LENGTH) {
            throw new IllegalArgumentException("an Ed25519 signature is 64 bytes, not " + signature.length);
        }
        signature = signature.clone();
    }

    /**
     * Builds and signs an attestation as {@code identity}.
     *
     * @param entries by increasing index
     */
    public static Attestation sign(NodeIdentity identity, ContentHash tessera, byte[] nonce, long timestamp, List<Entry> entries) {
        byte[] body = body(tessera, identity.nodeId(), checkNonce(nonce), timestamp, entries);
        byte[] signature = identity.sign(withDomain(body));
        return new Attestation(tessera, identity.nodeId(), nonce, timestamp, entries, signature);
    }

    /** The exact bytes the holder signs: {@link #DOMAIN} then the body. */
    public byte[] signedBytes() {
        return withDomain(body(tessera, holder, nonce, timestamp, entries));
    }

    /** Whether the signature is {@code publicKey}'s over {@link #signedBytes()}. */
    public boolean signedBy(byte[] publicKey) {
        return Ed25519.verify(publicKey, signedBytes(), signature);
    }

    /** The ATTESTATION payload: the body, then the signature. */
    public byte[] toBytes() {
        byte[] body = body(tessera, holder, nonce, timestamp, entries);
        byte[] bytes = Arrays.copyOf(body, body.length + signature.length);
        System.arraycopy(signature, 0, bytes, body.length, signature.length);
        return bytes;
    }

    /**
     * Decodes an ATTESTATION payload strictly; does not check the signature.
     *
     * @throws net.tesseras.transport.PeerException MALFORMED naming the field that is wrong
     */
    public static Attestation parse(ByteBuffer payload) {
        WireReader in = new WireReader(payload, "ATTESTATION");
        ContentHash tessera = in.hash("the tessera hash");
        byte[] holderBytes = in.bytes(NodeId.LENGTH, "the holder's NodeId");
        if (!NodeId.meetsDifficulty(holderBytes)) {
            throw in.malformed("names holder " + HexFormat.of().formatHex(holderBytes) + ", which is no NodeId (its first "
                    + NodeId.DIFFICULTY_BITS + " bits are not zero)");
        }
        byte[] nonce = in.bytes(NONCE_LENGTH, "the nonce");
        long timestamp = in.u64("the timestamp");
        int count = in.u16("the entry count");
        if (in.remaining() != (long) count * ENTRY_LENGTH + Ed25519.SIGNATURE_LENGTH) {
            throw in.malformed("announces " + count + " entries (" + count * ENTRY_LENGTH + " bytes) and a 64-byte signature, but "
                    + in.remaining() + " bytes follow the count");
        }
        List<Entry> entries = new ArrayList<>(count);
        int previous = -1;
        for (int i = 0; i < count; i++) {
            int index = in.u16("entry " + i + "'s index");
            if (index <= previous) {
                throw in.malformed("lists entry index " + index + " after " + previous + " (indices must strictly increase)");
            }
            previous = index;
            entries.add(new Entry(index, in.hash("entry " + i + "'s checksum"), in.u64("entry " + i + "'s size")));
        }
        byte[] signature = in.bytes(Ed25519.SIGNATURE_LENGTH, "the signature");
        in.end();
        return new Attestation(tessera, NodeId.of(holderBytes), nonce, timestamp, entries, signature);
    }

    @Override
    public byte[] nonce() {
        return nonce.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Attestation other && tessera.equals(other.tessera) && holder.equals(other.holder)
                && Arrays.equals(nonce, other.nonce) && timestamp == other.timestamp && entries.equals(other.entries)
                && Arrays.equals(signature, other.signature);
    }

    @Override
    public int hashCode() {
        return Objects.hash(tessera, holder, timestamp, entries) * 31 + Arrays.hashCode(signature);
    }

    @Override
    public String toString() {
        return "Attestation[" + tessera.toShortHex(12) + " by " + holder.toHex() + " at " + timestamp + ", " + entries.size()
                + " entries]";
    }

    private static byte[] checkNonce(byte[] nonce) {
        Objects.requireNonNull(nonce, "nonce");
        if (nonce.length != NONCE_LENGTH) {
            throw new IllegalArgumentException("a nonce is " + NONCE_LENGTH + " bytes, not " + nonce.length);
        }
        return nonce;
    }

    private static byte[] body(ContentHash tessera, NodeId holder, byte[] nonce, long timestamp, List<Entry> entries) {
        ByteBuffer body = ByteBuffer.allocate(HEADER_LENGTH + entries.size() * ENTRY_LENGTH).order(ByteOrder.BIG_ENDIAN);
        body.put(tessera.toBytes()).put(holder.toBytes()).put(nonce).putLong(timestamp).putShort((short) entries.size());
        for (Entry entry : entries) {
            body.putShort((short) entry.index()).put(entry.checksum().toBytes()).putLong(entry.size());
        }
        return body.array();
    }

    private static byte[] withDomain(byte[] body) {
        byte[] signed = Arrays.copyOf(DOMAIN_BYTES, DOMAIN_BYTES.length + body.length);
        System.arraycopy(body, 0, signed, DOMAIN_BYTES.length, body.length);
        return signed;
    }
}
