package net.tesseras.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tesseras in the built distribution, driven through bin/tesseras as a person would: a directory
 * of mixed files becomes a small and a medium tessera, is verified, loses fragments on disk and
 * still comes back byte for byte under its original names, and tampering is caught.
 */
class TesseraDistributionIT {

    private static final Pattern CREATED = Pattern.compile("Created tessera ([0-9a-f]{64})");

    @TempDir
    Path tmp;

    private Path home;

    @BeforeEach
    void copyDistribution() throws Exception {
        home = Node.copyDistribution(tmp.resolve("tesseras"));
    }

    @Test
    void createVerifyLoseFragmentsExportAndCatchTampering() throws Exception {
        Path letters = Files.createDirectories(tmp.resolve("letters/2019"));
        Files.writeString(letters.resolve("to grandma.txt"), "Dear grandma,\nthe garden is in bloom.\n");
        Files.write(letters.resolve("drawing.png"), random(1, 40_000));
        Path film = Files.createDirectories(tmp.resolve("film"));
        Files.write(film.resolve("wedding.mp4"), random(2, 10 << 20));
        Files.writeString(film.resolve("credits.md"), "# Credits\n");

        try (Node node = new Node(home, tmp.resolve("data"))) {
            node.bin("start").assertOk();
            String small = created(node.shell("tesseras:create " + tmp.resolve("letters")).assertOk().out());
            Node.Result mediumOut = node.shell("tesseras:create " + film).assertOk();
            String medium = created(mediumOut.out());
            assertTrue(mediumOut.out().contains("16 data + 8 parity"), mediumOut.out());

            // The node's JVM has the Vector API, and the framework exports it to the coder.
            String log = Files.readString(tmp.resolve("data/log/tesseras.log"));
            assertTrue(log.contains("Reed-Solomon coder started with the vector"), log);

            String list = node.shell("tesseras:tesseras").assertOk().out();
            assertTrue(list.contains(small) && list.contains(medium), list);
            String show = node.shell("tesseras:show " + medium.substring(0, 10)).assertOk().out();
            assertTrue(show.contains("held       24 of 24 fragments by the store's index"), show);
            assertTrue(node.shell("tesseras:verify " + small).assertOk().out().contains("Verification passed"));
            assertTrue(node.shell("tesseras:verify " + medium).assertOk().out().contains("Verification passed"));

            // Eight of the medium tessera's shard files disappear from the disk.
            Path shards = tmp.resolve("data/fragments").resolve(medium);
            for (int index : new int[] {1, 3, 4, 6, 9, 17, 20, 23}) {
                Files.delete(shards.resolve(String.format("%03d.shard", index)));
            }
            // A restart empties the cache, which still holds the fragments verify just read.
            node.bin("restart").assertOk();
            Node.Result verify = node.shell("tesseras:verify " + medium);
            assertEquals(1, verify.exit(), verify.out() + verify.err());
            String report = verify.out() + verify.err();
            for (int index : new int[] {1, 3, 4, 6, 9, 17, 20, 23}) {
                assertTrue(report.matches("(?s).*fragment " + index + " \\((data|parity)\\)\\s+FAILED.*"), report);
            }

            Path restored = tmp.resolve("restored");
            Node.Result export = node.shell("tesseras:export " + medium + " " + restored).assertOk();
            // The first 16 good fragments are used: 23 is never tried, so 7 are named.
            assertTrue(export.out().contains("rebuilt around 7 missing or damaged fragments [1, 3, 4, 6, 9, 17, 20]"),
                    export.out());
            assertArrayEquals(Files.readAllBytes(film.resolve("wedding.mp4")), Files.readAllBytes(restored.resolve("film/wedding.mp4")));
            assertEquals("# Credits\n", Files.readString(restored.resolve("film/credits.md")));
            checkWithStandardTools(restored.resolve("tessera"), Files.readAllBytes(film.resolve("wedding.mp4")));
            Node.Result again = node.shell("tesseras:export " + medium + " " + restored);
            assertNotEquals(0, again.exit(), "export never overwrites");

            // A flipped byte in the small tessera's one fragment, then a hand-edited manifest.
            Path only = tmp.resolve("data/fragments").resolve(small).resolve("000.shard");
            byte[] bytes = Files.readAllBytes(only);
            bytes[bytes.length / 3] ^= 1;
            Files.write(only, bytes);
            Node.Result flipped = node.shell("tesseras:verify " + small);
            assertEquals(1, flipped.exit(), flipped.out());
            assertTrue(flipped.out().contains("fragment 0 (data)"), flipped.out() + flipped.err());

            try (Connection c = new org.sqlite.JDBC().connect("jdbc:sqlite:" + tmp.resolve("data/db/tesseras.db"),
                    new java.util.Properties()); Statement s = c.createStatement()) {
                // Still a well-formed manifest, but not the one the creator signed.
                s.executeUpdate("UPDATE tesseras SET manifest = replace(manifest, 'created: 2', 'created: 3')"
                        + " WHERE hash = '" + medium + "'");
            }
            Node.Result edited = node.shell("tesseras:verify " + medium);
            assertEquals(1, edited.exit(), edited.out());
            assertTrue(edited.out().matches("(?s).*manifest signature\\s+FAILED.*"), edited.out());

            node.shell("tesseras:delete " + small).assertOk();
            assertTrue(Files.notExists(tmp.resolve("data/fragments").resolve(small).resolve("000.shard")));
            assertTrue(!node.shell("tesseras:tesseras").assertOk().out().contains(small));
            node.bin("stop").assertOk();
        }
    }

