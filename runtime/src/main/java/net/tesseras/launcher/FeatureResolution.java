package net.tesseras.launcher;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.felix.resolver.Logger;
import org.apache.felix.resolver.ResolverImpl;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.Version;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRequirement;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.resource.Capability;
import org.osgi.resource.Namespace;
import org.osgi.resource.Requirement;
import org.osgi.resource.Resource;
import org.osgi.resource.Wire;
import org.osgi.resource.Wiring;
import org.osgi.service.resolver.HostedCapability;
import org.osgi.service.resolver.ResolutionException;
import org.osgi.service.resolver.ResolveContext;

/**
 * Resolves the features of a distribution with a real OSGi resolver (the Felix resolver, the one
 * inside the framework the node runs on) and reports every requirement nothing satisfies.
 *
 * <p>Unlike the framework when it starts bundles, this resolver treats requirements that are
 * effective only at run time ({@code effective:=active}, such as the {@code osgi.service}
 * requirements Declarative Services components declare) as requirements, as a feature installer or
 * bnd's resolver does. The system bundle is the framework itself, configured with the
 * distribution's {@code etc/framework.properties}, so the JDK packages, execution environments and
 * native platform offered are the ones the node gets.
 *
 * <p>The checks, each failing with the requirement that is not satisfied:
 * <ol>
 *   <li>every bundle of every feature, all together;</li>
 *   <li>each feature against the whole distribution: this also tells which other features it
 *       needs (through a mandatory requirement);</li>
 *   <li>each feature with only the features it needs (so a feature installer that adds those
 *       gets a node that resolves);</li>
 *   <li>features that must stay optional (metrics: the node runs without it) are needed by no
 *       other feature, and the distribution without them resolves;</li>
 *   <li>every service a DS component references has an {@code osgi.service} requirement in its
 *       bundle's manifest (some bundles declare them by hand).</li>
 * </ol>
 */
public final class FeatureResolution implements AutoCloseable {

    /** A resolution that failed; the message names the requirements and who has them. */
    public static final class UnresolvedException extends Exception {
        private static final long serialVersionUID = 1L;

        UnresolvedException(String message) {
            super(message);
        }
    }

    private final Framework framework;
    private final BundleRevision systemBundle;
    private final Map<Resource, Wiring> wirings = new HashMap<>();
    /** Feature name (its file name without .json) to its bundles, in the order listed. */
    private final Map<String, List<Resource>> features = new LinkedHashMap<>();
    /** The features listing each bundle: a library may be listed by several, each then has it. */
    private final Map<Resource, Set<String>> featuresOf = new HashMap<>();
    private final Map<Resource, Path> jarOf = new HashMap<>();

    /**
     * Installs (without starting or resolving anything) every bundle of the features into a
     * framework built from {@code frameworkProperties}.
     *
     * @param storage an empty directory for the framework's cache
     * @param frameworkProperties the node's framework properties
     * @param featureBundles feature name to its bundle jars
     */
    public FeatureResolution(Path storage, Map<String, String> frameworkProperties, Map<String, List<Path>> featureBundles)
            throws BundleException, IOException {
        Map<String, String> properties = new HashMap<>(frameworkProperties);
        properties.put(Constants.FRAMEWORK_STORAGE, storage.toAbsolutePath().toString());
        properties.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        // Two features may list bundles with the same name and version; a resolver must see both.
        properties.put(Constants.FRAMEWORK_BSNVERSION, Constants.FRAMEWORK_BSNVERSION_MULTIPLE);
        // This runs inside a build tool's JVM: leave its URL handlers alone.
        properties.put("felix.service.urlhandlers", "false");
        properties.putIfAbsent("felix.log.level", "1");
        framework = ServiceLoader.load(FrameworkFactory.class, FeatureResolution.class.getClassLoader())
                .iterator().next().newFramework(properties);
        framework.init();
        systemBundle = framework.adapt(BundleRevision.class);
        wirings.put(systemBundle, framework.adapt(BundleWiring.class));
        Map<Path, Resource> installed = new HashMap<>();
        for (Map.Entry<String, List<Path>> feature : featureBundles.entrySet()) {
            List<Resource> bundles = new ArrayList<>();
            for (Path jar : feature.getValue()) {
                Resource revision = installed.get(jar.toAbsolutePath());
                if (revision == null) {
                    if (!Files.isRegularFile(jar)) {
                        throw new IOException("feature " + feature.getKey() + " lists " + jar + ", which does not exist");
                    }
                    try {
                        revision = framework.getBundleContext().installBundle("reference:" + jar.toAbsolutePath().toUri())
                                .adapt(BundleRevision.class);
                    } catch (BundleException e) {
                        throw new BundleException("feature " + feature.getKey() + ": " + jar.getFileName()
                                + " is not a valid bundle: " + e.getMessage(), e);
                    }
                    installed.put(jar.toAbsolutePath(), revision);
                    jarOf.put(revision, jar);
                }
                featuresOf.computeIfAbsent(revision, r -> new LinkedHashSet<>()).add(feature.getKey());
                bundles.add(revision);
            }
            features.put(feature.getKey(), List.copyOf(bundles));
        }
    }

