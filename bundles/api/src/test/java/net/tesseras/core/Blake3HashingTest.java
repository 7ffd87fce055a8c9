package net.tesseras.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Blake3HashingTest {

    // Reference digests from the BLAKE3 specification's implementation.
    private static final String EMPTY = "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262";
    private static final String ABC = "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85";

    @Test
    void knownAnswers() {
        assertEquals(EMPTY, Blake3Hashing.hash(new byte[0]).toHex());
        assertEquals(ABC, Blake3Hashing.hash("abc".getBytes(StandardCharsets.US_ASCII)).toHex());
    }

    @Test
    void everyInputShapeGivesTheSameDigest(@TempDir Path dir) throws Exception {
        byte[] data = new byte[200_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31);
        }
        String expected = Blake3Hashing.hash(data).toHex();
        ByteBuffer direct = ByteBuffer.allocateDirect(data.length).put(data).flip();
        assertEquals(expected, Blake3Hashing.hash(direct).toHex());
        assertEquals(0, direct.position(), "hashing does not move the buffer");
        assertEquals(expected, Blake3Hashing.hash(ByteBuffer.wrap(data).asReadOnlyBuffer()).toHex());
        assertEquals(expected, Blake3Hashing.hash(Channels.newChannel(new ByteArrayInputStream(data))).toHex());
        Path file = Files.write(dir.resolve("f"), data);
        assertEquals(expected, Blake3Hashing.hash(file).toHex());
    }
}
