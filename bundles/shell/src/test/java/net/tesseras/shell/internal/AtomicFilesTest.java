package net.tesseras.shell.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path dir;

    private List<Path> files() throws IOException {
        try (var list = Files.list(dir)) {
            return list.toList();
        }
    }

    @Test
    void aWriterThatFailsMidWayLeavesNothing() throws Exception {
        Path target = dir.resolve("out.bin");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.writeNew(target, out -> {
            out.write(ByteBuffer.wrap(new byte[4096]));
            assertTrue(Files.notExists(target), "the target appears only when complete");
            throw new IOException("No space left on device");
        }));
        assertEquals("No space left on device", e.getMessage());
        assertEquals(List.of(), files());
    }

    @Test
    void theTargetAppearsWholeAndAnExistingFileIsNeverReplaced() throws Exception {
        Path target = dir.resolve("out.bin");
        AtomicFiles.writeNew(target, out -> out.write(ByteBuffer.wrap(new byte[] {1, 2, 3})));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target));
        IllegalArgumentException exists = assertThrows(IllegalArgumentException.class,
                () -> AtomicFiles.writeNew(target, out -> out.write(ByteBuffer.wrap(new byte[] {9}))));
        assertTrue(exists.getMessage().contains("already exists"), exists.getMessage());
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target));
        assertEquals(List.of(target), files());
    }

    @Test
    void aFileThatAppearsMeanwhileIsNotReplaced() throws Exception {
        Path target = dir.resolve("out.bin");
        assertThrows(IllegalArgumentException.class, () -> AtomicFiles.writeNew(target, out -> {
            out.write(ByteBuffer.wrap(new byte[] {1}));
            Files.write(target, new byte[] {7});
        }));
        assertArrayEquals(new byte[] {7}, Files.readAllBytes(target));
        assertEquals(List.of(target), files());
    }

    @Test
    void aWriterThatMakesItsOwnFileAndFailsLeavesNothing() throws Exception {
        Path target = dir.resolve("fetched.bin");
        assertThrows(IllegalStateException.class, () -> AtomicFiles.writeNewVia(target, temp -> {
            Files.write(temp, new byte[100]);
            throw new IllegalStateException("fetch failed (connection)");
        }));
        assertEquals(List.of(), files());
        AtomicFiles.writeNewVia(target, temp -> Files.write(temp, new byte[] {5}));
        assertArrayEquals(new byte[] {5}, Files.readAllBytes(target));
        assertEquals(List.of(target), files());
    }

    @Test
    void aMissingOrReadOnlyDirectoryIsReportedAndNothingIsCreated() throws Exception {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> AtomicFiles.writeNew(dir.resolve("no/such/file"), out -> { }));
        assertTrue(missing.getMessage().contains("directory does not exist"), missing.getMessage());
    }
}
