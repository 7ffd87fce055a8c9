package net.tesseras.launcher;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The resolve step on the real assembled distribution with one manifest put back the way it was
 * before the storage bundle declared its MeterRegistry requirement optional: the step must fail
 * and name that requirement (the build step itself proves the shipped manifests resolve).
 */
class FeatureResolutionIT {

    private static final Path DIST = Path.of(System.getProperty("tesseras.dist", "target/tesseras"));
    private static final String OPTIONAL_REGISTRY =
            "filter:=\"(objectClass=io.micrometer.core.instrument.MeterRegistry)\";resolution:=optional";

    @TempDir
    Path tmp;

    @Test
    void aStorageBundleThatRequiresTheRegistryMakesTheMetricsFeatureMandatoryAndTheBuildSaysSo() throws Exception {
        Map<String, List<Path>> features = new LinkedHashMap<>(FeatureResolution.featuresOf(DIST));
        List<Path> storage = new ArrayList<>();
        boolean replaced = false;
        for (Path jar : features.get("storage")) {
            if (jar.getFileName().toString().startsWith("tesseras-storage-")) {
                storage.add(withMandatoryRegistry(jar, tmp.resolve(jar.getFileName())));
                replaced = true;
            } else {
                storage.add(jar);
            }
        }
        assertTrue(replaced, "the storage feature lists no tesseras-storage jar: " + features.get("storage"));
        features.put("storage", storage);

        String message;
        try (FeatureResolution resolution = new FeatureResolution(tmp.resolve("framework"),
                FeatureResolution.frameworkPropertiesOf(DIST, tmp.resolve("data")), features)) {
            message = assertThrows(FeatureResolution.UnresolvedException.class, () -> resolution.check(Set.of("metrics")))
                    .getMessage();
        }

        assertTrue(message.contains("feature storage needs feature metrics, which must stay optional"), message);
        assertTrue(message.contains("net.tesseras.storage 0.1.0.SNAPSHOT [feature storage] requires osgi.service "
                + "(objectClass=io.micrometer.core.instrument.MeterRegistry)"), message);
        // Without metrics the resolver names the first bundle it cannot resolve: storage itself, or a
        // bundle that needs storage's services (replication), with storage's missing registry as the cause.
        String without = message.lines().filter(l -> l.contains("the distribution without the optional feature metrics: "))
                .findFirst().orElseThrow(() -> new AssertionError(message));
        assertTrue(without.contains("net.tesseras.storage") && without.contains("io.micrometer.core.instrument.MeterRegistry"),
                message);
    }

    /** A copy of the bundle whose MeterRegistry requirement is mandatory again. */
    private static Path withMandatoryRegistry(Path jar, Path copy) throws IOException {
        try (InputStream in = Files.newInputStream(jar); JarInputStream source = new JarInputStream(in)) {
            Manifest manifest = new Manifest(source.getManifest());
            Attributes main = manifest.getMainAttributes();
            String requirements = main.getValue("Require-Capability");
            String mandatory = requirements.replace(OPTIONAL_REGISTRY,
                    "filter:=\"(objectClass=io.micrometer.core.instrument.MeterRegistry)\"");
            assertNotEquals(requirements, mandatory, "no optional MeterRegistry requirement in " + jar + ": " + requirements);
            main.putValue("Require-Capability", mandatory);
            try (OutputStream out = Files.newOutputStream(copy); JarOutputStream target = new JarOutputStream(out, manifest)) {
                for (JarEntry entry = source.getNextJarEntry(); entry != null; entry = source.getNextJarEntry()) {
                    target.putNextEntry(new JarEntry(entry.getName()));
                    source.transferTo(target);
                    target.closeEntry();
                }
            }
        }
        return copy;
    }
}
