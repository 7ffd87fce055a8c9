package net.tesseras.identity;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A node's identifier: the first 20 bytes of BLAKE3(public key || nonce as u64 little-endian),
 * whose first {@value #DIFFICULTY_BITS} bits are zero (the proof of work that makes identities
 * cost something to mint). Printed as 40 lowercase hex characters.
 */
public final class NodeId implements Comparable<NodeId> {

    public static final int LENGTH = 20;

    /** Leading zero bits a NodeId must have. */
    public static final int DIFFICULTY_BITS = 8;

    private static final HexFormat HEX = HexFormat.of();

    private final byte[] bytes;

    private NodeId(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * Wraps 20 bytes.
     *
     * @throws IllegalArgumentException if not 20 bytes, or without the required leading zero bits
     */
    public static NodeId of(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("a NodeId is " + LENGTH + " bytes, got " + bytes.length);
        }
        if (!meetsDifficulty(bytes)) {
            throw new IllegalArgumentException("not a NodeId: its first " + DIFFICULTY_BITS + " bits are not zero");
        }
        return new NodeId(bytes.clone());
    }

    /** Parses 40 hexadecimal characters. */
    public static NodeId parse(CharSequence hex) {
        Objects.requireNonNull(hex, "hex");
        if (hex.length() != LENGTH * 2 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new IllegalArgumentException("not a NodeId (expected 40 hex characters): '" + hex + "'");
        }
        return of(HEX.parseHex(hex));
    }

    /** Whether {@code digest} starts with the required number of zero bits. */
    public static boolean meetsDifficulty(byte[] digest) {
        int full = DIFFICULTY_BITS / 8;
        for (int i = 0; i < full; i++) {
            if (digest[i] != 0) {
                return false;
            }
        }
        int rest = DIFFICULTY_BITS % 8;
        return rest == 0 || (digest[full] & 0xff) >>> (8 - rest) == 0;
    }

    public byte[] toBytes() {
        return bytes.clone();
    }

    public String toHex() {
        return HEX.formatHex(bytes);
    }

    @Override
    public int compareTo(NodeId other) {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodeId other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return toHex();
    }
}
