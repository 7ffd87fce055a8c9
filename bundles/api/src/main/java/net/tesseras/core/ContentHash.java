package net.tesseras.core;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A 32-byte BLAKE3 digest, printed as 64 lowercase hexadecimal characters.
 *
 * <p>Instances are immutable and safe to share between threads. Parsing accepts only exactly 64
 * hexadecimal characters, so a hash that came from a path, a command line or a peer can be used
 * to build a file name without further checks.
 */
public final class ContentHash implements Comparable<ContentHash> {

    /** Length of a hash in bytes. */
    public static final int LENGTH = 32;

    private static final HexFormat HEX = HexFormat.of();

    private final byte[] bytes;

    private ContentHash(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * Wraps a copy of a 32-byte digest.
     *
     * @throws IllegalArgumentException if {@code digest} is not exactly 32 bytes long
     */
    public static ContentHash of(byte[] digest) {
        Objects.requireNonNull(digest, "digest");
        if (digest.length != LENGTH) {
            throw new IllegalArgumentException(
                    "a content hash is " + LENGTH + " bytes, got " + digest.length);
        }
        return new ContentHash(digest.clone());
    }

    /**
     * Parses 64 hexadecimal characters (either case).
     *
     * @throws IllegalArgumentException naming the offending input if it is not exactly 64 hex
     *     characters
     */
    public static ContentHash parse(CharSequence hex) {
        Objects.requireNonNull(hex, "hex");
        if (hex.length() != LENGTH * 2) {
            throw new IllegalArgumentException("not a content hash (expected 64 hex characters, got "
                    + hex.length() + "): '" + abbreviate(hex) + "'");
        }
        for (int i = 0; i < hex.length(); i++) {
            if (!isHexDigit(hex.charAt(i))) {
                throw new IllegalArgumentException("not a content hash (character " + (i + 1)
                        + " is not hexadecimal): '" + abbreviate(hex) + "'");
            }
        }
        return new ContentHash(HEX.parseHex(hex));
    }

    // ASCII only: Character.digit also accepts fullwidth and other Unicode digits, which
    // HexFormat then refuses; a directory named with 64 U+FF10 once passed isValid.
    private static boolean isHexDigit(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    /** Whether {@code hex} is exactly 64 hexadecimal (ASCII) characters. */
    public static boolean isValid(CharSequence hex) {
        if (hex == null || hex.length() != LENGTH * 2) {
            return false;
        }
        for (int i = 0; i < hex.length(); i++) {
            if (!isHexDigit(hex.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** A copy of the 32 digest bytes. */
    public byte[] toBytes() {
        return bytes.clone();
    }

    /** The 64 lowercase hexadecimal characters. */
    public String toHex() {
        return HEX.formatHex(bytes);
    }

    /** The first {@code n} hex characters, for tables meant for people. */
    public String toShortHex(int n) {
        String hex = toHex();
        return n >= hex.length() ? hex : hex.substring(0, n);
    }

    @Override
    public int compareTo(ContentHash other) {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContentHash other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        // The bytes are a cryptographic digest: any four of them are well distributed.
        return (bytes[0] & 0xff) << 24 | (bytes[1] & 0xff) << 16 | (bytes[2] & 0xff) << 8 | (bytes[3] & 0xff);
    }

    @Override
    public String toString() {
        return toHex();
    }

    private static String abbreviate(CharSequence s) {
        return s.length() <= 80 ? s.toString() : s.subSequence(0, 77) + "...";
    }
}
