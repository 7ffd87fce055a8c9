package net.tesseras.shell.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.internal.db.DatabaseConfig;
import net.tesseras.storage.internal.db.SqliteDatabase;
import net.tesseras.storage.internal.fs.FsFragmentStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StorageCommandsTest {

    @TempDir
    Path dir;

    private SqliteDatabase db;
    private FsFragmentStore store;
    private StorageCommands commands;
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);

    @BeforeEach
    void setUp() {
        db = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("data/db/tesseras.db")));
        store = FsFragmentStore.open("fs", dir.resolve("data/fragments"), db, 0, true);
        commands = new StorageCommands(dir.resolve("data"));
        commands.bindDatabase(db);
        commands.bindStore(store, Map.of(FragmentStore.NAME, "fs", FragmentStore.ROLE, "backend"));
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    @Test
    void putThenListThenGetReturnsTheSameBytes() throws Exception {
        byte[] content = "a letter to my grandchildren".getBytes(StandardCharsets.UTF_8);
        Files.write(dir.resolve("letter.txt"), content);

        commands.put(out, dir, "letter.txt");
        String tessera = capture("tessera\\s+([0-9a-f]{64})");
        assertTrue(text().contains("fragment  0 (data)"), text());

        commands.fragments(out, null);
        assertTrue(text().contains(tessera), text());
        commands.fragments(out, tessera);
        assertTrue(text().contains("data"), text());

        commands.get(out, dir, tessera, 0, "copy.txt");
        assertArrayEquals(content, Files.readAllBytes(dir.resolve("copy.txt")));
        assertTrue(text().contains("checksum verified"));
    }

    @Test
    void getStreamsThroughOpenAndADamagedFragmentLeavesNoFile() throws Exception {
        byte[] content = new byte[300_000];
        new java.util.Random(3).nextBytes(content);
        Files.write(dir.resolve("big.bin"), content);
        commands.put(out, dir, "big.bin");
        String tessera = capture("tessera\\s+([0-9a-f]{64})");
        // A store whose read() refuses (as for a fragment larger than one buffer): get must use open().
        FragmentStore streamingOnly = new net.tesseras.common.internal.ForwardingFragmentStore() {
            @Override
            protected FragmentStore delegate() {
                return store;
            }

            @Override
            public java.util.Optional<java.nio.ByteBuffer> read(net.tesseras.core.ContentHash t, int index) {
                throw new AssertionError("get read the whole fragment into memory");
            }
        };
        commands.bindStore(streamingOnly, Map.of(FragmentStore.NAME, "streaming", FragmentStore.ROLE, "backend",
                org.osgi.framework.Constants.SERVICE_RANKING, 100));
        commands.get(out, dir, tessera, 0, "copy.bin");
        assertArrayEquals(content, Files.readAllBytes(dir.resolve("copy.bin")));

        Path shard = dir.resolve("data/fragments").resolve(tessera).resolve("000.shard");
        byte[] damaged = Files.readAllBytes(shard);
        damaged[damaged.length - 1] ^= 1;
        Files.write(shard, damaged);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> commands.get(out, dir, tessera, 0, "damaged.bin"));
        assertTrue(e.getMessage().contains(tessera) && e.getMessage().contains("nothing written"), e.getMessage());
        assertTrue(Files.notExists(dir.resolve("damaged.bin")), "no partial output is left");
    }

    @Test
    void getRefusesToOverwriteAndExplainsUnknownFragments() throws Exception {
        Files.write(dir.resolve("f"), new byte[] {1, 2, 3});
        commands.put(out, dir, "f");
        String tessera = capture("tessera\\s+([0-9a-f]{64})");
        Files.write(dir.resolve("exists"), new byte[0]);
        IllegalArgumentException exists = assertThrows(IllegalArgumentException.class,
                () -> commands.get(out, dir, tessera, 0, "exists"));
        assertTrue(exists.getMessage().contains("already exists"), exists.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> commands.get(out, dir, tessera, 5, "x"));
        assertTrue(unknown.getMessage().contains("holds no fragment 5"), unknown.getMessage());
        IllegalArgumentException badHash = assertThrows(IllegalArgumentException.class,
                () -> commands.get(out, dir, "not-a-hash", 0, "x"));
        assertTrue(badHash.getMessage().contains("not a content hash"), badHash.getMessage());
    }

    @Test
    void verifyReportsCorruptionAndFails() throws Exception {
        Files.write(dir.resolve("f"), new byte[] {1, 2, 3});
        commands.put(out, dir, "f");
        String tessera = capture("tessera\\s+([0-9a-f]{64})");
        commands.verify(out, null);
        assertTrue(text().contains("1 ok, 0 corrupt, 0 missing"), text());

        Files.write(dir.resolve("data/fragments").resolve(tessera).resolve("000.shard"), new byte[] {9});
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> commands.verify(out, tessera));
        assertTrue(e.getMessage().contains("0 ok, 1 corrupt"), e.getMessage());
        assertTrue(text().contains("CORRUPT"), text());
    }

    @Test
    void indicesBeyondU16AreRefusedNotWrapped() throws Exception {
        Files.write(dir.resolve("f"), new byte[] {1, 2, 3});
        commands.put(out, dir, "f");
        String tessera = capture("tessera\\s+([0-9a-f]{64})");
        // Gogo passes 4294967296 as a Long; an int parameter made it 0 and returned fragment 0.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> commands.get(out, dir, tessera, 4294967296L, "wrapped"));
        assertTrue(e.getMessage().contains("between 0 and 65535, got 4294967296"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> commands.get(out, dir, tessera, -1L, "negative"));
        assertTrue(Files.notExists(dir.resolve("wrapped")));
    }

    @Test
    void verifyOfATesseraNotHeldFails() {
        String notHeld = "ab".repeat(32);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> commands.verify(out, notHeld));
        assertTrue(e.getMessage().contains("holds no fragment of tessera " + notHeld), e.getMessage());
    }

    @Test
    void putOfAMissingFileSaysSo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> commands.put(out, dir, "nope"));
        assertTrue(e.getMessage().contains("not a readable regular file"), e.getMessage());
    }

    @Test
    void statusShowsStoreCountsAndLiveSqliteSettings() {
        commands.status(out);
        String s = text();
        assertTrue(s.contains("fs (backend)"), s);
        assertTrue(s.contains("journal mode     wal"), s);
        assertTrue(s.contains("synchronous      NORMAL"), s);
        assertTrue(s.contains("cache size       64000 KiB"), s);
        assertTrue(s.contains("busy timeout     5000 ms"), s);
    }

    @Test
    void commandsWithoutAStoreExplainWhy() {
        commands.unbindStore(store);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> commands.fragments(out, null));
        assertTrue(e.getMessage().contains("no fragment store is available"), e.getMessage());
    }

    @Test
    void initReportsWhatItCreated() throws Exception {
        commands.init(out);
        assertTrue(text().contains("log/"), text());
        assertTrue(Files.isDirectory(dir.resolve("data/run")));
        assertTrue(text().matches("(?s).*schemas +fragments\\.fs v\\d+.*"), text());
    }

    private String text() {
        return output.toString(StandardCharsets.UTF_8);
    }

    private String capture(String regex) {
        Matcher m = Pattern.compile(regex).matcher(text());
        assertTrue(m.find(), "no match for " + regex + " in:\n" + text());
        return m.group(1);
    }

    @Test
    void tablesAlignNumbersRight() {
        String table = new TextTable("NAME", ">N").row("a", 5).row("bbbb", 123).toString();
        assertEquals("NAME    N\n----  ---\na       5\nbbbb  123\n", table);
    }
}
