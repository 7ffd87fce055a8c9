package net.tesseras.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.lang.management.ManagementFactory;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.AllServiceListener;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.osgi.framework.wiring.BundleRevision;

/**
 * Boots Felix with the bundles of the configured features, reports how long it took, and stops the
 * framework cleanly on SIGTERM or Ctrl-C.
 *
 * <p>The framework cache is rebuilt at every start from {@code system/} (the shipped bundles) and
 * {@code deploy/} (hot-deployed ones, by FileInstall); configuration lives in {@code etc/}. So a
 * node's state is only what {@code data/} holds, and upgrading the runtime means replacing the
 * installation directory.
 */
final class NodeLauncher {

    /** Framework property listing the features to start, by file name in system/features/. */
    static final String FEATURES_PROPERTY = "tesseras.features";

    /** How long a start may take until the node is ready (-Dtesseras.start.timeout, seconds). */
    private static final int STARTUP_TIMEOUT_SECONDS = 120;

    /** Start level the node runs at: above every shipped bundle and deploy/ (80, see etc/). */
    static final int RUNNING_LEVEL = 100;

    private final Path home;
    private final Path data;
    private final boolean console;
    /** Started by bin/tesseras start: a node that is not ready stops instead of running half-way. */
    private final boolean background;
    private final PrintStream out = System.out;

    NodeLauncher(Path home, Path data, boolean console, boolean background) {
        this.home = home;
        this.data = data;
        this.console = console;
        this.background = background;
    }

