package net.tesseras.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The resolve step on small made-up bundle sets: it must fail, naming what is missing, and pass when nothing is. */
class FeatureResolutionTest {

    private static final String REGISTRY = "osgi.service;filter:=\"(objectClass=org.example.metrics.Registry)\";effective:=active";

    @TempDir
    Path dir;

    @Test
    void aMissingPackageFailsNamingThePackageAndTheBundle() throws Exception {
        Map<String, List<Path>> features = new LinkedHashMap<>();
        features.put("app", List.of(bundle("org.example.app", "Import-Package", "org.example.absent;version=\"[1,2)\"")));

        String message = assertThrows(FeatureResolution.UnresolvedException.class, () -> check(features, Set.of())).getMessage();

        assertTrue(message.contains("org.example.absent"), message);
        assertTrue(message.contains("org.example.app 1.0.0 [feature app]"), message);
    }

    @Test
    void aRunTimeServiceRequirementNothingProvidesFailsThoughTheFrameworkWouldStartTheBundle() throws Exception {
        Map<String, List<Path>> features = new LinkedHashMap<>();
        features.put("store", List.of(bundle("org.example.store", "Require-Capability", REGISTRY)));

        String message = assertThrows(FeatureResolution.UnresolvedException.class, () -> check(features, Set.of())).getMessage();

        assertTrue(message.contains("osgi.service (objectClass=org.example.metrics.Registry)"), message);
        assertTrue(message.contains("org.example.store"), message);
    }

    @Test
    void anOptionalServiceRequirementResolvesWithoutAProvider() throws Exception {
        Map<String, List<Path>> features = new LinkedHashMap<>();
        features.put("store", List.of(bundle("org.example.store", "Require-Capability", REGISTRY + ";resolution:=optional")));

        List<String> report = check(features, Set.of());

        assertTrue(report.contains("resolved: feature store with only what it needs [store] (1 bundles)"), report.toString());
    }

    @Test
    void aFeatureThatNeedsAnOptionalFeatureFailsNamingTheRequirement() throws Exception {
        Map<String, List<Path>> features = metricsAndStore(REGISTRY);

        String message = assertThrows(FeatureResolution.UnresolvedException.class,
                () -> check(features, Set.of("metrics"))).getMessage();

        assertTrue(message.contains("feature store needs feature metrics, which must stay optional"), message);
        assertTrue(message.contains("org.example.store 1.0.0 [feature store] requires osgi.service (objectClass=org.example.metrics.Registry)"),
                message);
        assertTrue(message.contains("the distribution without the optional feature metrics"), message);
    }

    @Test
    void theSameRequirementMadeOptionalLeavesTheFeatureOptional() throws Exception {
        Map<String, List<Path>> features = metricsAndStore(REGISTRY + ";resolution:=optional");

        List<String> report = check(features, Set.of("metrics"));

        assertTrue(report.contains("resolved: feature store with only what it needs [store] (1 bundles)"), report.toString());
        assertTrue(report.contains("resolved: the distribution without the optional feature metrics (1 bundles)"), report.toString());
    }

    /** A library two features list (commons-io for Jetty and for Tika) belongs to each of them. */
    @Test
    void aLibraryListedByAnOptionalFeatureAndAnotherIsNoNeedOfTheOptionalOne() throws Exception {
        Path library = bundle("org.example.io", "Export-Package", "org.example.io;version=2.19");
        Map<String, List<Path>> features = new LinkedHashMap<>();
        features.put("metrics", List.of(library, bundle("org.example.web", "Import-Package", "org.example.io")));
        features.put("tessera", List.of(library, bundle("org.example.mime", "Import-Package", "org.example.io")));

        List<String> report = check(features, Set.of("metrics"));

        assertTrue(report.contains("resolved: feature tessera with only what it needs [tessera] (2 bundles)"), report.toString());
        assertTrue(report.contains("resolved: the distribution without the optional feature metrics (2 bundles)"), report.toString());

        Map<String, List<Path>> onlyInMetrics = new LinkedHashMap<>();
        onlyInMetrics.put("metrics", List.of(library));
        onlyInMetrics.put("tessera", List.of(bundle("org.example.mime2", "Import-Package", "org.example.io")));
        String message = assertThrows(FeatureResolution.UnresolvedException.class,
                () -> check(onlyInMetrics, Set.of("metrics"))).getMessage();
        assertTrue(message.contains("feature tessera needs feature metrics"), message);
    }

