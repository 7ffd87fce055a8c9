package net.tesseras.tessera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import net.tesseras.core.Blake3;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.core.ContentHash;
import org.junit.jupiter.api.Test;

class ContentHashesTest {

    private static final ContentHash HELLO = Blake3Hashing.hash("hello world".getBytes(StandardCharsets.UTF_8));
    private static final ContentHash TESSERAS = Blake3Hashing.hash("tesseras".getBytes(StandardCharsets.UTF_8));

    @Test
    void theReferenceContentHashInEitherInputOrder() {
        String expected = "119a99e5c27f2a8ddf9fb1a5b7e1dd780fbeb8ba37444f10841d338d3c112b4b";
        assertEquals(expected, ContentHashes.of(List.of(HELLO, TESSERAS)).toHex());
        assertEquals(expected, ContentHashes.of(List.of(TESSERAS, HELLO)).toHex());
    }

    @Test
    void duplicatesAreKept() {
        byte[] twice = new byte[64];
        System.arraycopy(HELLO.toBytes(), 0, twice, 0, 32);
        System.arraycopy(HELLO.toBytes(), 0, twice, 32, 32);
        assertEquals(ContentHash.of(Blake3.hash(twice)), ContentHashes.of(List.of(HELLO, HELLO)));
        assertNotEquals(ContentHashes.of(List.of(HELLO)), ContentHashes.of(List.of(HELLO, HELLO)));
    }

    @Test
    void orderIsUnsignedByteOrder() {
        // 0x80.. sorts after 0x7f.. as hex strings do; a signed byte comparison would put it first.
        ContentHash high = ContentHash.parse("80" + "00".repeat(31));
        ContentHash low = ContentHash.parse("7f" + "ff".repeat(31));
        byte[] expected = new byte[64];
        System.arraycopy(low.toBytes(), 0, expected, 0, 32);
        System.arraycopy(high.toBytes(), 0, expected, 32, 32);
        assertEquals(ContentHash.of(Blake3.hash(expected)), ContentHashes.of(List.of(high, low)));
    }
}
