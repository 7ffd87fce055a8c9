package net.tesseras.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The distribution carries LICENSE and a NOTICE that lists exactly the third-party jars it ships. */
class NoticeIT {

    private static final Path DIST = Path.of(System.getProperty("tesseras.dist", "target/tesseras"));
    private static final Pattern LISTED = Pattern.compile("^\\s+((?:system|lib)/\\S+\\.jar)", Pattern.MULTILINE);

    @Test
    void noticeListsEveryThirdPartyJarOfTheDistributionAndNoOther() throws IOException {
        String notice = Files.readString(DIST.resolve("NOTICE"));
        Set<String> listed = new TreeSet<>();
        Matcher m = LISTED.matcher(notice);
        while (m.find()) {
            listed.add(m.group(1));
        }
        Set<String> shipped = new TreeSet<>();
        for (String dir : List.of("system", "lib")) {
            try (Stream<Path> files = Files.walk(DIST.resolve(dir))) {
                files.filter(f -> f.toString().endsWith(".jar")).map(f -> DIST.relativize(f).toString().replace('\\', '/'))
                        .filter(f -> !f.startsWith("system/net/tesseras/") && !f.equals("lib/tesseras-launcher.jar"))
                        .forEach(shipped::add);
            }
        }
        assertTrue(shipped.size() > 50, "third-party jars found: " + shipped.size());
        Set<String> unlisted = new TreeSet<>(shipped);
        unlisted.removeAll(listed);
        assertEquals(Set.of(), unlisted, "shipped but missing from NOTICE (add each with its license)");
        Set<String> stale = new TreeSet<>(listed);
        stale.removeAll(shipped);
        assertEquals(Set.of(), stale, "in NOTICE but no longer shipped");
    }

    /** A first start of the distribution as built must not find its data directory open to others. */
    @Test
    void theShippedDataDirectoryIsPrivateToItsUser() throws IOException {
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(DIST.resolve("data"))));
    }

    @Test
    void theApacheLicenseShipsWithTheDistribution() throws IOException {
        String license = Files.readString(DIST.resolve("LICENSE"));
        assertTrue(license.contains("Apache License") && license.contains("Version 2.0, January 2004")
                && license.contains("END OF TERMS AND CONDITIONS"), "LICENSE is not the Apache License 2.0 text");
    }
}
