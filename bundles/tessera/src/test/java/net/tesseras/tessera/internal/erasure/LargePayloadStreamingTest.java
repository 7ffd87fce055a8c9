package net.tesseras.tessera.internal.erasure;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A payload far larger than the window goes through the file-based encoder and decoder intact. */
class LargePayloadStreamingTest {

    private static final long PAYLOAD = 50L * 1000 * 1000 + 7;

    @TempDir
    Path dir;

    @Test
    void fiftyMegabytesDecodeByteForByteWithDataShardsLost() throws IOException, Exception {
        Path payload = dir.resolve("payload");
        writeRandom(payload, PAYLOAD, new Random(2024));
        ShardLayout layout = ShardLayout.forPayload(PAYLOAD);
        ReedSolomonCoder coder = new ReedSolomonCoder();
        Path work = Files.createDirectories(dir.resolve("work"));
        Set<Integer> lost = Set.of(0, 3, 7, 15, 16);
        Path decoded = dir.resolve("decoded");
        try (EncodedPayload encoded = new PayloadEncoder(coder, 64 * 1024).encode(payload, layout, work, n -> {});
                FileChannel out = FileChannel.open(decoded, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ShardSource source = index -> lost.contains(index) ? Optional.empty() : Optional.of(encoded.open(index));
            new PayloadDecoder(coder, 64 * 1024, work).decode(layout, encoded.checksums(), source, out, n -> {});
        }
        assertEquals(PAYLOAD, Files.size(decoded));
        assertEquals(-1L, Files.mismatch(payload, decoded));
        try (var files = Files.list(work)) {
            assertEquals(0, files.count(), "parity and rebuilt shards are deleted");
        }
    }

    private static void writeRandom(Path file, long length, Random random) throws IOException {
        byte[] block = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long written = 0; written < length; written += block.length) {
                random.nextBytes(block);
                out.write(block, 0, (int) Math.min(block.length, length - written));
            }
        }
    }
}
