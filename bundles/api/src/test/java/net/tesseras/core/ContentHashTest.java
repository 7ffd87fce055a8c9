package net.tesseras.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ContentHashTest {

    private static final String HEX = "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262";

    @Test
    void printsLowercaseHexAndRoundTrips() {
        ContentHash hash = ContentHash.parse(HEX.toUpperCase());
        assertEquals(HEX, hash.toHex());
        assertEquals(hash, ContentHash.of(hash.toBytes()));
        assertEquals(hash.hashCode(), ContentHash.parse(HEX).hashCode());
    }

    @Test
    void rejectsAnythingButExactly64HexCharacters() {
        assertThrows(IllegalArgumentException.class, () -> ContentHash.parse(HEX.substring(1)));
        assertThrows(IllegalArgumentException.class, () -> ContentHash.parse(HEX + "0"));
        assertThrows(IllegalArgumentException.class, () -> ContentHash.parse("../" + HEX.substring(3)));
        assertThrows(IllegalArgumentException.class, () -> ContentHash.parse(HEX.substring(1) + "g"));
        assertThrows(IllegalArgumentException.class, () -> ContentHash.parse(""));
        assertThrows(IllegalArgumentException.class, () -> ContentHash.of(new byte[31]));
        assertFalse(ContentHash.isValid(HEX.replace('a', '/')));
        assertTrue(ContentHash.isValid(HEX));
    }

    @Test
    void unicodeDigitsAreNotHex() {
        // Character.digit accepts FULLWIDTH DIGIT ZERO (U+FF10); a directory so named broke the fs store.
        String fullwidth = "\uFF10".repeat(64);
        assertFalse(ContentHash.isValid(fullwidth));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ContentHash.parse(fullwidth));
        assertTrue(e.getMessage().contains("not hexadecimal"), e.getMessage());
    }

    @Test
    void errorMessageNamesTheInput() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ContentHash.parse("xyz"));
        assertTrue(e.getMessage().contains("'xyz'"), e.getMessage());
    }

    @Test
    void defensiveCopies() {
        byte[] digest = new byte[32];
        ContentHash hash = ContentHash.of(digest);
        digest[0] = 1;
        hash.toBytes()[1] = 1;
        assertEquals(ContentHash.of(new byte[32]), hash);
    }

    @Test
    void ordersUnsignedLikeItsHex() {
        ContentHash low = ContentHash.parse("7f" + "00".repeat(31));
        ContentHash high = ContentHash.parse("80" + "00".repeat(31));
        assertTrue(low.compareTo(high) < 0);
        assertNotEquals(low, high);
    }
}
