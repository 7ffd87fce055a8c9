package net.tesseras.tessera.internal.payload;

import net.tesseras.testkit.TestIdentity;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.core.ContentHash;
import net.tesseras.identity.Ed25519;
import net.tesseras.tessera.ContentHashes;
import net.tesseras.tessera.Manifest;
import net.tesseras.tessera.ManifestEntry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tree of mixed files into a payload and back out again, also through the system's tar. */
class PayloadRoundTripTest {

    static final Instant CREATED = Instant.parse("2026-02-13T14:30:00Z");
    static final byte[] PNG_HEAD = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};

    @TempDir
    Path dir;

    Path album;
    final TestIdentity creator = TestIdentity.RFC8032_TEST1;

    @BeforeEach
    void makeAlbum() throws IOException {
        album = dir.resolve("album");
        write("album/notes/my notes.txt", "a note with spaces in its name\n".getBytes(StandardCharsets.UTF_8));
        write("album/ünïcødé 日本.txt", "unicode name\n".getBytes(StandardCharsets.UTF_8));
        write("album/2020/summer/pic.png", concat(PNG_HEAD, new byte[200]));
        write("album/2020/summer/copy-of-pic.PNG", concat(PNG_HEAD, new byte[200]));
        write("album/data.json", "{\"a\": 1}\n".getBytes(StandardCharsets.UTF_8));
        write("album/empty", new byte[0]);
        byte[] noise = new byte[300_000];
        new Random(7).nextBytes(noise);
        write("album/raw/noise.weird-ext!", noise);
    }

    private void write(String name, byte[] content) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.write(file, content);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] all = new byte[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    WrittenPayload writePayload(Path tar) throws Exception {
        List<InputFile> files = new InputFiles().collect(List.of(album));
        return new PayloadWriter(new MimeDetector()).write(files, creator.publicKey(), creator::sign, CREATED, tar, n -> { });
    }

    @Test
    void theManifestListsEveryFileOnceAndEachDistinctFileIsStoredOnce() throws Exception {
        Path tar = dir.resolve("payload.tar");
        AtomicLong progress = new AtomicLong();
        List<InputFile> files = new InputFiles().collect(List.of(album));
        WrittenPayload written = new PayloadWriter(new MimeDetector())
                .write(files, creator.publicKey(), creator::sign, CREATED.plusMillis(900), tar, progress::addAndGet);
        Manifest manifest = written.manifest();
        assertEquals(CREATED, manifest.created());
        assertEquals(7, manifest.entries().size());
        assertEquals(6, written.memories().size());
        assertEquals(Files.size(tar), written.payloadLength());
        // Progress: every file while hashing, each distinct one again while copying.
        long all = files.stream().mapToLong(InputFile::size).sum();
        assertEquals(all + all - 216, progress.get());

        ManifestEntry pic = manifest.entries().get(0);
        ManifestEntry copy = manifest.entries().get(1);
        assertEquals(List.of("album/2020/summer/copy-of-pic.PNG", "album/2020/summer/pic.png"),
                files.subList(0, 2).stream().map(InputFile::name).toList());
        assertEquals(pic, copy, "the same bytes twice give two identical entries");
        assertEquals("memories/" + pic.hash() + "/media.PNG", pic.path(), "the first name's extension, case kept");
        assertEquals("image/png", pic.mime());
        StoredMemory picture = written.memories().get(0);
        assertEquals(List.of("album/2020/summer/copy-of-pic.PNG", "album/2020/summer/pic.png"), picture.originalNames());

        Map<String, String> mimes = new TreeMap<>();
        for (int i = 0; i < files.size(); i++) {
            mimes.put(files.get(i).name(), manifest.entries().get(i).mime());
        }
        assertEquals("text/plain", mimes.get("album/notes/my notes.txt"));
        assertEquals("application/json", mimes.get("album/data.json"));
        assertEquals("application/octet-stream", mimes.get("album/raw/noise.weird-ext!"));
        assertTrue(manifest.entries().stream().anyMatch(e -> e.path().endsWith("/media.bin") && e.size() == 300_000));
        assertTrue(manifest.entries().stream().anyMatch(e -> e.size() == 0
                && e.hash().equals(Blake3Hashing.hash(new byte[0]))));

        List<ContentHash> hashes = new ArrayList<>();
        for (InputFile file : files) {
            hashes.add(Blake3Hashing.hash(file.source()));
        }
        assertEquals(ContentHashes.of(hashes), manifest.contentHash());
        assertArrayEquals(manifest.toBytes(), written.manifestBytes());
        assertTrue(Ed25519.verify(creator.publicKey(), written.manifestBytes(), written.signature()));

        Map<String, byte[]> entries = Tars.read(tar);
        assertEquals(List.of("README", "MANIFEST", "identity/ed25519.sig", "identity/creator.pub.ed25519"),
                new ArrayList<>(entries.keySet()).subList(0, 4));
        assertEquals(4 + 2 * 6, entries.size());
        assertArrayEquals(written.manifestBytes(), entries.get("MANIFEST"));
        assertArrayEquals(written.signature(), entries.get("identity/ed25519.sig"));
        assertArrayEquals(creator.publicKey(), entries.get("identity/creator.pub.ed25519"));
        String meta = new String(entries.get("memories/" + pic.hash() + "/meta.json"), StandardCharsets.UTF_8);
        assertTrue(meta.startsWith("{\n  \"version\": \"v1\",\n  \"created_at\": \"2026-02-13T14:30:00Z\",\n  \"type\": \"moment\","),
                meta);
        assertTrue(meta.contains("\"original_names\": [\n    \"album/2020/summer/copy-of-pic.PNG\",\n"), meta);
        String readme = new String(entries.get("README"), StandardCharsets.UTF_8);
        assertTrue(readme.contains(manifest.contentHash().toHex()) && readme.contains("0x11D"), readme);
    }

    @Test
    void theSameFilesAndTimeGiveTheSameBytes() throws Exception {
        Path first = dir.resolve("first.tar");
        Path second = dir.resolve("second.tar");
        writePayload(first);
        writePayload(second);
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second));
    }

    @Test
    void aPayloadChecksAndExportsToTheSameTree() throws Exception {
        Path tar = dir.resolve("payload.tar");
        WrittenPayload written = writePayload(tar);
        PayloadReader reader = new PayloadReader();
        PayloadCheck check;
        try (InputStream in = Files.newInputStream(tar)) {
            check = reader.check(in);
        }
        assertTrue(check.ok(), check.describe());
        assertTrue(check.signatureValid());
        // Zero padding after the archive, as the uncut join of data shards has, changes nothing.
        byte[] padded = concat(Files.readAllBytes(tar), new byte[100_001]);
        PayloadCheck paddedCheck = reader.check(new java.io.ByteArrayInputStream(padded));
        assertTrue(paddedCheck.ok(), paddedCheck.describe());
        assertEquals(written.manifest(), check.manifest().orElseThrow());
        assertEquals(written.memories(), check.memories());

        Path out = dir.resolve("restored/here");
        ExportResult result;
        try (InputStream in = Files.newInputStream(tar)) {
            result = reader.export(in, out);
        }
        assertEquals(7, result.files());
        assertEquals(out.resolve("tessera"), result.proofFolder());
        Map<String, byte[]> original = tree(dir);
        Map<String, byte[]> restored = tree(out);
        assertEquals(original.keySet(), restored.keySet());
        assertEquals(7, original.size());
        for (String name : original.keySet()) {
            assertArrayEquals(original.get(name), restored.get(name), name);
        }
        assertArrayEquals(written.manifestBytes(), Files.readAllBytes(out.resolve("tessera/MANIFEST")));
        assertArrayEquals(written.signature(), Files.readAllBytes(out.resolve("tessera/identity/ed25519.sig")));
        assertArrayEquals(creator.publicKey(), Files.readAllBytes(out.resolve("tessera/identity/creator.pub.ed25519")));
        assertTrue(Files.exists(out.resolve("tessera/README")));
        for (StoredMemory memory : written.memories()) {
            assertTrue(Files.exists(out.resolve("tessera/memories/" + memory.hash() + "/meta.json")));
        }
        try (Stream<Path> siblings = Files.list(out.getParent())) {
            assertEquals(List.of(out), siblings.toList(), "no staging or partial directory is left behind");
        }
    }

    /** The files under {@code root}/album, by name relative to {@code root}. */
    private static Map<String, byte[]> tree(Path root) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(root.resolve("album"))) {
            for (Path path : paths.filter(Files::isRegularFile).toList()) {
                files.put(root.relativize(path).toString(), Files.readAllBytes(path));
            }
        }
        return files;
    }

    @Test
    void theSystemTarListsAndExtractsThePayload() throws Exception {
        assumeTrue(commandWorks("tar", "--version"), "no tar on this machine");
        Path tar = dir.resolve("payload.tar");
        WrittenPayload written = writePayload(tar);
        List<String> listed = run(dir, "tar", "-tf", tar.toString());
        assertEquals(List.of("README", "MANIFEST", "identity/ed25519.sig", "identity/creator.pub.ed25519"), listed.subList(0, 4));
        assertEquals(16, listed.size());
        Path extracted = Files.createDirectory(dir.resolve("extracted"));
        run(extracted, "tar", "-xf", tar.toString());
        assertArrayEquals(written.manifestBytes(), Files.readAllBytes(extracted.resolve("MANIFEST")));
        for (ManifestEntry entry : written.manifest().entries()) {
            assertEquals(entry.hash(), Blake3Hashing.hash(extracted.resolve(entry.path())), entry.path());
        }
        // The zero padding after the archive (as in a padded last data shard) changes nothing for tar.
        Path padded = dir.resolve("padded.tar");
        Files.write(padded, concat(Files.readAllBytes(tar), new byte[123_457]));
        assertEquals(listed, run(dir, "tar", "-tf", padded.toString()));
    }

    static boolean commandWorks(String... command) {
        try {
            return new ProcessBuilder(command).redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static List<String> run(Path workDir, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), String.join(" ", command) + ": " + output);
        return output.isEmpty() ? List.of() : List.of(output.split("\n"));
    }

    @Test
    void aStoredFolderCalledTesseraMovesTheProofFolderAside() throws Exception {
        // A stored top-level folder called "tessera" moves the proof folder aside instead of mixing with it.
        write("mine/tessera/notes.txt", "mine".getBytes(StandardCharsets.UTF_8));
        Path tar = dir.resolve("p.tar");
        List<InputFile> files = new InputFiles().collect(List.of(dir.resolve("mine/tessera")));
        new PayloadWriter(new MimeDetector()).write(files, creator.publicKey(), creator::sign, CREATED, tar, n -> { });
        Path out = dir.resolve("out");
        ExportResult result;
        try (InputStream in = Files.newInputStream(tar)) {
            result = new PayloadReader().export(in, out);
        }
        assertEquals(out.resolve("tessera-1"), result.proofFolder());
        assertEquals("mine", Files.readString(out.resolve("tessera/notes.txt")));
        assertTrue(Files.exists(out.resolve("tessera-1/MANIFEST")));
        assertFalse(Files.exists(out.resolve("tessera/MANIFEST")));
    }
}
