package net.tesseras.tessera;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.core.ContentHash;
import net.tesseras.identity.Ed25519;
import org.junit.jupiter.api.Test;

class ManifestTest {

    private static final String HELLO = "d74981efa70a0c880b8d8c1985d075dbcbf679b99a5f9914e5aaf96b831a9e24";
    private static final String TESSERAS = "e601bca7ac8b8bc7d8e718a140b98fcd06d0ddb066530d08bbf941d47e223340";
    private static final String RFC_PUBLIC_KEY = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

    /** The reference's worked example, written out by hand. */
    static final String WORKED_EXAMPLE = "TESSERA MANIFEST v1\n"
            + "created: 2026-02-13T14:30:00Z\n"
            + "creator: " + RFC_PUBLIC_KEY + "\n"
            + "content_hash: 119a99e5c27f2a8ddf9fb1a5b7e1dd780fbeb8ba37444f10841d338d3c112b4b\n"
            + "encoding: UTF-8\n"
            + "schema: v1\n"
            + "\n"
            + "FILES:\n"
            + "  memories/" + HELLO + "/media.txt  blake3:" + HELLO + "  text/plain  11\n"
            + "  memories/" + TESSERAS + "/media.jpg  blake3:" + TESSERAS + "  image/jpeg  8\n";

    private static String sample(String hash) {
        // The original's own sample: its entries lack the two leading spaces, which the parser trims anyway.
        return "TESSERA MANIFEST v1\n"
                + "created: 2026-02-13T14:30:00Z\n"
                + "creator: b3a7f2" + "00".repeat(29) + "\n"
                + "content_hash: " + hash + "\n"
                + "encoding: UTF-8\n"
                + "schema: v1\n"
                + "\n"
                + "FILES:\n"
                + "memories/a1b2c3/media.jpg  blake3:" + hash + "  image/jpeg  142032\n"
                + "memories/a1b2c3/context.txt  blake3:" + hash + "  text/plain  1847\n";
    }

    private static Manifest workedExample() {
        ContentHash hello = Blake3Hashing.hash("hello world".getBytes(StandardCharsets.UTF_8));
        ContentHash tesseras = Blake3Hashing.hash("tesseras".getBytes(StandardCharsets.UTF_8));
        List<ManifestEntry> entries = List.of(
                new ManifestEntry("memories/" + hello + "/media.txt", hello, "text/plain", 11),
                new ManifestEntry("memories/" + tesseras + "/media.jpg", tesseras, "image/jpeg", 8));
        TestKeys keys = TestKeys.fromSeed(TestKeys.RFC8032_TEST1_SEED);
        return new Manifest(Instant.parse("2026-02-13T14:30:00.750Z"), HexFormat.of().formatHex(keys.publicKey()),
                ContentHashes.of(List.of(tesseras, hello)), entries);
    }

    @Test
    void theWorkedExampleIsWrittenByteForByte() {
        Manifest manifest = workedExample();
        byte[] bytes = manifest.toBytes();
        assertEquals(587, bytes.length);
        assertEquals(WORKED_EXAMPLE, new String(bytes, StandardCharsets.UTF_8));
        assertEquals("50231cb037ff4ef2bd3ea5de3bd87585d5a67bea79d39bc1b17ab3ef6f9bfee8",
                Blake3Hashing.hash(bytes).toHex());
        assertEquals(HELLO, manifest.entries().get(0).hash().toHex());
        assertEquals(TESSERAS, manifest.entries().get(1).hash().toHex());
        assertEquals(manifest.contentHash(), manifest.computedContentHash());
        assertEquals(Instant.parse("2026-02-13T14:30:00Z"), manifest.created());
    }

