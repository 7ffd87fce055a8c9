package net.tesseras.tessera.internal.erasure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import net.tesseras.erasure.ErasureCoder;
import net.tesseras.erasure.InsufficientShardsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReedSolomonCoderTest {

    ErasureCoder coder = new ReedSolomonCoder();

    @Test
    void encodesTheVectorSharedByBackblazeAndTheRustCrate() {
        byte[][] data = {{0, 1}, {4, 5}, {2, 3}, {6, 7}, {8, 9}};
        byte[][] parity = new byte[5][2];
        coder.encode(5, 5, data, parity, 0, 2);
        assertArrayEquals(new byte[][] {{12, 13}, {10, 11}, {14, 15}, {90, 91}, {94, 95}}, parity);
    }

    @Test
    void encodesTheMediumTierVectorOfTheReference() {
        // 16 + 8, payload of 100 bytes i % 251, shard size 7, the last data shards zero-padded.
        int shardSize = 7;
        byte[][] data = new byte[16][shardSize];
        for (int i = 0; i < 100; i++) {
            data[i / shardSize][i % shardSize] = (byte) (i % 251);
        }
        byte[][] parity = new byte[8][shardSize];
        coder.encode(16, 8, data, parity, 0, shardSize);
        String[] expected = {"5872aaf33f54ca", "4012e34e26313b", "30a05060e8817e", "7e91dadd68dee8",
            "1c33db1389119c", "229855409727fd", "3140707fe33608", "78b936a50e837d"};
        for (int j = 0; j < 8; j++) {
            assertEquals(expected[j], HexFormat.of().formatHex(parity[j]), "parity shard " + (16 + j));
        }
    }

    @Test
    void writesOnlyInsideTheWindow() {
        byte[][] data = {{9, 0, 1, 9}, {9, 4, 5, 9}, {9, 2, 3, 9}, {9, 6, 7, 9}, {9, 8, 9, 9}};
        byte[][] parity = new byte[5][4];
        for (byte[] p : parity) {
            Arrays.fill(p, (byte) 0x77);
        }
        coder.encode(5, 5, data, parity, 1, 2);
        assertArrayEquals(new byte[] {0x77, 12, 13, 0x77}, parity[0]);
        assertArrayEquals(new byte[] {0x77, 94, 95, 0x77}, parity[4]);
    }

    @ParameterizedTest
    @CsvSource({"1, 0, 10", "1, 1, 5", "5, 5, 2", "16, 8, 3000", "48, 24, 1500", "200, 56, 40", "10, 4, 5000"})
    void anyDataCountOfShardsRebuildsAllOthers(int dataShards, int parityShards, int size) throws Exception {
        Random random = new Random(dataShards * 1000L + parityShards);
        int total = dataShards + parityShards;
        byte[][] original = encodeRandom(random, dataShards, parityShards, size);
        for (int trial = 0; trial < 20; trial++) {
            boolean[] present = randomPresent(random, total, dataShards);
            byte[][] shards = new byte[total][];
            for (int i = 0; i < total; i++) {
                shards[i] = present[i] ? original[i].clone() : new byte[size];
            }
            coder.reconstruct(dataShards, parityShards, shards, present, 0, size);
            for (int i = 0; i < total; i++) {
                assertArrayEquals(original[i], shards[i], "shard " + i + " with present " + Arrays.toString(present));
            }
        }
    }

    @Test
    void reconstructSkipsUnwantedShardsAndNeverWritesPresentOnes() throws Exception {
        byte[][] original = encodeRandom(new Random(7), 16, 8, 100);
        byte[][] shards = new byte[24][];
        boolean[] present = new boolean[24];
        for (int i = 8; i < 24; i++) {
            shards[i] = original[i].clone();
            present[i] = true;
        }
        shards[3] = new byte[100]; // only shard 3 is wanted
        coder.reconstruct(16, 8, shards, present, 0, 100);
        assertArrayEquals(original[3], shards[3]);
        for (int i = 8; i < 24; i++) {
            assertArrayEquals(original[i], shards[i]);
        }
    }

    @Test
    void refusesWithTooFewShardsNamingWhatIsMissing() {
        byte[][] shards = new byte[24][100];
        boolean[] present = new boolean[24];
        Arrays.fill(present, 0, 15, true);
        InsufficientShardsException e = assertThrows(InsufficientShardsException.class,
                () -> coder.reconstruct(16, 8, shards, present, 0, 100));
        assertEquals(15, e.available());
        assertEquals(16, e.needed());
        assertTrue(e.getMessage().contains("15, 16, 17, 18, 19, 20, 21, 22, 23"), e.getMessage());
        assertTrue(e.getMessage().contains("16 are needed"), e.getMessage());
    }

    @Test
    void refusesShapesAndWindowsThatDoNotFit() {
        byte[][] data = new byte[4][10];
        byte[][] parity = new byte[2][10];
        assertThrows(IllegalArgumentException.class, () -> coder.encode(0, 2, new byte[0][], parity, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> coder.encode(200, 57, new byte[200][1], new byte[57][1], 0, 1));
        assertThrows(IllegalArgumentException.class, () -> coder.encode(4, 2, data, parity, 5, 6));
        assertThrows(IllegalArgumentException.class, () -> coder.encode(4, 2, data, parity, -1, 2));
        assertThrows(IllegalArgumentException.class, () -> coder.encode(4, 3, data, parity, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> coder.reconstruct(4, 2, new byte[6][10], new boolean[5], 0, 10));
    }

    @Test
    void staysCorrectAfterJitCompilation() throws Exception {
        // Enough rounds for C2 to compile the kernel: compiled code must give the same bytes.
        Random random = new Random(11);
        byte[][] data = new byte[16][4096];
        for (byte[] d : data) {
            random.nextBytes(d);
        }
        byte[][] first = new byte[8][4096];
        coder.encode(16, 8, data, first, 0, 4096);
        for (int round = 0; round < 3000; round++) {
            byte[][] again = new byte[8][4096];
            coder.encode(16, 8, data, again, 0, 4096);
            if (round % 500 == 0 || round == 2999) {
                assertArrayEquals(first, again, "round " + round);
            }
        }
        assertArrayEquals(slowParity(16, 8, data, 4096), first);
    }

    /** Parity straight from the definition, one Galois.mul at a time. */
    private static byte[][] slowParity(int dataShards, int parityShards, byte[][] data, int size) {
        GfMatrix coding = ReedSolomonCoder.codingMatrix(dataShards, dataShards + parityShards);
        byte[][] parity = new byte[parityShards][size];
        for (int j = 0; j < parityShards; j++) {
            for (int k = 0; k < size; k++) {
                int value = 0;
                for (int i = 0; i < dataShards; i++) {
                    value ^= Galois.mul(coding.get(dataShards + j, i), data[i][k]);
                }
                parity[j][k] = (byte) value;
            }
        }
        return parity;
    }

    private byte[][] encodeRandom(Random random, int dataShards, int parityShards, int size) {
        byte[][] shards = new byte[dataShards + parityShards][size];
        for (int i = 0; i < dataShards; i++) {
            random.nextBytes(shards[i]);
        }
        byte[][] data = Arrays.copyOfRange(shards, 0, dataShards);
        byte[][] parity = Arrays.copyOfRange(shards, dataShards, dataShards + parityShards);
        coder.encode(dataShards, parityShards, data, parity, 0, size);
        assertArrayEquals(slowParity(dataShards, parityShards, data, size), parity);
        return shards;
    }

    private static boolean[] randomPresent(Random random, int total, int dataShards) {
        Integer[] order = new Integer[total];
        for (int i = 0; i < total; i++) {
            order[i] = i;
        }
        java.util.Collections.shuffle(Arrays.asList(order), random);
        boolean[] present = new boolean[total];
        int keep = dataShards + random.nextInt(total - dataShards + 1);
        for (int i = 0; i < keep; i++) {
            present[order[i]] = true;
        }
        return present;
    }
}
