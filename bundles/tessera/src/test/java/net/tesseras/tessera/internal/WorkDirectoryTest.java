package net.tesseras.tessera.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The work directory never reaches outside the data directory, and start-up cleaning deletes
 * only what the node made: a hostile test pointed {@code work.directory} at a folder holding a
 * person's {@code tessera-family-photos} and the node deleted it.
 */
class WorkDirectoryTest {

    @TempDir
    Path dir;

    @Test
    void onlyDirectoriesTheNodeMadeAreRemovedAtStart() throws Exception {
        Path photos = Files.createDirectories(dir.resolve("tessera-family-photos/2020"));
        Files.writeString(photos.resolve("p.jpg"), "photo");
        Path lookalike = Files.createDirectories(dir.resolve("tessera-create-123"));
        Files.writeString(lookalike.resolve("mine.txt"), "not the node's");
        Path left = WorkDirectory.create(dir, "create").path();
        Files.writeString(left.resolve("payload.tar"), "half a payload");

        assertEquals(1, WorkDirectory.removeLeftOvers(dir, LoggerFactory.getLogger(WorkDirectoryTest.class)));

        assertFalse(Files.exists(left));
        assertEquals("photo", Files.readString(photos.resolve("p.jpg")));
        assertEquals("not the node's", Files.readString(lookalike.resolve("mine.txt")));
    }

    @Test
    void aWorkDirectoryOutsideTheDataDirectoryIsRefusedByTheConfigurationRule() {
        Path data = dir.resolve("data");
        assertEquals(data.resolve("tmp"), WorkDirectory.confined(data, "tmp"));
        assertEquals(data.resolve("scratch/tesseras"), WorkDirectory.confined(data, "scratch/./tesseras"));
        for (String outside : new String[] {"/", "/tmp/elsewhere", "..", "../..", "tmp/../..", ".", ""}) {
            assertNull(WorkDirectory.confined(data, outside), outside);
        }
        assertFalse(TesseraServiceComponent.RULES.check(Map.of("work.directory", "../..")).clean());
        assertFalse(TesseraServiceComponent.RULES.check(Map.of("work.directory", "/home")).clean());
        assertTrue(TesseraServiceComponent.RULES.check(Map.of("work.directory", "tmp")).clean());
    }
}