    @Test
    void theWorkedExampleIsSignedOverItsExactBytes() {
        TestKeys keys = TestKeys.fromSeed(TestKeys.RFC8032_TEST1_SEED);
        assertEquals(RFC_PUBLIC_KEY, HexFormat.of().formatHex(keys.publicKey()));
        byte[] bytes = workedExample().toBytes();
        byte[] signature = keys.sign(bytes);
        assertEquals(64, signature.length);
        assertTrue(Ed25519.verify(workedExample().creatorKey().orElseThrow(), bytes, signature));
        bytes[bytes.length - 1] = ' ';
        assertFalse(Ed25519.verify(keys.publicKey(), bytes, signature));
    }

    @Test
    void theWorkedExampleParsesBackToTheSameManifestAndBytes() throws ManifestFormatException {
        Manifest parsed = Manifest.parse(WORKED_EXAMPLE.getBytes(StandardCharsets.UTF_8));
        assertEquals(workedExample(), parsed);
        assertEquals(WORKED_EXAMPLE, new String(parsed.toBytes(), StandardCharsets.UTF_8));
        assertArrayEquals(HexFormat.of().parseHex(RFC_PUBLIC_KEY), parsed.creatorKey().orElseThrow());
    }

    @Test
    void theOriginalsSampleParses() throws ManifestFormatException {
        Manifest manifest = Manifest.parse(sample("ab".repeat(32)).getBytes(StandardCharsets.UTF_8));
        assertEquals(2, manifest.entries().size());
        assertEquals(new ManifestEntry("memories/a1b2c3/media.jpg", ContentHash.parse("ab".repeat(32)), "image/jpeg", 142032),
                manifest.entries().get(0));
        assertEquals("text/plain", manifest.entries().get(1).mime());
        assertEquals(1847, manifest.entries().get(1).size());
        assertEquals("b3a7f2" + "00".repeat(29), manifest.creator());
        // Written back with the two leading spaces; that text parses to the same manifest.
        assertEquals(manifest, Manifest.parse(manifest.toBytes()));
    }

