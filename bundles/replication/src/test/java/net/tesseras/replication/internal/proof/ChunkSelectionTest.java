package net.tesseras.replication.internal.proof;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import net.tesseras.core.Blake3;
import org.junit.jupiter.api.Test;

class ChunkSelectionTest {

    @Test
    void selectsDistinctChunksInRangeInIncreasingOrder() {
        Random random = new Random(1);
        for (int trial = 0; trial < 200; trial++) {
            byte[] nonce = new byte[32];
            random.nextBytes(nonce);
            long size = 1 + random.nextInt(20 << 20);
            int k = 1 + random.nextInt(16);
            long[] chunks = ChunkSelection.select(nonce, random.nextInt(72), size, k);
            long count = (size + 1023) / 1024;
            assertEquals(Math.min(k, count), chunks.length);
            for (int i = 0; i < chunks.length; i++) {
                assertTrue(chunks[i] >= 0 && chunks[i] < count);
                assertTrue(i == 0 || chunks[i] > chunks[i - 1]);
            }
        }
    }

    @Test
    void isTheDocumentedHash() {
        // Candidate 0 of fragment 3, computed here from docs/PROTOCOL.md ("Attestations and challenges").
        byte[] nonce = new byte[32];
        Arrays.fill(nonce, (byte) 0x5a);
        byte[] input = ByteBuffer.allocate(21 + 32 + 2 + 4).put("tesseras challenge v1".getBytes(StandardCharsets.US_ASCII))
                .put(nonce).putShort((short) 3).putInt(0).array();
        long first = Long.remainderUnsigned(ByteBuffer.wrap(Blake3.hash(input)).getLong(), 5120);
        long[] selected = ChunkSelection.select(nonce, 3, 5L << 20, 1);
        assertArrayEquals(new long[] {first}, selected);
    }

    @Test
    void isDeterministicAndDependsOnNonceAndIndex() {
        byte[] nonce = new byte[32];
        long size = 640 * 1024;
        long[] a = ChunkSelection.select(nonce, 0, size, 4);
        assertArrayEquals(a, ChunkSelection.select(nonce.clone(), 0, size, 4));
        assertFalse(Arrays.equals(a, ChunkSelection.select(nonce, 1, size, 4)));
        nonce[31] = 1;
        assertFalse(Arrays.equals(a, ChunkSelection.select(nonce, 0, size, 4)));
    }

    @Test
    void aSmallFragmentIsChallengedWhole() {
        assertArrayEquals(new long[] {0}, ChunkSelection.select(new byte[32], 0, 0, 4));
        assertArrayEquals(new long[] {0, 1, 2}, ChunkSelection.select(new byte[32], 0, 2049, 4));
        assertArrayEquals(new long[] {0, 1, 2, 3}, ChunkSelection.select(new byte[32], 0, 4096, 4));
        assertThrows(IllegalArgumentException.class, () -> ChunkSelection.select(new byte[32], 0, 4096, 0));
    }
}
