package net.tesseras.tessera;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.identity.Ed25519;

/**
 * How one tessera's payload is cut into fragments: enough for any node to check that a fragment
 * belongs to the tessera (its checksum is listed at its index) and to rebuild a missing one (the
 * tier fixes the Reed-Solomon code, the shard size and payload length fix the cut). The creator
 * signs its canonical bytes ({@link SignedFragmentPlan}).
 *
 * <p>Canonical bytes (UTF-8, LF line ends, no trailing spaces), in the manifest's style:
 * <pre>
 * TESSERA FRAGMENT PLAN v1
 * tessera: &lt;64 hex content hash&gt;
 * tier: small|medium|large
 * data_shards: 16
 * parity_shards: 8
 * shard_size: &lt;decimal&gt;
 * payload_length: &lt;decimal&gt;
 * creator: &lt;64 hex Ed25519 public key&gt;
 *
 * FRAGMENTS:
 *   0  blake3:&lt;64 hex&gt;
 *   1  blake3:&lt;64 hex&gt;
 *   …
 * </pre>
 * Hex is lowercase, numbers have no sign or leading zeros, and fragments are listed in index
 * order from 0, one per fragment of the tier.
 *
 * @param tessera the tessera's content hash
 * @param tier the tier, which must be {@link Tier#forPayload(long) the payload length's}
 * @param dataShards the tier's data shards (fragments {@code 0 .. dataShards-1})
 * @param parityShards the tier's parity shards
 * @param shardSize the bytes of every fragment: ceil(payloadLength / dataShards)
 * @param payloadLength the payload's length in bytes; data shards joined and cut to it give the payload
 * @param checksums the BLAKE3 hash of each fragment's bytes (padding included), by index
 * @param creatorKey the creator's raw 32-byte Ed25519 public key (the accessor returns a copy)
 */