    int run() throws Exception {
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        for (String dir : List.of("", "log", "run", "tmp")) {
            Files.createDirectories(data.resolve(dir));
        }
        try (FileChannel lockFile = FileChannel.open(data.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = lockFile.tryLock()) {
            if (lock == null) {
                System.err.println("another Tesseras node is already using the data directory " + data
                        + "; stop it first (bin/tesseras stop) or point TESSERAS_DATA elsewhere");
                return 1;
            }
            // Only the JVM holding the lock touches run/: a stale state or failure of an earlier node
            // goes, and bin/tesseras start learns this node's pid from here (not before the lock, or a
            // refused second start would take over the files of the node that runs).
            Files.deleteIfExists(data.resolve("run/node.state"));
            Files.deleteIfExists(data.resolve("run/node.failed"));
            Path pidFile = data.resolve("run/tesseras.pid");
            String pid = Long.toString(ProcessHandle.current().pid());
            if (background) {
                Path pending = pidFile.resolveSibling("tesseras.pid.tmp");
                Files.writeString(pending, pid + "\n", StandardCharsets.UTF_8);
                Files.move(pending, pidFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            try {
                return boot(jvmStart);
            } finally {
                if (background) {
                    try {
                        if (Files.readString(pidFile, StandardCharsets.UTF_8).strip().equals(pid)) {
                            Files.deleteIfExists(pidFile);
                        }
                    } catch (IOException e) {
                        // already gone
                    }
                }
            }
        }
    }

    private int boot(long jvmStart) throws Exception {
        Map<String, String> properties = frameworkProperties();
        // The SQLite driver unpacks its native library here; java.io.tmpdir may be noexec.
        System.setProperty("org.sqlite.tmpdir", data.resolve("tmp").toString());
        // Netty's QUIC fragment unpacks its native library the same way.
        System.setProperty("io.netty.native.workdir", data.resolve("tmp").toString());
        // Gogo reads etc/gosh_profile and etc/motd under gosh.home.
        System.setProperty("gosh.home", home.toString());
        ConsoleContextLoader contextLoader = new ConsoleContextLoader(NodeLauncher.class.getClassLoader());
        Thread.currentThread().setContextClassLoader(contextLoader);
        Framework framework = ServiceLoader.load(FrameworkFactory.class).iterator().next().newFramework(properties);
        framework.init();
        contextLoader.attach(framework.getBundleContext());
        Path stateFile = data.resolve("run/node.state");
        Path failed = data.resolve("run/node.failed");
        Files.deleteIfExists(failed);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> shutdown(framework, stateFile), "tesseras-shutdown"));
        try {
            install(framework.getBundleContext(), properties.get(FEATURES_PROPERTY));
        } catch (IOException | BundleException e) {
            System.err.println("cannot start the node: " + e.getMessage());
            Files.writeString(failed, e.getMessage() + "\n", StandardCharsets.UTF_8);
            framework.stop();
            return 1;
        }
        NodeReadiness readiness = new NodeReadiness(framework.getBundleContext(), home);
        readiness.register();
        Changes changes = new Changes();
        framework.getBundleContext().addServiceListener(changes);
        framework.getBundleContext().addBundleListener(changes);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(startTimeoutSeconds());
        framework.start();
        CountDownLatch levelReached = new CountDownLatch(1);
        framework.adapt(FrameworkStartLevel.class).setStartLevel(RUNNING_LEVEL, event -> levelReached.countDown());
        levelReached.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        Readiness.Report report = awaitReady(framework, readiness, changes, deadline);
        if (report == null) {
            // stopped (SIGTERM, Ctrl-C) while starting
            framework.waitForStop(60_000);
            return 0;
        }
        framework.getBundleContext().removeServiceListener(changes);
        framework.getBundleContext().removeBundleListener(changes);
        long elapsed = System.currentTimeMillis() - jvmStart;
        int bundles = framework.getBundleContext().getBundles().length - 1;
        if (report.ready()) {
            out.printf("Tesseras node ready: %d bundles active, every component satisfied, every listener bound, %d ms after JVM start (data: %s)%n",
                    bundles, elapsed, data);
            if (console) {
                out.println("Console: 'help' lists commands, 'tesseras:status' shows the node, 'exit' stops it.");
            }
        } else if (background) {
            // bin/tesseras start: a node that is not ready is stopped, and says why, rather than left half-running.
            String why = String.join("\n", report.lines());
            System.err.printf("Tesseras node not ready %d ms after JVM start; stopping it. What failed:%n%s%n", elapsed, indent(report.lines()));
            framework.stop();
            framework.waitForStop(60_000);
            Files.writeString(failed, why + "\n", StandardCharsets.UTF_8);
            return 1;
        } else {
            System.err.printf("Tesseras node running but NOT READY %d ms after JVM start (/health says DOWN):%n%s%n", elapsed,
                    indent(report.lines()));
        }
        // Written aside and renamed: bin/tesseras start polls for this file and must never see it half-written.
        Path pending = stateFile.resolveSibling(stateFile.getFileName() + ".tmp");
        Files.writeString(pending, "running pid=" + ProcessHandle.current().pid() + " startup_ms=" + elapsed
                + " bundles=" + bundles + " not_active=" + report.bundles().size()
                + (report.ready() ? "" : " not_ready=" + report.all().size()) + "\n", StandardCharsets.UTF_8);
        Files.move(pending, stateFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        out.flush();
        FrameworkEvent stopped = framework.waitForStop(0);
        Files.deleteIfExists(stateFile);
        return stopped.getType() == FrameworkEvent.ERROR ? 1 : 0;
    }

    private Map<String, String> frameworkProperties() throws IOException {
        Properties file = new Properties();
        Path config = home.resolve("etc/framework.properties");
        try (Reader reader = Files.newBufferedReader(config, StandardCharsets.UTF_8)) {
            file.load(reader);
        }
        Map<String, String> properties = new HashMap<>();
        for (String key : file.stringPropertyNames()) {
            properties.put(key, file.getProperty(key)
                    .replace("${tesseras.home}", home.toString())
                    .replace("${tesseras.data}", data.toString()));
        }
        properties.put("tesseras.home", home.toString());
        properties.put("tesseras.data", data.toString());
        properties.putIfAbsent(Constants.FRAMEWORK_STORAGE, data.resolve("cache").toString());
        properties.putIfAbsent(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        properties.putIfAbsent(FEATURES_PROPERTY, "runtime,identity,storage,storage-sqlite,cache,metrics,shell");
        // The Gogo console reads the terminal only in the foreground.
        properties.put("gosh.args", console ? "" : "--nointeractive");
        return properties;
    }

    /** Installs every bundle of the features, each at its feature's start order. */
    private void install(BundleContext context, String featureList) throws IOException, BundleException {
        Set<String> installed = new LinkedHashSet<>();
        List<Bundle> toStart = new ArrayList<>();
        for (String name : featureList.split(",")) {
            name = name.trim();
            if (name.isEmpty()) {
                continue;
            }
            Path file = home.resolve("system/features").resolve(name + ".json");
            Feature feature;
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                feature = Feature.read(reader, file.toString());
            } catch (java.nio.file.NoSuchFileException e) {
                throw new IOException("feature '" + name + "' is listed in " + FEATURES_PROPERTY + " but " + file + " does not exist");
            }
            for (Feature.Bundle b : feature.bundles()) {
                Path jar = home.resolve("system").resolve(b.repositoryPath());
                if (!installed.add(jar.toString())) {
                    continue;
                }
                if (!Files.isRegularFile(jar)) {
                    throw new IOException("feature " + feature.id() + " needs " + b.coordinates() + " but " + jar + " is missing");
                }
                // reference: keeps the jar where it is instead of copying it into the cache.
                Bundle bundle = context.installBundle("reference:" + jar.toUri());
                bundle.adapt(BundleStartLevel.class).setStartLevel(b.startOrder());
                toStart.add(bundle);
            }
        }
        for (Bundle bundle : toStart) {
            if (!isFragment(bundle)) {
                bundle.start();
            }
        }
    }

    private static boolean isFragment(Bundle bundle) {
        BundleRevision revision = bundle.adapt(BundleRevision.class);
        return revision != null && (revision.getTypes() & BundleRevision.TYPE_FRAGMENT) != 0;
    }

    /**
     * Waits until the node is ready, or until its problems are settled ({@link Readiness#settled}).
     * Null when the node is stopped meanwhile.
     */
    private static Readiness.Report awaitReady(Framework framework, NodeReadiness readiness, Changes changes, long deadline)
            throws InterruptedException {
        while (true) {
            if (framework.getState() != Bundle.ACTIVE) {
                return null;
            }
            Readiness.Report report;
            try {
                report = readiness.check(false);
            } catch (IllegalStateException e) {
                return null; // the framework stopped under the check
            }
            if (report.ready()) {
                return report;
            }
            long now = System.nanoTime();
            if (Readiness.settled(report, Duration.ofNanos(now - changes.last()), now - deadline >= 0)) {
                Readiness.Report last = readiness.check(true);
                return last;
            }
            Thread.sleep(100);
        }
    }

    /** When the last bundle or service changed: a node still starting changes. */
    static final class Changes implements AllServiceListener, BundleListener {
        private volatile long last = System.nanoTime();

        @Override
        public void serviceChanged(ServiceEvent event) {
            last = System.nanoTime();
        }

        @Override
        public void bundleChanged(BundleEvent event) {
            last = System.nanoTime();
        }

        long last() {
            return last;
        }
    }

    private static String indent(List<String> lines) {
        return lines.stream().map(l -> "  - " + l).collect(java.util.stream.Collectors.joining("\n"));
    }

    private static long startTimeoutSeconds() {
        String value = System.getProperty("tesseras.start.timeout", "");
        try {
            long seconds = Long.parseLong(value.trim());
            return seconds > 0 ? seconds : STARTUP_TIMEOUT_SECONDS;
        } catch (NumberFormatException e) {
            return STARTUP_TIMEOUT_SECONDS;
        }
    }

    private static void shutdown(Framework framework, Path stateFile) {
        try {
            if ((framework.getState() & (Bundle.ACTIVE | Bundle.STARTING)) != 0) {
                framework.stop();
                framework.waitForStop(60_000);
            }
            Files.deleteIfExists(stateFile);
        } catch (Exception e) {
            System.err.println("error while stopping the node: " + e);
        }
    }
}
