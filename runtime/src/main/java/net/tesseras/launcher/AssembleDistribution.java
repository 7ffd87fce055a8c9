package net.tesseras.launcher;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Build-time step that fills the distribution's {@code system/} from the feature descriptors: every
 * bundle a feature lists is copied from the build's resolved dependencies (in Maven repository
 * layout), and nothing else. A feature that names a bundle the build did not resolve fails the
 * build.
 *
 * <p>Arguments: the resolved dependencies directory, the distribution directory, the features jar
 * path relative to the dependencies directory, and the launcher jar.
 */
public final class AssembleDistribution {

    private AssembleDistribution() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            throw new IllegalArgumentException("usage: AssembleDistribution <deps> <dist> <features.jar> <launcher.jar>");
        }
        Path deps = Path.of(args[0]);
        Path dist = Path.of(args[1]);
        Path featuresJar = deps.resolve(args[2]);
        Path launcherJar = Path.of(args[3]);
        Path system = dist.resolve("system");
        Path featuresDir = system.resolve("features");
        Files.createDirectories(featuresDir);

        List<Feature> features = extractFeatures(featuresJar, featuresDir);
        int copied = 0;
        for (Feature feature : features) {
            for (Feature.Bundle bundle : feature.bundles()) {
                Path source = deps.resolve(bundle.repositoryPath());
                if (!Files.isRegularFile(source)) {
                    throw new IOException("feature " + feature.id() + " lists " + bundle.coordinates()
                            + " but the build did not resolve it (add it to runtime/pom.xml): " + source);
                }
                Path target = system.resolve(bundle.repositoryPath());
                Files.createDirectories(target.getParent());
                Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                copied++;
            }
        }
        Path lib = dist.resolve("lib");
        Files.createDirectories(lib);
        Files.copy(launcherJar, lib.resolve("tesseras-launcher.jar"), StandardCopyOption.REPLACE_EXISTING);
        copyLauncherClasspath(deps, lib);
        makeExecutable(dist.resolve("bin"));
        Files.createDirectories(dist.resolve("deploy"));
        // data/ is private to the node's user from the start, as bin/tesseras makes it (umask 077):
        // shipped open, every first start warned that other users could read it.
        Path data = Files.createDirectories(dist.resolve("data"));
        Files.setPosixFilePermissions(data, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        System.out.println("[tesseras] assembled " + dist + ": " + features.size() + " features, " + copied + " bundles");
    }

    private static List<Feature> extractFeatures(Path jar, Path into) throws IOException {
        List<Feature> features = new ArrayList<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            Enumeration<JarEntry> entries = file.entries();
            while (entries.hasMoreElements()) {
                JarEntry entry = entries.nextElement();
                if (entry.isDirectory() || !entry.getName().startsWith("features/") || !entry.getName().endsWith(".json")) {
                    continue;
                }
                Path target = into.resolve(Path.of(entry.getName()).getFileName().toString());
                try (var in = file.getInputStream(entry)) {
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
                try (Reader reader = new InputStreamReader(file.getInputStream(entry), StandardCharsets.UTF_8)) {
                    features.add(Feature.read(reader, entry.getName()));
                }
            }
        }
        if (features.isEmpty()) {
            throw new IOException("no features/*.json in " + jar);
        }
        return features;
    }

    /** The framework and the JSON library the launcher itself runs with, outside OSGi. */
    private static void copyLauncherClasspath(Path deps, Path lib) throws IOException {
        for (String prefix : List.of("org.apache.felix.framework-", "gson-")) {
            try (Stream<Path> files = Files.walk(deps)) {
                Path jar = files.filter(p -> p.getFileName().toString().startsWith(prefix)
                        && p.getFileName().toString().endsWith(".jar")).findFirst()
                        .orElseThrow(() -> new IOException("launcher dependency " + prefix + "*.jar not resolved"));
                Files.copy(jar, lib.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static void makeExecutable(Path bin) throws IOException {
        if (!Files.isDirectory(bin)) {
            return;
        }
        try (Stream<Path> scripts = Files.list(bin)) {
            for (Path script : scripts.toList()) {
                Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
    }
}
