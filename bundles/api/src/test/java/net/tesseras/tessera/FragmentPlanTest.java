package net.tesseras.tessera;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.IntStream;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import org.junit.jupiter.api.Test;

class FragmentPlanTest {

    static final TestKeys CREATOR = TestKeys.fromSeed(TestKeys.RFC8032_TEST1_SEED);
    static final ContentHash TESSERA = ContentHash.parse("119a99e5c27f2a8ddf9fb1a5b7e1dd780fbeb8ba37444f10841d338d3c112b4b");

    static List<ContentHash> checksums(int count) {
        return IntStream.range(0, count).mapToObj(i -> Blake3Hashing.hash(new byte[] {(byte) i})).toList();
    }

    static FragmentPlan medium() {
        return FragmentPlan.of(TESSERA, 5_000_000, checksums(24), CREATOR.publicKey());
    }

    @Test
    void theTierAndShardSizeFollowFromThePayloadLength() {
        FragmentPlan plan = medium();
        assertEquals(Tier.MEDIUM, plan.tier());
        assertEquals(16, plan.dataShards());
        assertEquals(8, plan.parityShards());
        assertEquals(312_500, plan.shardSize());
        FragmentPlan small = FragmentPlan.of(TESSERA, 10_240, checksums(1), CREATOR.publicKey());
        assertEquals(Tier.SMALL, small.tier());
        assertEquals(10_240, small.shardSize());
        FragmentPlan large = FragmentPlan.of(TESSERA, (256L << 20) + 1, checksums(72), CREATOR.publicKey());
        assertEquals(5_592_406, large.shardSize()); // ceil((256 MiB + 1) / 48)
    }

    @Test
    void canonicalBytesLookLikeThis() {
        FragmentPlan plan = FragmentPlan.of(TESSERA, 100, checksums(1), CREATOR.publicKey());
        String expected = "TESSERA FRAGMENT PLAN v1\n"
                + "tessera: 119a99e5c27f2a8ddf9fb1a5b7e1dd780fbeb8ba37444f10841d338d3c112b4b\n"
                + "tier: small\n"
                + "data_shards: 1\n"
                + "parity_shards: 0\n"
                + "shard_size: 100\n"
                + "payload_length: 100\n"
                + "creator: d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a\n"
                + "\n"
                + "FRAGMENTS:\n"
                + "  0  blake3:" + checksums(1).get(0).toHex() + "\n";
        assertEquals(expected, new String(plan.toBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void roundTrips() throws FragmentPlanFormatException {
        FragmentPlan plan = medium();
        FragmentPlan parsed = FragmentPlan.parse(plan.toBytes());
        assertEquals(plan, parsed);
        assertArrayEquals(plan.toBytes(), parsed.toBytes());
        assertArrayEquals(CREATOR.publicKey(), parsed.creatorKey());
    }

    @Test
    void fragmentIdsAreDataThenParity() {
        FragmentPlan plan = medium();
        FragmentId first = plan.fragmentId(0);
        assertEquals(new FragmentId(TESSERA, 0, false, checksums(24).get(0)), first);
        assertFalse(plan.fragmentId(15).parity());
        assertTrue(plan.fragmentId(16).parity());
        assertTrue(plan.fragmentId(23).parity());
        assertThrows(IndexOutOfBoundsException.class, () -> plan.fragmentId(24));
        assertTrue(plan.contains(plan.fragmentId(7)));
        assertFalse(plan.contains(new FragmentId(TESSERA, 7, false, checksums(24).get(6))));
        assertFalse(plan.contains(new FragmentId(TESSERA, 30, true, checksums(24).get(6))));
        assertFalse(plan.contains(new FragmentId(checksums(1).get(0), 7, false, checksums(24).get(7))));
    }

    @Test
    void inconsistentValuesAreRefused() {
        byte[] key = CREATOR.publicKey();
        List<ContentHash> sums = checksums(24);
        // Counts that are not the tier's.
        assertThrows(IllegalArgumentException.class,
                () -> new FragmentPlan(TESSERA, Tier.MEDIUM, 16, 4, 312_500, 5_000_000, checksums(20), key));
        // A tier that is not the length's.
        assertThrows(IllegalArgumentException.class,
                () -> new FragmentPlan(TESSERA, Tier.LARGE, 48, 24, 104_167, 5_000_000, checksums(72), key));
        // floor instead of ceil.
        assertThrows(IllegalArgumentException.class,
                () -> new FragmentPlan(TESSERA, Tier.MEDIUM, 16, 8, 312_499, 4_999_999, sums, key));
        assertThrows(IllegalArgumentException.class, () -> FragmentPlan.of(TESSERA, 5_000_000, checksums(23), key));
        assertThrows(IllegalArgumentException.class, () -> FragmentPlan.of(TESSERA, 5_000_000, sums, new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> FragmentPlan.of(TESSERA, 0, checksums(1), key));
        assertThrows(IllegalArgumentException.class, () -> FragmentPlan.of(TESSERA, Tier.MAX_PAYLOAD + 1, checksums(72), key));
    }

    @Test
    void strictParsingNamesTheFault() {
        String text = new String(medium().toBytes(), StandardCharsets.UTF_8);
        assertTrue(refused(text.replace("tier: medium", "tier: large")).getMessage().contains("is medium, not large"));
        assertEquals(3, refused(text.replace("tier: medium", "tier: Medium")).line());
        assertEquals(4, refused(text.replace("data_shards: 16", "data_shards: 016")).line());
        assertEquals(5, refused(text.replace("parity_shards: 8", "parity_shards: +8")).line());
        assertTrue(refused(text.replace("parity_shards: 8", "parity_shards: 4")).getMessage().contains("parity"));
        assertTrue(refused(text.replace("shard_size: 312500", "shard_size: 312499")).getMessage().contains("312500"));
        assertEquals(2, refused(text.replace("tessera: 119a", "tessera: 119A")).line());
        assertEquals(8, refused(text.replace("creator: d75a", "creator: d75")).line());
        assertEquals(1, refused(text.replace("PLAN v1", "PLAN v2")).line());
        assertEquals(2, refused(text.replace("tessera: ", "tessera:  ")).line());
        // Wrong number of checksums.
        String oneLess = text.substring(0, text.lastIndexOf("  23  "));
        assertTrue(refused(oneLess).getMessage().contains("24 checksums, not 23"));
        String oneMore = text + "  24  blake3:" + "00".repeat(32) + "\n";
        assertTrue(refused(oneMore).getMessage().contains("not 25"));
        // Out of order, bad hex, CRLF, trailing text.
        assertEquals(12, refused(text.replace("  1  blake3:", "  2  blake3:")).line());
        assertEquals(11, refused(text.replaceFirst("  0  blake3:.", "  0  blake3:g")).line());
        assertEquals(0, refused(text.substring(0, text.length() - 1)).line());
        assertEquals(1, refused(text.replace("\n", "\r\n")).line());
        assertEquals(35, refused(text + "\n").line());
        assertThrows(FragmentPlanFormatException.class, () -> FragmentPlan.parse(new byte[] {(byte) 0xc3}));
    }

    private static FragmentPlanFormatException refused(String text) {
        return assertThrows(FragmentPlanFormatException.class, () -> FragmentPlan.parse(text.getBytes(StandardCharsets.UTF_8)));
    }
}
