package net.tesseras.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class FragmentIdTest {

    private static final ContentHash H = ContentHash.of(new byte[32]);

    @Test
    void indexIsAnUnsigned16BitNumber() {
        assertEquals(0, new FragmentId(H, 0, false, H).index());
        assertEquals(65535, new FragmentId(H, 65535, true, H).index());
        assertThrows(IllegalArgumentException.class, () -> new FragmentId(H, -1, false, H));
        assertThrows(IllegalArgumentException.class, () -> new FragmentId(H, 65536, false, H));
    }

    @Test
    void hashesAreRequired() {
        assertThrows(NullPointerException.class, () -> new FragmentId(null, 0, false, H));
        assertThrows(NullPointerException.class, () -> new FragmentId(H, 0, false, null));
    }
}
