package net.tesseras.tessera.internal.payload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import net.tesseras.tessera.Tier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputFilesTest {

    @TempDir
    Path dir;

    private final InputFiles inputs = new InputFiles();

    private Path file(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, content);
    }

    private static List<String> names(List<InputFile> files) {
        return files.stream().map(InputFile::name).toList();
    }

    @Test
    void aDirectoryGivesNamesBelowItsOwnNameInTreeOrder() throws Exception {
        file("photos/2020/b.jpg", "b");
        file("photos/2020/a.jpg", "a");
        file("photos/a.b/c.txt", "c");
        file("photos/z.txt", "z");
        file("photos/sub dir/ünï 日本.txt", "u");
        List<InputFile> files = inputs.collect(List.of(dir.resolve("photos")));
        assertEquals(List.of("photos/2020/a.jpg", "photos/2020/b.jpg", "photos/a.b/c.txt", "photos/sub dir/ünï 日本.txt",
                "photos/z.txt"), names(files));
        assertEquals(1, files.get(0).size());
        assertEquals("a.jpg", files.get(0).fileName());
    }

    @Test
    void aPlainFileGivesItsFileName() throws Exception {
        Path note = file("deep/down/note.txt", "hello");
        file("other/x.bin", "x");
        assertEquals(List.of("note.txt", "other/x.bin"), names(inputs.collect(List.of(dir.resolve("other"), note))));
    }

    @Test
    void symbolicLinksToFilesAndDirectoriesAreFollowed() throws Exception {
        Path target = file("elsewhere/real.txt", "real");
        file("album/own.txt", "own");
        Files.createSymbolicLink(dir.resolve("album/link.txt"), target);
        Files.createSymbolicLink(dir.resolve("album/linked-dir"), dir.resolve("elsewhere"));
        List<InputFile> files = inputs.collect(List.of(dir.resolve("album")));
        assertEquals(List.of("album/link.txt", "album/linked-dir/real.txt", "album/own.txt"), names(files));
        assertEquals(4, files.get(0).size());
    }

    @Test
    void aSymbolicLinkLoopIsRefusedWithItsPath() throws Exception {
        file("album/a/photo.jpg", "p");
        Path loop = Files.createSymbolicLink(dir.resolve("album/a/back"), dir.resolve("album"));
        TesseraInputException e = assertThrows(TesseraInputException.class, () -> inputs.collect(List.of(dir.resolve("album"))));
        assertEquals(loop, e.input());
        assertTrue(e.getMessage().contains("symbolic link loop"), e.getMessage());
    }

    @Test
    void aBrokenLinkIsRefused() throws Exception {
        file("album/photo.jpg", "p");
        Path broken = Files.createSymbolicLink(dir.resolve("album/gone.jpg"), dir.resolve("nowhere.jpg"));
        TesseraInputException e = assertThrows(TesseraInputException.class, () -> inputs.collect(List.of(dir.resolve("album"))));
        assertEquals(broken, e.input());
        assertTrue(e.getMessage().contains("symbolic link to nothing"), e.getMessage());
        e = assertThrows(TesseraInputException.class, () -> inputs.collect(List.of(broken)));
        assertTrue(e.getMessage().contains("symbolic link to nothing"), e.getMessage());
    }

    @Test
    void anEmptyDirectoryIsNothingToStore() throws Exception {
        Files.createDirectories(dir.resolve("empty/and/nested"));
        TesseraInputException e = assertThrows(TesseraInputException.class, () -> inputs.collect(List.of(dir.resolve("empty"))));
        assertEquals(dir.resolve("empty"), e.input());
        assertTrue(e.getMessage().contains("holds no files"), e.getMessage());
        assertThrows(TesseraInputException.class, () -> inputs.collect(List.of()));
    }

    @Test
    void aMissingPathIsNamed() {
        TesseraInputException e = assertThrows(TesseraInputException.class, () -> inputs.collect(List.of(dir.resolve("nope"))));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void aSocketIsRefusedAsASpecialFile() throws Exception {
        file("album/photo.jpg", "p");
        Path socketPath = dir.resolve("album/s.sock");
        try (ServerSocketChannel socket = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            socket.bind(UnixDomainSocketAddress.of(socketPath));
            TesseraInputException e = assertThrows(TesseraInputException.class, () -> inputs.collect(List.of(dir.resolve("album"))));
            assertEquals(socketPath, e.input());
            assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
        }
    }

    @Test
    void aFifoIsRefusedAsASpecialFile() throws Exception {
        Path fifo = dir.resolve("pipe");
        int exit;
        try {
            exit = new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor();
        } catch (IOException e) {
            exit = -1;
        }
        assumeTrue(exit == 0, "mkfifo is not available");
        TesseraInputException e = assertThrows(TesseraInputException.class, () -> inputs.collect(List.of(fifo)));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
    }

    @Test
    void anUnreadableFileIsRefused() throws Exception {
        Path secret = file("album/secret.txt", "s");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("---------"));
        assumeTrue(!Files.isReadable(secret), "running as a user who reads everything (root)");
        TesseraInputException e = assertThrows(TesseraInputException.class, () -> inputs.collect(List.of(dir.resolve("album"))));
        assertEquals(secret, e.input());
        assertTrue(e.getMessage().contains("permission denied"), e.getMessage());
    }

    @Test
    void twoInputsWithTheSameNameAreRefused() throws Exception {
        Path a = file("one/photos/x.jpg", "1");
        file("two/photos/x.jpg", "2");
        TesseraInputException e = assertThrows(TesseraInputException.class,
                () -> inputs.collect(List.of(dir.resolve("one/photos"), dir.resolve("two/photos"))));
        assertTrue(e.getMessage().contains("'photos/x.jpg'"), e.getMessage());
        assertThrows(TesseraInputException.class, () -> inputs.collect(List.of(a, a)));
    }

    @Test
    void moreThanTheLargestTierIsRefusedBeforeReading() throws Exception {
        Path huge = dir.resolve("huge.bin");
        try (RandomAccessFile sparse = new RandomAccessFile(huge.toFile(), "rw")) {
            sparse.setLength(Tier.MAX_PAYLOAD + 1); // sparse: no data is written
        }
        TesseraInputException e = assertThrows(TesseraInputException.class, () -> inputs.collect(List.of(huge)));
        assertTrue(e.getMessage().contains("10 GiB"), e.getMessage());
        file("a.txt", "12345");
        file("b.txt", "12345");
        assertThrows(TesseraInputException.class,
                () -> new InputFiles(9).collect(List.of(dir.resolve("a.txt"), dir.resolve("b.txt"))));
    }
}