    /**
     * A work directory outside the data directory is refused at start, naming the key: the service
     * removes what it left in its work directory, so pointed at a person's folder it once deleted
     * their own {@code tessera-*} directories.
     */
    @Test
    void aWorkDirectoryOutsideTheDataIsRefusedAtStartAndNothingThereIsTouched() throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("tessera-family-photos"));
        Files.writeString(outside.resolve("p.jpg"), "photo");
        Path cfg = home.resolve("etc/net.tesseras.tessera.cfg");
        Files.writeString(cfg, Files.readString(cfg).replace("work.directory = tmp", "work.directory = " + tmp));
        try (Node node = new Node(home, tmp.resolve("data"))) {
            Node.Result start = node.bin("start");
            assertNotEquals(0, start.exit(), start.out());
            assertTrue((start.out() + start.err()).contains("work.directory"), start.out() + start.err());
            assertEquals("photo", Files.readString(outside.resolve("p.jpg")));
        }
    }

    /**
     * The exported manifest's signature verifies with openssl over the file's bytes, and a file's
     * BLAKE3 from b3sum is the one the manifest lists (each part skipped where the tool is missing).
     */
    private void checkWithStandardTools(Path proof, byte[] film) throws Exception {
        Path manifest = proof.resolve("MANIFEST");
        String text = Files.readString(manifest);
        if (tool("b3sum")) {
            Path copy = Files.write(tmp.resolve("film-for-b3sum"), film);
            String b3sum = run("b3sum", "--no-names", copy.toString()).strip();
            assertTrue(text.contains("blake3:" + b3sum), b3sum + " not in\n" + text);
        }
        if (tool("openssl")) {
            byte[] key = Files.readAllBytes(proof.resolve("identity/creator.pub.ed25519"));
            byte[] der = new byte[44];
            System.arraycopy(java.util.HexFormat.of().parseHex("302a300506032b6570032100"), 0, der, 0, 12);
            System.arraycopy(key, 0, der, 12, 32);
            Path derFile = Files.write(tmp.resolve("creator.der"), der);
            String verified = run("openssl", "pkeyutl", "-verify", "-pubin", "-inkey", derFile.toString(), "-keyform",
                    "DER", "-rawin", "-in", manifest.toString(), "-sigfile", proof.resolve("identity/ed25519.sig").toString());
            assertTrue(verified.contains("Signature Verified Successfully"), verified);
        }
    }

    private static boolean tool(String name) {
        return Stream.of(System.getenv("PATH").split(java.io.File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, name)));
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), String.join(" ", command) + ":\n" + out);
        return out;
    }

    private static String created(String out) {
        Matcher m = CREATED.matcher(out);
        assertTrue(m.find(), out);
        return m.group(1);
    }

    private static byte[] random(long seed, int size) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
