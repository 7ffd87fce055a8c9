package net.tesseras.identity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class NodeIdsTest {

    private static final HexFormat HEX = HexFormat.of();
    /** The example of the original implementation's NodeId rules: public key 0xaa x 32. */
    private static final byte[] KEY = HEX.parseHex("aa".repeat(32));

    @Test
    void knownAnswers() {
        // Nonce 0 is no proof of work for this key; 180 is the first nonce that is.
        assertEquals("645eb86b941da9de86afcb525734ad7c1cad39c8", HEX.formatHex(NodeIds.digest(KEY, 0), 0, NodeId.LENGTH));
        assertTrue(NodeIds.derive(KEY, 0).isEmpty());
        assertEquals("00a178502208c4bbd72a7cf2e4143f696a181aea", NodeIds.derive(KEY, 180).orElseThrow().toHex());
        for (long nonce = 0; nonce < 180; nonce++) {
            assertTrue(NodeIds.derive(KEY, nonce).isEmpty(), "nonce " + nonce);
        }
    }

    @Test
    void theDigestIsBlake3OfKeyAndLittleEndianNonce() {
        long nonce = 0x0102030405060708L;
        byte[] input = new byte[KEY.length + 8];
        System.arraycopy(KEY, 0, input, 0, KEY.length);
        for (int i = 0; i < 8; i++) {
            input[KEY.length + i] = (byte) (nonce >>> (8 * i));
        }
        assertArrayEquals(org.apache.commons.codec.digest.Blake3.hash(input), NodeIds.digest(KEY, nonce));
    }

    @Test
    void deriveAgreesWithTheDifficultyCheck() {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) 7);
        int found = 0;
        for (long nonce = 0; nonce < 2000; nonce++) {
            byte[] digest = NodeIds.digest(key, nonce);
            var id = NodeIds.derive(key, nonce);
            assertEquals(NodeId.meetsDifficulty(digest), id.isPresent(), "nonce " + nonce);
            if (id.isPresent()) {
                found++;
                assertArrayEquals(Arrays.copyOf(digest, NodeId.LENGTH), id.get().toBytes());
                assertEquals(0, id.get().toBytes()[0]);
            } else {
                assertFalse(digest[0] == 0);
            }
        }
        assertTrue(found > 0, "about one nonce in 256 is a proof of work");
    }
}
