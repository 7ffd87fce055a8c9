package net.tesseras.tessera.internal.payload;

import net.tesseras.testkit.TestIdentity;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files that change while they are stored, payloads too large, signers with the wrong key: refused, nothing left. */
class PayloadWriterRefusalTest {

    @TempDir
    Path dir;

    private final TestIdentity creator = TestIdentity.RFC8032_TEST1;

    private Path file(String name, byte[] content) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        return Files.write(file, content);
    }

    private List<InputFile> inputs() throws TesseraInputException {
        return new InputFiles().collect(List.of(dir.resolve("in")));
    }

    @Test
    void aFileThatGrowsWhileItIsHashedIsRefused() throws Exception {
        Path big = file("in/big.bin", new byte[200_000]);
        Path tar = dir.resolve("p.tar");
        List<InputFile> files = inputs();
        AtomicLong calls = new AtomicLong();
        TesseraInputException e = assertThrows(TesseraInputException.class, () -> new PayloadWriter(new MimeDetector())
                .write(files, creator.publicKey(), creator::sign, PayloadRoundTripTest.CREATED, tar, n -> {
                    if (calls.incrementAndGet() == 1) {
                        append(big, new byte[10]);
                    }
                }));
        assertEquals(big, e.input());
        assertTrue(e.getMessage().contains("changed while it was being stored (it grew"), e.getMessage());
        assertFalse(Files.exists(tar));
    }

    @Test
    void aFileThatKeepsGrowingIsRefusedNotReadForever() throws Exception {
        Path log = file("in/log.txt", new byte[100_000]);
        List<InputFile> files = inputs();
        TesseraInputException e = assertThrows(TesseraInputException.class, () -> new PayloadWriter(new MimeDetector())
                .write(files, creator.publicKey(), creator::sign, PayloadRoundTripTest.CREATED, dir.resolve("p.tar"),
                        n -> append(log, new byte[70_000])));
        assertTrue(e.getMessage().contains("it grew"), e.getMessage());
    }

    @Test
    void aFileRewrittenBetweenThePassesIsCaughtByItsHashEvenWithItsOldTime() throws Exception {
        Path big = file("in/big.bin", new byte[200_000]);
        FileTime time = Files.getLastModifiedTime(big);
        Path tar = dir.resolve("p.tar");
        AtomicLong seen = new AtomicLong();
        List<InputFile> files = inputs();
        TesseraInputException e = assertThrows(TesseraInputException.class, () -> new PayloadWriter(new MimeDetector())
                .write(files, creator.publicKey(), creator::sign, PayloadRoundTripTest.CREATED, tar, n -> {
                    // After pass 1 and the first chunk of pass 2, rewrite the end of the file, same size and time.
                    if (seen.addAndGet(n) > 200_000 && seen.get() - n <= 200_000) {
                        rewriteEnd(big, time);
                    }
                }));
        assertTrue(e.getMessage().contains("its BLAKE3 was"), e.getMessage());
        assertFalse(Files.exists(tar));
    }

    @Test
    void aDuplicateChangedAfterItWasHashedIsCaughtByItsTime() throws Exception {
        file("in/a.txt", "same".getBytes());
        Path b = file("in/b.txt", "same".getBytes());
        Files.setLastModifiedTime(b, FileTime.fromMillis(1_000_000));
        Path tar = dir.resolve("p.tar");
        AtomicLong calls = new AtomicLong();
        List<InputFile> files = inputs();
        TesseraInputException e = assertThrows(TesseraInputException.class, () -> new PayloadWriter(new MimeDetector())
                .write(files, creator.publicKey(), creator::sign, PayloadRoundTripTest.CREATED, tar, n -> {
                    if (calls.incrementAndGet() == 3) { // pass 2 copies only a.txt; b.txt changes meanwhile
                        touch(b);
                    }
                }));
        assertEquals(b, e.input());
        assertFalse(Files.exists(tar));
    }

    @Test
    void aPayloadLargerThanTheLargestTierIsRefusedAndDeleted() throws Exception {
        file("in/a.bin", new byte[5_000]);
        Path tar = dir.resolve("p.tar");
        List<InputFile> files = inputs();
        // The limit scaled down: 5000 bytes of media fit, the tar around them does not.
        TesseraInputException e = assertThrows(TesseraInputException.class, () -> new PayloadWriter(new MimeDetector(), 6_000)
                .write(files, creator.publicKey(), creator::sign, PayloadRoundTripTest.CREATED, tar, n -> { }));
        assertTrue(e.getMessage().contains("the payload would be"), e.getMessage());
        assertFalse(Files.exists(tar));
        e = assertThrows(TesseraInputException.class, () -> new PayloadWriter(new MimeDetector(), 4_999)
                .write(files, creator.publicKey(), creator::sign, PayloadRoundTripTest.CREATED, tar, n -> { }));
        assertTrue(e.getMessage().contains("distinct files come to 5000 bytes"), e.getMessage());
    }

    @Test
    void aSignerWithAnotherKeyIsRefusedBeforeAnythingIsWritten() throws Exception {
        file("in/a.txt", "x".getBytes());
        Path tar = dir.resolve("p.tar");
        TestIdentity other = new TestIdentity("01".repeat(32));
        List<InputFile> files = inputs();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PayloadWriter(new MimeDetector())
                .write(files, creator.publicKey(), other::sign, PayloadRoundTripTest.CREATED, tar, n -> { }));
        assertTrue(e.getMessage().contains("does not verify with the creator key"), e.getMessage());
        assertFalse(Files.exists(tar));
    }

    @Test
    void aFileDeletedBeforeItIsReadIsNamed() throws Exception {
        Path a = file("in/a.txt", "x".getBytes());
        List<InputFile> files = inputs();
        Files.delete(a);
        TesseraInputException e = assertThrows(TesseraInputException.class, () -> new PayloadWriter(new MimeDetector())
                .write(files, creator.publicKey(), creator::sign, PayloadRoundTripTest.CREATED, dir.resolve("p.tar"), n -> { }));
        assertEquals(a, e.input());
    }

    private static void append(Path file, byte[] bytes) {
        try {
            Files.write(file, bytes, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void rewriteEnd(Path file, FileTime time) {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(raf.length() - 10);
            raf.write(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        try {
            Files.setLastModifiedTime(file, time);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void touch(Path file) {
        try {
            Files.setLastModifiedTime(file, FileTime.fromMillis(2_000_000));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
