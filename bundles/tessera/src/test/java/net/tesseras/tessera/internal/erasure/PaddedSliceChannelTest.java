package net.tesseras.tessera.internal.erasure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PaddedSliceChannelTest {

    @TempDir
    Path dir;

    @Test
    void readsTheSliceThenZerosFromAnyPosition() throws IOException {
        Path file = Files.write(dir.resolve("payload"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        // Bytes 5..7 of the file (6, 7, 8), padded to 6 bytes.
        try (PaddedSliceChannel channel = new PaddedSliceChannel(FileChannel.open(file, StandardOpenOption.READ), 5, 3, 6)) {
            assertEquals(6, channel.size());
            assertArrayEquals(new byte[] {6, 7, 8, 0, 0, 0}, readAll(channel, 4));
            channel.position(2);
            assertArrayEquals(new byte[] {8, 0, 0, 0}, readAll(channel, 1));
            channel.position(4);
            assertArrayEquals(new byte[] {0, 0}, readAll(channel, 16));
            assertEquals(-1, channel.read(ByteBuffer.allocate(1)));
            assertThrows(NonWritableChannelException.class, () -> channel.write(ByteBuffer.allocate(1)));
            assertThrows(IllegalArgumentException.class, () -> channel.position(-1));
        }
    }

    @Test
    void aPayloadFileThatShrankIsAnErrorNotZeros() throws IOException {
        Path file = Files.write(dir.resolve("payload"), new byte[] {1, 2, 3});
        try (PaddedSliceChannel channel = new PaddedSliceChannel(FileChannel.open(file, StandardOpenOption.READ), 2, 4, 4)) {
            channel.read(ByteBuffer.allocate(1));
            IOException e = assertThrows(IOException.class, () -> channel.read(ByteBuffer.allocate(3)));
            assertTrue(e.getMessage().contains("changed while being encoded"), e.getMessage());
        }
    }

    @Test
    void aClosedChannelRefusesReads() throws IOException {
        Path file = Files.write(dir.resolve("payload"), new byte[] {1});
        PaddedSliceChannel channel = new PaddedSliceChannel(FileChannel.open(file, StandardOpenOption.READ), 0, 1, 2);
        channel.close();
        assertThrows(ClosedChannelException.class, () -> channel.read(ByteBuffer.allocate(1)));
    }

    private static byte[] readAll(PaddedSliceChannel channel, int chunk) throws IOException {
        ByteBuffer all = ByteBuffer.allocate(64);
        ByteBuffer buffer = ByteBuffer.allocate(chunk);
        while (channel.read(buffer) >= 0) {
            buffer.flip();
            all.put(buffer);
            buffer.clear();
        }
        byte[] bytes = new byte[all.position()];
        all.flip().get(bytes);
        return bytes;
    }
}