public record FragmentPlan(ContentHash tessera, Tier tier, int dataShards, int parityShards, long shardSize,
        long payloadLength, List<ContentHash> checksums, byte[] creatorKey) {

    /** The first line of every plan. */
    public static final String HEADER = "TESSERA FRAGMENT PLAN v1";

    private static final HexFormat HEX = HexFormat.of();
    private static final String[] KEYS = {"tessera", "tier", "data_shards", "parity_shards", "shard_size",
            "payload_length", "creator"};

    /**
     * @throws IllegalArgumentException when the values contradict each other: the tier is not the
     *     payload length's, the shard counts are not the tier's, the shard size is not
     *     ceil(length / data shards), the checksums are not one per fragment, or the key is not 32 bytes
     */
    public FragmentPlan {
        Objects.requireNonNull(tessera, "tessera");
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(checksums, "checksums");
        Objects.requireNonNull(creatorKey, "creatorKey");
        if (payloadLength <= 0 || payloadLength > Tier.MAX_PAYLOAD) {
            throw new IllegalArgumentException("a payload length is 1 to " + Tier.MAX_PAYLOAD + " bytes, not " + payloadLength);
        }
        Tier expected = Tier.forPayload(payloadLength);
        if (tier != expected) {
            throw new IllegalArgumentException("a payload of " + payloadLength + " bytes is " + name(expected)
                    + ", not " + name(tier));
        }
        if (dataShards != tier.dataShards() || parityShards != tier.parityShards()) {
            throw new IllegalArgumentException("the " + name(tier) + " tier has " + tier.dataShards() + " data and "
                    + tier.parityShards() + " parity shards, not " + dataShards + " and " + parityShards);
        }
        if (shardSize != tier.shardSize(payloadLength)) {
            throw new IllegalArgumentException("the shard size of a " + payloadLength + "-byte payload in "
                    + dataShards + " data shards is " + tier.shardSize(payloadLength) + ", not " + shardSize);
        }
        checksums = List.copyOf(checksums);
        if (checksums.size() != tier.totalShards()) {
            throw new IllegalArgumentException("the " + name(tier) + " tier has " + tier.totalShards()
                    + " fragments, so " + tier.totalShards() + " checksums, not " + checksums.size());
        }
        if (creatorKey.length != Ed25519.PUBLIC_KEY_LENGTH) {
            throw new IllegalArgumentException("an Ed25519 public key is " + Ed25519.PUBLIC_KEY_LENGTH
                    + " bytes, not " + creatorKey.length);
        }
        creatorKey = creatorKey.clone();
    }

    /**
     * The plan of a payload of {@code payloadLength} bytes: tier, shard counts and shard size follow from the length.
     *
     * @throws IllegalArgumentException as the constructor does
     */
    public static FragmentPlan of(ContentHash tessera, long payloadLength, List<ContentHash> checksums, byte[] creatorKey) {
        Tier tier = Tier.forPayload(payloadLength);
        return new FragmentPlan(tessera, tier, tier.dataShards(), tier.parityShards(), tier.shardSize(payloadLength),
                payloadLength, checksums, creatorKey);
    }

    /** A copy of the creator's raw 32-byte Ed25519 public key. */
    @Override
    public byte[] creatorKey() {
        return creatorKey.clone();
    }

    /** All fragments: data plus parity shards. */
    public int totalShards() {
        return dataShards + parityShards;
    }

    /**
     * The identity of fragment {@code index}: parity when {@code index >= dataShards}, with its
     * listed checksum.
     *
     * @throws IndexOutOfBoundsException when the tier has no such fragment
     */
    public FragmentId fragmentId(int index) {
        Objects.checkIndex(index, totalShards());
        return new FragmentId(tessera, index, index >= dataShards, checksums.get(index));
    }

    /** Whether {@code fragment} is one of this plan's: same tessera, an index it has, and the checksum listed there. */
    public boolean contains(FragmentId fragment) {
        return fragment.tessera().equals(tessera) && fragment.index() < totalShards()
                && fragment.equals(fragmentId(fragment.index()));
    }

    /** The canonical bytes, the ones the creator signs. */
    public byte[] toBytes() {
        StringBuilder text = new StringBuilder(300 + checksums.size() * 80);
        text.append(HEADER).append('\n');
        text.append("tessera: ").append(tessera.toHex()).append('\n');
        text.append("tier: ").append(name(tier)).append('\n');
        text.append("data_shards: ").append(dataShards).append('\n');
        text.append("parity_shards: ").append(parityShards).append('\n');
        text.append("shard_size: ").append(shardSize).append('\n');
        text.append("payload_length: ").append(payloadLength).append('\n');
        text.append("creator: ").append(HEX.formatHex(creatorKey)).append('\n');
        text.append('\n');
        text.append("FRAGMENTS:\n");
        for (int i = 0; i < checksums.size(); i++) {
            text.append("  ").append(i).append("  blake3:").append(checksums.get(i).toHex()).append('\n');
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads canonical plan bytes and nothing else: the exact layout of {@link #toBytes()}, so
     * that the bytes read are the bytes a signature covers.
     *
     * @throws FragmentPlanFormatException naming the line and the fault, when the bytes are not
     *     canonical or the values contradict each other
     */
    public static FragmentPlan parse(byte[] bytes) throws FragmentPlanFormatException {
        Objects.requireNonNull(bytes, "bytes");
        String text;
        try {
            text = ManifestText.decodeUtf8(bytes);
        } catch (CharacterCodingException e) {
            throw new FragmentPlanFormatException(0, "is not valid UTF-8 text");
        }
        if (!text.endsWith("\n")) {
            throw new FragmentPlanFormatException(0, "does not end with a line feed");
        }
        String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
        expect(lines, 0, HEADER);
        String[] values = new String[KEYS.length];
        for (int k = 0; k < KEYS.length; k++) {
            int line = k + 1;
            String prefix = KEYS[k] + ": ";
            if (line >= lines.length || !lines[line].startsWith(prefix)) {
                throw new FragmentPlanFormatException(line + 1, "expected '" + prefix + "<value>'"
                        + (line < lines.length ? ", found '" + abbreviate(lines[line]) + "'" : ", found the end"));
            }
            values[k] = lines[line].substring(prefix.length());
        }
        int afterHeader = KEYS.length + 1;
        expect(lines, afterHeader, "");
        expect(lines, afterHeader + 1, "FRAGMENTS:");
        ContentHash tessera = hash(values[0], 2, "tessera");
        Tier tier = tier(values[1], 3);
        int dataShards = (int) number(values[2], 4, "data_shards", 255);
        int parityShards = (int) number(values[3], 5, "parity_shards", 255);
        long shardSize = number(values[4], 6, "shard_size", Tier.MAX_PAYLOAD);
        long payloadLength = number(values[5], 7, "payload_length", Tier.MAX_PAYLOAD);
        byte[] creator = hash(values[6], 8, "creator").toBytes();
        int first = afterHeader + 2;
        List<ContentHash> checksums = new ArrayList<>();
        for (int i = first; i < lines.length; i++) {
            int index = i - first;
            String prefix = "  " + index + "  blake3:";
            if (!lines[i].startsWith(prefix)) {
                throw new FragmentPlanFormatException(i + 1, "expected fragment '" + prefix + "<64 hex>', found '"
                        + abbreviate(lines[i]) + "'");
            }
            checksums.add(hash(lines[i].substring(prefix.length()), i + 1, "the checksum of fragment " + index));
        }
        try {
            return new FragmentPlan(tessera, tier, dataShards, parityShards, shardSize, payloadLength, checksums, creator);
        } catch (IllegalArgumentException e) {
            throw new FragmentPlanFormatException(0, e.getMessage());
        }
    }

    private static void expect(String[] lines, int index, String expected) throws FragmentPlanFormatException {
        if (index >= lines.length) {
            throw new FragmentPlanFormatException(index + 1, "expected '" + expected + "', found the end");
        }
        if (!lines[index].equals(expected)) {
            throw new FragmentPlanFormatException(index + 1, "expected '" + expected + "', found '"
                    + abbreviate(lines[index]) + "'");
        }
    }

    private static ContentHash hash(String value, int line, String what) throws FragmentPlanFormatException {
        boolean lowerHex = value.length() == 64 && value.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
        if (!lowerHex) {
            throw new FragmentPlanFormatException(line, what + " is 64 lowercase hex characters, not '"
                    + abbreviate(value) + "'");
        }
        return ContentHash.parse(value);
    }

    private static Tier tier(String value, int line) throws FragmentPlanFormatException {
        for (Tier tier : Tier.values()) {
            if (name(tier).equals(value)) {
                return tier;
            }
        }
        throw new FragmentPlanFormatException(line, "the tier is small, medium or large, not '" + abbreviate(value) + "'");
    }

    private static long number(String value, int line, String what, long max) throws FragmentPlanFormatException {
        boolean canonical = !value.isEmpty() && value.length() <= 19
                && value.chars().allMatch(c -> c >= '0' && c <= '9') && (value.equals("0") || value.charAt(0) != '0');
        long number = canonical ? Long.parseLong(value) : -1;
        if (!canonical || number > max) {
            throw new FragmentPlanFormatException(line, what + " is a decimal number from 0 to " + max
                    + " without sign or leading zeros, not '" + abbreviate(value) + "'");
        }
        return number;
    }

    /** The tier as the plan writes it. */
    static String name(Tier tier) {
        return tier.name().toLowerCase(Locale.ROOT);
    }

    private static String abbreviate(String s) {
        return s.length() <= 100 ? s : s.substring(0, 97) + "...";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FragmentPlan other && tessera.equals(other.tessera) && tier == other.tier
                && dataShards == other.dataShards && parityShards == other.parityShards && shardSize == other.shardSize
                && payloadLength == other.payloadLength && checksums.equals(other.checksums)
                && Arrays.equals(creatorKey, other.creatorKey);
    }

    @Override
    public int hashCode() {
        return tessera.hashCode() * 31 + Long.hashCode(payloadLength);
    }

    @Override
    public String toString() {
        return "FragmentPlan[" + tessera + " " + name(tier) + " " + dataShards + "+" + parityShards + " shard "
                + shardSize + " of " + payloadLength + " bytes, creator " + HEX.formatHex(creatorKey) + "]";
    }
}
