package net.tesseras.tessera.internal.payload;

import net.tesseras.testkit.TestIdentity;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.tesseras.tessera.Manifest;
import net.tesseras.tessera.ManifestEntry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Payloads damaged or built to deceive: every fault is named, and an export writes nothing. */
class PayloadReaderHostileTest {

    @TempDir
    Path dir;

    private final TestIdentity creator = TestIdentity.RFC8032_TEST1;
    private final PayloadReader reader = new PayloadReader();
    private WrittenPayload written;
    private Map<String, byte[]> good;
    private String photo;
    private String photoMeta;

    @BeforeEach
    void writeGoodPayload() throws Exception {
        Files.createDirectories(dir.resolve("in/sub"));
        Files.writeString(dir.resolve("in/sub/photo.jpg"), "not really a photo");
        Files.writeString(dir.resolve("in/note.txt"), "hello world");
        Path tar = dir.resolve("good.tar");
        written = new PayloadWriter(new MimeDetector()).write(new InputFiles().collect(List.of(dir.resolve("in"))),
                creator.publicKey(), creator::sign, PayloadRoundTripTest.CREATED, tar, n -> { });
        good = Tars.read(tar);
        ManifestEntry entry = written.manifest().entries().get(1);
        photo = entry.path();
        photoMeta = "memories/" + entry.hash() + "/meta.json";
        assertTrue(check(good).ok(), check(good).describe());
    }

    private PayloadCheck check(Map<String, byte[]> entries) throws IOException {
        return reader.check(new ByteArrayInputStream(Tars.write(entries)));
    }

    private Map<String, byte[]> copy() {
        Map<String, byte[]> copy = new LinkedHashMap<>();
        good.forEach((name, bytes) -> copy.put(name, bytes.clone()));
        return copy;
    }

    private static void assertProblem(PayloadCheck check, String part, String words) {
        assertFalse(check.ok());
        assertTrue(check.problems().stream().anyMatch(p -> p.part().equals(part) && p.problem().contains(words)),
                "expected a problem of " + part + " with '" + words + "', got:\n" + check.describe());
    }

    /** Replaces the manifest and re-signs it with the creator's own key: the signature is fine, the content is not. */
    private Map<String, byte[]> withResignedManifest(String from, String to) {
        Map<String, byte[]> entries = copy();
        String text = new String(entries.get("MANIFEST"), StandardCharsets.UTF_8).replace(from, to);
        byte[] manifest = text.getBytes(StandardCharsets.UTF_8);
        entries.put("MANIFEST", manifest);
        entries.put("identity/ed25519.sig", creator.sign(manifest));
        return entries;
    }

    @Test
    void aFlippedMediaByteIsNamed() throws IOException {
        Map<String, byte[]> entries = copy();
        entries.get(photo)[3] ^= 1;
        PayloadCheck check = check(entries);
        assertProblem(check, photo, "has BLAKE3");
        assertTrue(check.signatureValid());
        assertTrue(check.partOk(written.manifest().entries().get(0).path()));
        assertEquals(1, check.problems().size(), check.describe());
    }

    @Test
    void aWrongSignatureIsNamed() throws IOException {
        Map<String, byte[]> entries = copy();
        entries.get("identity/ed25519.sig")[10] ^= 1;
        PayloadCheck check = check(entries);
        assertFalse(check.signatureValid());
        assertProblem(check, "identity/ed25519.sig", "does not verify");
        entries = copy();
        entries.get("MANIFEST")[30] ^= 1; // a digit of the creation time
        assertProblem(check(entries), "identity/ed25519.sig", "does not verify");
    }

    @Test
    void aKeyThatIsNotTheCreatorsIsNamedEvenWhenItsSignatureVerifies() throws IOException {
        TestIdentity mallory = new TestIdentity("02".repeat(32));
        Map<String, byte[]> entries = copy();
        entries.put("identity/creator.pub.ed25519", mallory.publicKey());
        entries.put("identity/ed25519.sig", mallory.sign(entries.get("MANIFEST")));
        PayloadCheck check = check(entries);
        assertProblem(check, "identity/creator.pub.ed25519", "is not the manifest's creator");
    }

    @Test
    void aManifestWhoseHashListDisagreesIsNamed() throws IOException {
        ManifestEntry note = written.manifest().entries().get(0);
        String otherHash = "00".repeat(32);
        PayloadCheck check = check(withResignedManifest("blake3:" + note.hash(), "blake3:" + otherHash));
        assertTrue(check.signatureValid());
        assertProblem(check, note.path(), "lies in the folder of another hash");
        assertProblem(check, "MANIFEST", "content_hash");

        check = check(withResignedManifest("content_hash: " + written.contentHash(), "content_hash: " + otherHash));
        assertProblem(check, "MANIFEST", "is not the one its files give, " + written.contentHash());
        assertEquals(1, check.problems().size(), check.describe());
    }

    @Test
    void missingExtraAndMalformedPartsAreNamed() throws IOException {
        Map<String, byte[]> entries = copy();
        entries.remove(photo);
        entries.put("memories/" + "ab".repeat(32) + "/media.exe", new byte[] {1});
        entries.put("etc/passwd", new byte[] {1});
        PayloadCheck check = check(entries);
        assertProblem(check, photo, "missing from the archive");
        assertProblem(check, "memories/" + "ab".repeat(32) + "/media.exe", "not listed in MANIFEST");
        assertProblem(check, "etc/passwd", "not part of a tessera payload");

        entries = copy();
        entries.remove(photoMeta);
        assertProblem(check(entries), photoMeta, "is missing");
        entries = copy();
        entries.put(photoMeta, "{\"version\": \"v1\", oops".getBytes(StandardCharsets.UTF_8));
        assertProblem(check(entries), photoMeta, "not valid JSON");
        entries = copy();
        entries.put("MANIFEST", "TESSERA MANIFEST v1\nvisibility: all\n".getBytes(StandardCharsets.UTF_8));
        check = check(entries);
        assertProblem(check, "MANIFEST", "line 2: unknown header key 'visibility'");
        assertTrue(check.manifest().isEmpty());
        entries = copy();
        entries.remove("identity/ed25519.sig");
        assertProblem(check(entries), "identity/ed25519.sig", "is missing");
        assertProblem(reader.check(new ByteArrayInputStream("not a tar at all".repeat(64).getBytes(StandardCharsets.UTF_8))),
                "MANIFEST", "is missing");
    }

