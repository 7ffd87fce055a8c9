package net.tesseras.storage.internal.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.OptionalInt;
import net.tesseras.core.ContentHash;
import org.junit.jupiter.api.Test;

class FragmentPathsTest {

    @Test
    void shardNamesHaveAtLeastThreeDigits() {
        assertEquals("000.shard", FragmentPaths.fileName(0));
        assertEquals("042.shard", FragmentPaths.fileName(42));
        assertEquals("65535.shard", FragmentPaths.fileName(65535));
    }

    @Test
    void onlyCanonicalShardNamesAreRecognised() {
        assertEquals(OptionalInt.of(7), FragmentPaths.indexOf("007.shard"));
        assertEquals(OptionalInt.of(1234), FragmentPaths.indexOf("1234.shard"));
        assertTrue(FragmentPaths.indexOf("0007.shard").isEmpty());
        assertTrue(FragmentPaths.indexOf("7.shard").isEmpty());
        assertTrue(FragmentPaths.indexOf("99999.shard").isEmpty());
        assertTrue(FragmentPaths.indexOf("007.shard.tmp").isEmpty());
    }

    @Test
    void onlyTheTemporaryNamesThisStoreMakesAreTemporary() {
        ContentHash h = ContentHash.parse("ab".repeat(32));
        FragmentPaths paths = new FragmentPaths(Path.of("/srv/tesseras/fragments"));
        assertTrue(FragmentPaths.isTemporary(paths.temporary(h, 7, 0x1234abcdL).getFileName().toString()));
        assertTrue(FragmentPaths.isTemporary(paths.temporary(h, 65535, -1L).getFileName().toString()));
        assertTrue(FragmentPaths.isTemporary(".002.shard.1234.tmp"));
        assertFalse(FragmentPaths.isTemporary(".x.tmp"), "someone else's file: left alone");
        assertFalse(FragmentPaths.isTemporary(".notes.tmp"));
    }

    @Test
    void tesseraDirectoriesAreLowercaseAsciiHexOnly() {
        assertTrue(FragmentPaths.tesseraOf("ab".repeat(32)).isPresent());
        assertTrue(FragmentPaths.tesseraOf("AB".repeat(32)).isEmpty());
        assertTrue(FragmentPaths.tesseraOf("\uFF10".repeat(64)).isEmpty());
        assertTrue(FragmentPaths.tesseraOf("ab".repeat(31)).isEmpty());
    }

    @Test
    void pathsStayUnderTheRoot() {
        FragmentPaths paths = new FragmentPaths(Path.of("/srv/tesseras/fragments"));
        ContentHash h = ContentHash.parse("ab".repeat(32));
        Path file = paths.file(h, 65535);
        assertTrue(file.startsWith(paths.root()));
        assertEquals("ab".repeat(32) + "/65535.shard", paths.relative(h, 65535));
    }
}