    @Test
    void aFeatureResolvesWithTheFeaturesItNeedsAndTheyAreNamed() throws Exception {
        Map<String, List<Path>> features = new LinkedHashMap<>();
        features.put("api", List.of(bundle("org.example.api", "Export-Package", "org.example.api;version=1.2")));
        features.put("user", List.of(bundle("org.example.user", "Import-Package", "org.example.api;version=\"[1.1,2)\"")));

        List<String> report = check(features, Set.of());

        assertEquals(List.of(
                "resolved: all 2 features together (2 bundles)",
                "resolved: feature api against the distribution (1 bundles)",
                "resolved: feature user against the distribution (1 bundles)",
                "resolved: feature api with only what it needs [api] (1 bundles)",
                "resolved: feature user with only what it needs [user, api] (2 bundles)"), report);
    }

    @Test
    void aPackageVersionOutsideTheRangeIsUnsatisfied() throws Exception {
        Map<String, List<Path>> features = new LinkedHashMap<>();
        features.put("api", List.of(bundle("org.example.api", "Export-Package", "org.example.api;version=2.0")));
        features.put("user", List.of(bundle("org.example.user", "Import-Package", "org.example.api;version=\"[1.1,2)\"")));

        String message = assertThrows(FeatureResolution.UnresolvedException.class, () -> check(features, Set.of())).getMessage();

        assertTrue(message.contains("org.example.user 1.0.0 [feature user] requires osgi.wiring.package"), message);
        assertTrue(message.contains("org.example.api"), message);
    }

    @Test
    void aComponentReferenceWithoutADeclaredServiceRequirementFails() throws Exception {
        String component = "<scr:component xmlns:scr=\"http://www.osgi.org/xmlns/scr/v1.4.0\" name=\"c\">"
                + "<reference name=\"a\" interface=\"org.example.Declared\"/>"
                + "<reference name=\"b\" cardinality=\"0..1\" interface=\"org.example.Forgotten\"/>"
                + "<implementation class=\"org.example.C\"/></scr:component>";
        Map<String, List<Path>> features = new LinkedHashMap<>();
        features.put("provider", List.of(bundle("org.example.provider", "Provide-Capability",
                "osgi.service;objectClass:List<String>=\"org.example.Declared\"")));
        features.put("user", List.of(bundle("org.example.user", Map.of(
                "Require-Capability", "osgi.service;filter:=\"(objectClass=org.example.Declared)\";effective:=active",
                "Service-Component", "OSGI-INF/c.xml"), Map.of("OSGI-INF/c.xml", component))));

        String message = assertThrows(FeatureResolution.UnresolvedException.class, () -> check(features, Set.of())).getMessage();

        assertTrue(message.contains("1 resolution problem(s)"), message);
        assertTrue(message.contains("org.example.user 1.0.0 [feature user]: the component in OSGI-INF/c.xml references "
                + "org.example.Forgotten but the manifest has no osgi.service requirement for it"), message);
    }

    private Map<String, List<Path>> metricsAndStore(String storeRequirement) throws IOException {
        Map<String, List<Path>> features = new LinkedHashMap<>();
        features.put("metrics", List.of(bundle("org.example.metrics", "Provide-Capability",
                "osgi.service;objectClass:List<String>=\"org.example.metrics.Registry\"")));
        features.put("store", List.of(bundle("org.example.store", "Require-Capability", storeRequirement)));
        return features;
    }

    private List<String> check(Map<String, List<Path>> features, Set<String> optional) throws Exception {
        try (FeatureResolution resolution = new FeatureResolution(dir.resolve("framework"), Map.of(), features)) {
            return resolution.check(optional);
        }
    }

    private Path bundle(String symbolicName, String header, String value) throws IOException {
        return bundle(symbolicName, Map.of(header, value), Map.of());
    }

    private Path bundle(String symbolicName, Map<String, String> headers, Map<String, String> entries) throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", symbolicName);
        main.putValue("Bundle-Version", "1.0.0");
        headers.forEach(main::putValue);
        Path jar = dir.resolve(symbolicName + ".jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream zip = new JarOutputStream(out, manifest)) {
            for (Map.Entry<String, String> entry : entries.entrySet()) {
                zip.putNextEntry(new JarEntry(entry.getKey()));
                zip.write(entry.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        return jar;
    }
}