    @Test
    void crlfLineEndsAndSurroundingWhitespaceAreAccepted() throws ManifestFormatException {
        String crlf = WORKED_EXAMPLE.replace("\n", "\r\n").replace("created: ", "  created :  ");
        assertEquals(workedExample(), Manifest.parse(crlf.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void anyRfc3339OffsetIsNormalisedToUtc() throws ManifestFormatException {
        String text = WORKED_EXAMPLE.replace("2026-02-13T14:30:00Z", "2026-02-13T16:30:00.5+02:00");
        assertEquals(Instant.parse("2026-02-13T14:30:00Z"), Manifest.parse(text.getBytes(StandardCharsets.UTF_8)).created());
    }

    @Test
    void upperCaseHexIsAccepted() throws ManifestFormatException {
        String text = WORKED_EXAMPLE.replace("blake3:" + HELLO, "blake3:" + HELLO.toUpperCase());
        assertEquals(workedExample().entries(), Manifest.parse(text.getBytes(StandardCharsets.UTF_8)).entries());
    }

    @Test
    void aHeaderLineWithoutColonIsSkippedAndALaterKeyWins() throws ManifestFormatException {
        String text = WORKED_EXAMPLE.replace("encoding: UTF-8\n", "just words\ncreated: 2030-01-01T00:00:00Z\n");
        assertEquals(Instant.parse("2030-01-01T00:00:00Z"), Manifest.parse(text.getBytes(StandardCharsets.UTF_8)).created());
    }

    @Test
    void anUnknownHeaderKeyIsRefusedWithItsLine() {
        String text = WORKED_EXAMPLE.replace("schema: v1\n", "schema: v1\nvisibility: public\n");
        ManifestFormatException e = refused(text);
        assertEquals(7, e.line());
        assertTrue(e.getMessage().contains("unknown header key 'visibility'"), e.getMessage());
    }

    @Test
    void entriesNeedExactlyFourTokens() {
        String three = WORKED_EXAMPLE.replace("  text/plain  11\n", "  text/plain\n");
        ManifestFormatException e = refused(three);
        assertEquals(9, e.line());
        assertTrue(e.getMessage().contains("this one has 3"), e.getMessage());
        String five = WORKED_EXAMPLE.replace("  image/jpeg  8\n", "  image/jpeg  8  extra\n");
        e = refused(five);
        assertEquals(10, e.line());
        assertTrue(e.getMessage().contains("this one has 5"), e.getMessage());
        // So a path with a space cannot be written or read.
        assertThrows(IllegalArgumentException.class,
                () -> new ManifestEntry("my photo.jpg", ContentHash.parse(HELLO), "image/jpeg", 1));
    }

    @Test
    void aMissingFilesMarkerIsRefused() {
        assertTrue(refused(WORKED_EXAMPLE.replace("FILES:\n", "")).getMessage().contains("expected 'FILES:'"));
        String headerOnly = WORKED_EXAMPLE.substring(0, WORKED_EXAMPLE.indexOf("\nFILES:") + 1);
        assertTrue(refused(headerOnly).getMessage().contains("no 'FILES:' line"));
        // Without the empty line, FILES: is read as an unknown header key.
        assertTrue(refused(WORKED_EXAMPLE.replace("schema: v1\n\n", "schema: v1\n")).getMessage().contains("'FILES'"));
    }

    @Test
    void otherFaultsAreNamed() {
        assertTrue(refused("").getMessage().contains("empty"));
        assertEquals(1, refused("TESSERA MANIFEST v2\n").line());
        assertTrue(refused(WORKED_EXAMPLE.substring(0, WORKED_EXAMPLE.indexOf("  memories"))).getMessage()
                .contains("lists no files"));
        assertTrue(refused(WORKED_EXAMPLE.replace("creator: ", "creatorx: ")).getMessage().contains("creatorx"));
        assertTrue(refused(WORKED_EXAMPLE.replace("created: 2026-02-13T14:30:00Z\n", "")).getMessage()
                .contains("no 'created'"));
        assertEquals(2, refused(WORKED_EXAMPLE.replace("14:30:00Z", "14:30Z")).line());
        assertEquals(2, refused(WORKED_EXAMPLE.replace("2026-02-13", "2026-02-30")).line());
        assertEquals(4, refused(WORKED_EXAMPLE.replace("content_hash: 119a", "content_hash: 119")).line());
        assertEquals(9, refused(WORKED_EXAMPLE.replace("blake3:" + HELLO, "sha256:" + HELLO)).line());
        assertEquals(9, refused(WORKED_EXAMPLE.replace("blake3:" + HELLO, "blake3:" + HELLO.substring(2))).line());
        assertEquals(10, refused(WORKED_EXAMPLE.replace("image/jpeg  8", "image/jpeg  -8")).line());
        assertEquals(10, refused(WORKED_EXAMPLE.replace("image/jpeg  8", "image/jpeg  99999999999999999999")).line());
        assertTrue(refused(WORKED_EXAMPLE + "\nENCRYPTION:\n  scheme: x\n").getMessage().contains("ENCRYPTION"));
        ManifestFormatException notUtf8 = assertThrows(ManifestFormatException.class,
                () -> Manifest.parse(new byte[] {'T', (byte) 0xff, '\n'}));
        assertTrue(notUtf8.getMessage().contains("UTF-8"));
    }

    @Test
    void aManifestHoldsAtLeastOneFile() {
        assertThrows(IllegalArgumentException.class,
                () -> new Manifest(Instant.EPOCH, RFC_PUBLIC_KEY, ContentHash.parse(HELLO), List.of()));
        assertThrows(IllegalArgumentException.class, () -> ContentHashes.of(List.of()));
    }

    private static ManifestFormatException refused(String text) {
        return assertThrows(ManifestFormatException.class, () -> Manifest.parse(text.getBytes(StandardCharsets.UTF_8)));
    }
}