    /** The features as a distribution lays them out: {@code system/features/*.json} and the jars in {@code system/}. */
    public static Map<String, List<Path>> featuresOf(Path distribution) throws IOException {
        Path system = distribution.resolve("system");
        Map<String, List<Path>> result = new TreeMap<>();
        try (Stream<Path> files = Files.list(system.resolve("features"))) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList()) {
                Feature feature;
                try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    feature = Feature.read(reader, file.toString());
                }
                String name = file.getFileName().toString().replaceFirst("\\.json$", "");
                result.put(name, feature.bundles().stream().map(b -> system.resolve(b.repositoryPath())).toList());
            }
        }
        if (result.isEmpty()) {
            throw new IOException("no features in " + system.resolve("features"));
        }
        return result;
    }

    /** The framework properties of a distribution ({@code etc/framework.properties}), as the launcher reads them. */
    public static Map<String, String> frameworkPropertiesOf(Path distribution, Path data) throws IOException {
        Properties file = new Properties();
        try (Reader reader = Files.newBufferedReader(distribution.resolve("etc/framework.properties"), StandardCharsets.UTF_8)) {
            file.load(reader);
        }
        Map<String, String> properties = new HashMap<>();
        for (String key : file.stringPropertyNames()) {
            properties.put(key, file.getProperty(key).replace("${tesseras.home}", distribution.toString())
                    .replace("${tesseras.data}", data.toString()));
        }
        return properties;
    }

    /**
     * Runs every check.
     *
     * @param optional features no other feature may need, and without which the rest must resolve
     * @return what was checked, a line each
     * @throws UnresolvedException naming every unsatisfied requirement found
     */
    public List<String> check(Set<String> optional) throws UnresolvedException {
        for (String name : optional) {
            if (!features.containsKey(name)) {
                throw new IllegalArgumentException("no feature " + name + " among " + features.keySet());
            }
        }
        List<String> report = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<Resource> all = features.values().stream().flatMap(List::stream).distinct().toList();
        for (Resource bundle : all) {
            problems.addAll(undeclaredReferences(bundle));
        }

        attempt(problems, report, "all " + features.size() + " features together", all, all);

        // A feature's needs: the other features its bundles are wired to through mandatory requirements.
        Map<String, Map<String, String>> needs = new LinkedHashMap<>();
        for (Map.Entry<String, List<Resource>> feature : features.entrySet()) {
            Map<Resource, List<Wire>> wires = attempt(problems, report, "feature " + feature.getKey() + " against the distribution",
                    feature.getValue(), all);
            if (wires != null) {
                needs.put(feature.getKey(), needs(feature.getKey(), wires));
            }
        }
        for (Map.Entry<String, Map<String, String>> feature : needs.entrySet()) {
            Set<String> closure = closure(feature.getKey(), needs);
            List<Resource> bundles = closure.stream().flatMap(f -> features.get(f).stream()).distinct().toList();
            attempt(problems, report, "feature " + feature.getKey() + " with only what it needs " + closure, bundles, bundles);
        }

        for (String name : optional) {
            for (Map.Entry<String, Map<String, String>> feature : needs.entrySet()) {
                String why = feature.getValue().get(name);
                if (why != null) {
                    problems.add("feature " + feature.getKey() + " needs feature " + name + ", which must stay optional: " + why
                            + " (declare that requirement resolution:=optional if the bundle works without it)");
                }
            }
            List<Resource> without = all.stream().filter(r -> !Set.of(name).equals(featuresOf.get(r))).toList();
            attempt(problems, report, "the distribution without the optional feature " + name, without, without);
        }
        if (!problems.isEmpty()) {
            throw new UnresolvedException(problems.size() + " resolution problem(s) in the distribution's features:\n  - "
                    + String.join("\n  - ", problems));
        }
        return report;
    }

    /**
     * Services a bundle's DS components reference without an {@code osgi.service} requirement in
     * its manifest: bundles that declare their service requirements by hand (bnd's
     * {@code -dsannotations-options: norequirements}) must not forget one, or a resolver would
     * accept a distribution that cannot run.
     */
    private List<String> undeclaredReferences(Resource bundle) {
        Path jar = jarOf.get(bundle);
        String header = bundle instanceof BundleRevision revision ? revision.getBundle().getHeaders("").get("Service-Component") : null;
        if (jar == null || header == null) {
            return List.of();
        }
        Set<String> required = new LinkedHashSet<>();
        for (Requirement requirement : bundle.getRequirements("osgi.service")) {
            Matcher m = OBJECT_CLASS.matcher(String.valueOf(requirement.getDirectives().get(Namespace.REQUIREMENT_FILTER_DIRECTIVE)));
            while (m.find()) {
                required.add(m.group(1));
            }
        }
        List<String> problems = new ArrayList<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            for (String entry : header.split(",")) {
                JarEntry xml = file.getJarEntry(entry.trim());
                if (xml == null) {
                    continue;
                }
                String text;
                try (var in = file.getInputStream(xml)) {
                    text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                Matcher reference = REFERENCE.matcher(text);
                while (reference.find()) {
                    if (!required.contains(reference.group(1))) {
                        problems.add(name(bundle) + ": the component in " + entry.trim() + " references " + reference.group(1)
                                + " but the manifest has no osgi.service requirement for it (declare it in the bundle's bnd.bnd)");
                    }
                }
            }
        } catch (IOException e) {
            problems.add(name(bundle) + ": cannot read " + jar + ": " + e.getMessage());
        }
        return problems;
    }

    private static final Pattern OBJECT_CLASS = Pattern.compile("\\(objectClass=([^)]+)\\)");
    private static final Pattern REFERENCE = Pattern.compile("<(?:\\w+:)?reference\\b[^>]*?\\binterface=\"([^\"]+)\"");

    /** Feature name to the first mandatory requirement that ties {@code feature} to it, described. */
    private Map<String, String> needs(String feature, Map<Resource, List<Wire>> wires) {
        Map<String, String> result = new TreeMap<>();
        for (List<Wire> list : wires.values()) {
            for (Wire wire : list) {
                Set<String> providers = featuresOf.getOrDefault(wire.getProvider(), Set.of());
                Set<String> requirers = featuresOf.getOrDefault(wire.getRequirer(), Set.of());
                boolean optional = Namespace.RESOLUTION_OPTIONAL.equals(
                        wire.getRequirement().getDirectives().get(Namespace.REQUIREMENT_RESOLUTION_DIRECTIVE));
                // A provider the feature lists itself is no need of another feature, even if others list it too.
                if (!providers.isEmpty() && !optional && requirers.contains(feature) && !providers.contains(feature)) {
                    result.putIfAbsent(providers.iterator().next(), name(wire.getRequirer()) + " requires "
                            + describe(wire.getRequirement()) + ", provided by " + name(wire.getProvider()));
                }
            }
        }
        return result;
    }

    private static Set<String> closure(String feature, Map<String, Map<String, String>> needs) {
        Set<String> result = new LinkedHashSet<>();
        List<String> todo = new ArrayList<>(List.of(feature));
        while (!todo.isEmpty()) {
            String next = todo.remove(todo.size() - 1);
            if (result.add(next)) {
                todo.addAll(needs.getOrDefault(next, Map.of()).keySet());
            }
        }
        return result;
    }

    private Map<Resource, List<Wire>> attempt(List<String> problems, List<String> report, String what,
            Collection<Resource> mandatory, Collection<Resource> pool) {
        try {
            Map<Resource, List<Wire>> wires = resolve(mandatory, pool);
            report.add("resolved: " + what + " (" + mandatory.size() + " bundles)");
            return wires;
        } catch (UnresolvedException e) {
            problems.add(what + ": " + e.getMessage());
            return null;
        }
    }

    /**
     * Resolves {@code mandatory} with the capabilities of {@code pool} and of the framework.
     *
     * @return the wires of every resource the resolution took in
     * @throws UnresolvedException naming the unsatisfied requirements and their bundles
     */
    public Map<Resource, List<Wire>> resolve(Collection<Resource> mandatory, Collection<Resource> pool) throws UnresolvedException {
        List<Resource> candidates = new ArrayList<>(pool);
        candidates.add(systemBundle);
        try {
            return new ResolverImpl(new Logger(0), 1).resolve(new Context(mandatory, candidates));
        } catch (ResolutionException e) {
            Collection<Requirement> unresolved = e.getUnresolvedRequirements();
            if (unresolved == null || unresolved.isEmpty()) {
                throw new UnresolvedException(String.valueOf(e.getMessage()).replace('\n', ' '));
            }
            String direct = unresolved.stream()
                    .map(r -> name(r.getResource()) + " requires " + describe(r) + ", which nothing provides")
                    .distinct().collect(Collectors.joining("; "));
            // A provider that exists but cannot resolve itself: the resolver's own words name the cause.
            String message = String.valueOf(e.getMessage());
            throw new UnresolvedException(message.contains("caused by") ? direct + " [" + message.replace('\n', ' ') + "]" : direct);
        }
    }

    static String describe(Requirement requirement) {
        String filter = requirement.getDirectives().get(Namespace.REQUIREMENT_FILTER_DIRECTIVE);
        String resolution = requirement.getDirectives().get(Namespace.REQUIREMENT_RESOLUTION_DIRECTIVE);
        return requirement.getNamespace() + " " + (filter == null ? "" : filter)
                + (resolution == null ? "" : " (resolution:=" + resolution + ")");
    }

    private String name(Resource resource) {
        if (resource instanceof BundleRevision revision) {
            Set<String> features = featuresOf.get(resource);
            return revision.getSymbolicName() + " " + revision.getVersion()
                    + (features == null ? "" : " [feature " + String.join(", ", features) + "]");
        }
        return String.valueOf(resource);
    }

    @Override
    public void close() throws Exception {
        framework.stop();
        framework.waitForStop(30_000);
    }

    /** The resolve context: the given resources, the framework as the only resolved one. */
    private final class Context extends ResolveContext {
        private final Collection<Resource> mandatory;
        private final List<Resource> candidates;

        Context(Collection<Resource> mandatory, List<Resource> candidates) {
            this.mandatory = List.copyOf(mandatory);
            this.candidates = candidates;
        }

        @Override
        public Collection<Resource> getMandatoryResources() {
            return mandatory;
        }

        @Override
        public List<Capability> findProviders(Requirement requirement) {
            List<Capability> providers = new ArrayList<>();
            for (Resource resource : candidates) {
                for (Capability capability : resource.getCapabilities(requirement.getNamespace())) {
                    if (capability instanceof BundleCapability bc && requirement instanceof BundleRequirement br && br.matches(bc)) {
                        providers.add(capability);
                    }
                }
            }
            // The highest version first, as the framework prefers it.
            providers.sort(Comparator.comparing(FeatureResolution::version).reversed());
            return providers;
        }

        @Override
        public int insertHostedCapability(List<Capability> capabilities, HostedCapability hosted) {
            capabilities.add(hosted);
            return capabilities.size() - 1;
        }

        @Override
        public boolean isEffective(Requirement requirement) {
            String effective = requirement.getDirectives().get(Namespace.REQUIREMENT_EFFECTIVE_DIRECTIVE);
            // Run-time requirements (declared services) count: a feature installer checks them too.
            return effective == null || Namespace.EFFECTIVE_RESOLVE.equals(effective) || Namespace.EFFECTIVE_ACTIVE.equals(effective);
        }

        @Override
        public Map<Resource, Wiring> getWirings() {
            return wirings;
        }
    }

    private static Version version(Capability capability) {
        Object version = capability.getAttributes().get("version");
        if (version == null) {
            version = capability.getAttributes().get("bundle-version");
        }
        return version instanceof Version v ? v : Version.emptyVersion;
    }

    /**
     * Build step: resolves the features of an assembled distribution and fails, naming every
     * unsatisfied requirement, if one does not resolve.
     *
     * <p>Arguments: the distribution directory, an empty working directory, and the features that
     * must stay optional, comma separated (may be empty).
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args.length > 3) {
            throw new IllegalArgumentException("usage: FeatureResolution <distribution> <work dir> [optional,features]");
        }
        Path distribution = Path.of(args[0]).toAbsolutePath();
        Path work = Path.of(args[1]).toAbsolutePath();
        Set<String> optional = new LinkedHashSet<>();
        if (args.length == 3) {
            for (String name : args[2].split(",")) {
                if (!name.isBlank()) {
                    optional.add(name.trim());
                }
            }
        }
        Files.createDirectories(work);
        List<String> report;
        try (FeatureResolution resolution = new FeatureResolution(work.resolve("framework"),
                frameworkPropertiesOf(distribution, work.resolve("data")), featuresOf(distribution))) {
            report = resolution.check(optional);
        } catch (UnresolvedException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        for (String line : report) {
            System.out.println("[tesseras] " + line);
        }
    }
}
