package net.tesseras.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Blake3Test {

    @Test
    void knownAnswers() {
        assertEquals("af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262",
                HexFormat.of().formatHex(Blake3.hash(new byte[0])));
        assertEquals("6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85",
                HexFormat.of().formatHex(Blake3.hash("abc".getBytes(StandardCharsets.US_ASCII))));
    }

    @Test
    void agreesWithCommonsCodecOnEveryBoundary() {
        Random random = new Random(3);
        int[] lengths = {0, 1, 2, 63, 64, 65, 127, 128, 129, 1023, 1024, 1025, 2047, 2048, 2049, 3072, 3073,
                4096, 4097, 5120, 8191, 8192, 8193, 16384, 31744, 65535, 65536, 65537, 100_000, 1 << 20, (1 << 20) + 7};
        for (int length : lengths) {
            byte[] data = new byte[length];
            random.nextBytes(data);
            assertArrayEquals(reference(data), Blake3.hash(data), "length " + length);
        }
    }

    @Test
    void agreesWithCommonsCodecWhateverTheSplitOfUpdates() {
        Random random = new Random(4);
        for (int trial = 0; trial < 300; trial++) {
            byte[] data = new byte[random.nextInt(20_000)];
            random.nextBytes(data);
            Blake3 hasher = new Blake3();
            int offset = 0;
            while (offset < data.length) {
                int n = Math.min(data.length - offset, random.nextInt(3) == 0 ? random.nextInt(3000) : random.nextInt(70));
                hasher.update(data, offset, n);
                offset += n;
            }
            assertArrayEquals(reference(data), hasher.digest(), "trial " + trial + ", length " + data.length);
        }
    }

    @Test
    void staysCorrectOnceTheJitHasCompiledIt() {
        // Multi-chunk inputs, enough times for C2 to compile the hot loops (a miscompiled variant
        // of this class once went wrong only after a few thousand hashes).
        Random random = new Random(7);
        byte[] data = new byte[3000];
        for (int i = 0; i < 20_000; i++) {
            random.nextBytes(data);
            int length = 1025 + random.nextInt(data.length - 1025);
            byte[] slice = java.util.Arrays.copyOf(data, length);
            assertArrayEquals(reference(slice), Blake3.hash(slice), "iteration " + i);
        }
    }

    @Test
    void digestCanBeTakenMidStreamAndResetStartsOver() {
        byte[] data = new byte[5000];
        new Random(5).nextBytes(data);
        Blake3 hasher = new Blake3().update(data, 0, 3000);
        assertArrayEquals(reference(java.util.Arrays.copyOf(data, 3000)), hasher.digest());
        hasher.update(data, 3000, 2000);
        assertArrayEquals(reference(data), hasher.digest());
        assertArrayEquals(Blake3.hash(new byte[0]), hasher.reset().digest());
    }

    @Test
    void directAndHeapBuffersGiveTheSameDigest() {
        byte[] data = new byte[70_000];
        new Random(6).nextBytes(data);
        ByteBuffer direct = ByteBuffer.allocateDirect(data.length).put(data).flip();
        assertArrayEquals(reference(data), new Blake3().update(direct).digest());
        assertEquals(0, direct.position());
        assertArrayEquals(reference(data), new Blake3().update(ByteBuffer.wrap(data).asReadOnlyBuffer()).digest());
    }

    @Test
    void finishGivesTheContentHashOfTheDigest() {
        byte[] data = new byte[3000];
        new Random(8).nextBytes(data);
        Blake3 hasher = new Blake3().update(data).update(ByteBuffer.wrap(data));
        byte[] twice = java.util.Arrays.copyOf(data, 6000);
        System.arraycopy(data, 0, twice, 3000, 3000);
        assertArrayEquals(reference(twice), hasher.digest());
        assertEquals(ContentHash.of(reference(twice)), hasher.finish());
        assertEquals(Blake3Hashing.hash(twice), Blake3Hashing.finish(hasher));
        assertEquals("af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262", new Blake3().finish().toHex());
    }

    private static byte[] reference(byte[] data) {
        return org.apache.commons.codec.digest.Blake3.hash(data);
    }
}