    @Test
    void aMetaJsonNamingAPathOutsideIsRefusedAndTheExportWritesNothing() throws IOException {
        for (String hostile : List.of("../../escaped.txt", "/tmp/escaped.txt", "in/../../escaped.txt", "in//x", "in/./x")) {
            Map<String, byte[]> entries = copy();
            String meta = new String(entries.get(photoMeta), StandardCharsets.UTF_8)
                    .replace("\"in/sub/photo.jpg\"", "\"" + hostile + "\"");
            entries.put(photoMeta, meta.getBytes(StandardCharsets.UTF_8));
            PayloadCheck check = check(entries);
            assertProblem(check, photoMeta, "the original name '" + hostile + "'");

            Path out = dir.resolve("out/dest");
            PayloadException e = assertThrows(PayloadException.class,
                    () -> reader.export(new ByteArrayInputStream(Tars.write(entries)), out));
            assertTrue(e.getMessage().contains(hostile), e.getMessage());
            assertFalse(Files.exists(out));
            assertFalse(Files.exists(dir.resolve("escaped.txt")));
            assertFalse(Files.exists(dir.resolve("out/escaped.txt")));
            try (Stream<Path> left = Files.list(dir.resolve("out"))) {
                assertEquals(List.of(), left.toList(), "nothing left behind for " + hostile);
            }
        }
    }

    @Test
    void namesThatClashAreRefused() throws IOException {
        Map<String, byte[]> entries = copy();
        String noteMeta = "memories/" + written.manifest().entries().get(0).hash() + "/meta.json";
        String meta = new String(entries.get(noteMeta), StandardCharsets.UTF_8).replace("\"in/note.txt\"", "\"in/sub\"");
        entries.put(noteMeta, meta.getBytes(StandardCharsets.UTF_8));
        assertProblem(check(entries), photoMeta, "needs 'in/sub' as a folder");
        meta = new String(good.get(noteMeta), StandardCharsets.UTF_8).replace("\"in/note.txt\"", "\"in/sub/photo.jpg\"");
        entries.put(noteMeta, meta.getBytes(StandardCharsets.UTF_8));
        assertProblem(check(entries), photoMeta, "is also given in " + noteMeta);
    }

    @Test
    void aLinkEntryIsRefused() throws IOException {
        String link = "memories/" + "cd".repeat(32) + "/media.jpg";
        byte[] tar = Tars.write(good, link, "/etc/passwd");
        PayloadCheck check = reader.check(new ByteArrayInputStream(tar));
        assertProblem(check, link, "is not a regular file");
        assertEquals(1, check.problems().size(), check.describe());
        byte[] damaged = Tars.write(good);
        damaged[156] = '2'; // the README header's type flag, without fixing its checksum (commons-compress reads it anyway)
        assertProblem(reader.check(new ByteArrayInputStream(damaged)), "README", "is not a regular file");
    }

    @Test
    void exportRefusesAnExistingOrNonEmptyDestinationAndNeverOverwrites() throws Exception {
        byte[] tar = Tars.write(good);
        Path full = Files.createDirectories(dir.resolve("full"));
        Files.writeString(full.resolve("precious.txt"), "keep me");
        PayloadException e = assertThrows(PayloadException.class, () -> reader.export(new ByteArrayInputStream(tar), full));
        assertTrue(e.getMessage().contains("not empty"), e.getMessage());
        assertEquals("keep me", Files.readString(full.resolve("precious.txt")));

        Path aFile = Files.writeString(dir.resolve("a-file"), "x");
        e = assertThrows(PayloadException.class, () -> reader.export(new ByteArrayInputStream(tar), aFile));
        assertTrue(e.getMessage().contains("not a directory"), e.getMessage());
        e = assertThrows(PayloadException.class, () -> reader.export(new ByteArrayInputStream(tar), aFile.resolve("below")));
        assertTrue(e.getMessage().contains("parent"), e.getMessage());

        Path empty = Files.createDirectories(dir.resolve("empty"));
        ExportResult result = reader.export(new ByteArrayInputStream(tar), empty);
        assertEquals("not really a photo", Files.readString(empty.resolve("in/sub/photo.jpg")));
        assertEquals(2, result.files());
        assertEquals(Manifest.HEADER, Files.readAllLines(empty.resolve("tessera/MANIFEST")).get(0));
    }

    @Test
    void exportOfADamagedPayloadListsItsProblemsAndWritesNothing() throws IOException {
        Map<String, byte[]> entries = copy();
        entries.get(photo)[0] ^= 1;
        Path out = dir.resolve("dest");
        PayloadException e = assertThrows(PayloadException.class,
                () -> reader.export(new ByteArrayInputStream(Tars.write(entries)), out));
        assertEquals(1, e.problems().size());
        assertTrue(e.getMessage().contains(photo), e.getMessage());
        assertFalse(Files.exists(out));
        try (Stream<Path> left = Files.list(dir)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith(".dest")));
        }
    }
}
