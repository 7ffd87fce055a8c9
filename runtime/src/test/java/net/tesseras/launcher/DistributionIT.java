package net.tesseras.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starts the built distribution as a separate process and drives it like an operator. */
class DistributionIT {

    private static final Pattern TESSERA = Pattern.compile("tessera\\s+([0-9a-f]{64})");

    @TempDir
    Path tmp;

    private Path home;

    @BeforeEach
    void copyDistribution() throws Exception {
        home = Node.copyDistribution(tmp.resolve("tesseras"));
    }

    @Test
    void startsWithEveryBundleActiveServesCommandsAndStops() throws Exception {
        try (Node node = new Node(home, tmp.resolve("data"))) {
            Node.Result started = node.bin("start").assertOk();
            assertTrue(started.out().contains("not_active=0"), started.out());
            assertEquals(0, node.bin("status").exit());

            List<String> bundles = node.shell("lb").assertOk().out().lines().filter(l -> l.matches("\\s*\\d+\\|.*")).toList();
            assertTrue(bundles.size() >= 19, "bundles listed:\n" + bundles);
            for (String bundle : bundles) {
                if (!bundle.contains("|Active")) {
                    // Fragments (the QUIC native library) are never started: Resolved is their final state.
                    String id = bundle.trim().substring(0, bundle.trim().indexOf('|')).trim();
                    assertTrue(bundle.contains("|Resolved") && node.shell("headers " + id).assertOk().out().contains("Fragment-Host"),
                            "not active: " + bundle);
                }
            }

            byte[] content = new byte[70_000];
            new Random(1).nextBytes(content);
            Path file = Files.write(tmp.resolve("photo.jpg"), content);
            String tessera = tesseraOf(node.shell("tesseras:put " + file).assertOk().out());
            assertTrue(node.shell("tesseras:fragments").assertOk().out().contains(tessera));
            assertTrue(node.shell("tesseras:fragments " + tessera).assertOk().out().contains("data"));
            Path copy = tmp.resolve("copy.jpg");
            node.shell("tesseras:get " + tessera + " 0 " + copy).assertOk();
            assertArrayEquals(content, Files.readAllBytes(copy));
            assertTrue(node.shell("tesseras:verify").assertOk().out().contains("1 ok, 0 corrupt, 0 missing"));

            assertNoErrorLogged(node);
            String status = node.shell("tesseras:status").assertOk().out();
            assertTrue(status.contains("journal mode     wal"), status);
            assertTrue(status.contains("fragments        1"), status);

            try (Connection c = new org.sqlite.JDBC().connect("jdbc:sqlite:" + tmp.resolve("data/db/tesseras.db"), new java.util.Properties());
                    Statement s = c.createStatement()) {
                assertEquals("wal", single(s, "PRAGMA journal_mode"));
                assertEquals("ok", single(s, "PRAGMA integrity_check"));
            }

            String identity = node.shell("tesseras:identity").assertOk().out();
            assertTrue(identity.matches("(?s)NodeId      00[0-9a-f]{38}\n.*"), identity);

            node.bin("stop").assertOk();
            assertEquals(3, node.bin("status").exit());
            assertTrue(Files.notExists(tmp.resolve("data/run/shell.sock")), "the socket is removed on stop");

            // The identity is created once and kept: the same NodeId after a restart.
            node.bin("start").assertOk();
            assertEquals(identity, node.shell("tesseras:identity").assertOk().out());
            node.bin("stop").assertOk();
        }
    }

    @Test
    void bundlesDroppedIntoDeployAreInstalledAndRemovedWhileTheNodeRuns() throws Exception {
        try (Node node = new Node(home, tmp.resolve("data"))) {
            node.bin("start").assertOk();
            Path jar = home.resolve("deploy/hello.jar");
            Path staged = tmp.resolve("hello.jar");
            writeBundle(staged, "net.tesseras.test.hello");
            Files.move(staged, jar); // appears whole, as an operator's mv would make it
            awaitBundle(node, "net.tesseras.test.hello", true);
            Files.delete(jar);
            awaitBundle(node, "net.tesseras.test.hello", false);
            node.shell("tesseras:status").assertOk();
            node.bin("stop").assertOk();
        }
    }

    private static void awaitBundle(Node node, String symbolicName, boolean present) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        String listing = "";
        while (System.nanoTime() < deadline) {
            listing = node.shell("lb -s").assertOk().out();
            boolean active = listing.lines().anyMatch(l -> l.contains(symbolicName) && l.contains("|Active"));
            boolean listed = listing.contains(symbolicName);
            if (present ? active : !listed) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError(symbolicName + (present ? " never became active" : " was never removed") + ":\n" + listing);
    }

    /** A minimal bundle: a manifest and one resource. */
    private static void writeBundle(Path jar, String symbolicName) throws Exception {
        java.util.jar.Manifest manifest = new java.util.jar.Manifest();
        java.util.jar.Attributes main = manifest.getMainAttributes();
        main.put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", symbolicName);
        main.putValue("Bundle-Version", "1.0.0");
        try (java.util.jar.JarOutputStream out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar), manifest)) {
            out.putNextEntry(new java.util.jar.JarEntry("hello.txt"));
            out.write("deployed while running".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.closeEntry();
        }
    }

    @Test
    void theCacheServesRepeatedReadsAndSwitchesPolicyAndBackendLive() throws Exception {
        try (Node node = new Node(home, tmp.resolve("data"))) {
            node.bin("start").assertOk();
            Path file = Files.write(tmp.resolve("letter.txt"), "to be read often".getBytes());
            String tessera = tesseraOf(node.shell("tesseras:put " + file).assertOk().out());
            for (int i = 0; i < 3; i++) {
                Path copy = tmp.resolve("copy-" + i);
                node.shell("tesseras:get " + tessera + " 0 " + copy).assertOk();
            }
            String cache = node.shell("tesseras:cache").assertOk().out();
            assertTrue(cache.contains("Hits         2, misses 1"), cache);
            assertTrue(node.shell("tesseras:status").assertOk().out().contains("cache>fs (front)"));

            Path cfg = home.resolve("etc/net.tesseras.cache.cfg");
            Files.writeString(cfg, Files.readString(cfg).replace("policy = lru", "policy = tiered"));
            awaitOutput(node, "tesseras:cache", "Policy       tiered");
            Files.writeString(cfg, Files.readString(cfg).replace("(store.name=fs)", "(store.name=sqlite)"));
            awaitOutput(node, "tesseras:cache", "In front of  sqlite");
            assertTrue(node.shell("tesseras:status").assertOk().out().contains("cache>sqlite (front)"));

            // Without the cache bundle, consumers fall back to the best backend and reads go on.
            String bundles = node.shell("lb -s").assertOk().out();
            String id = bundles.lines().filter(l -> l.contains("net.tesseras.cache")).findFirst().orElseThrow()
                    .split("\\|")[0].trim();
            node.shell("stop " + id).assertOk();
            assertTrue(node.shell("tesseras:status").assertOk().out().contains("fs (backend)"));
            node.shell("tesseras:get " + tessera + " 0 " + tmp.resolve("without-cache")).assertOk();
            node.shell("start " + id).assertOk();
            awaitOutput(node, "tesseras:status", "(front)");
            node.bin("stop").assertOk();
        }
    }

    private static void awaitOutput(Node node, String command, String expected) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        String out = "";
        while (System.nanoTime() < deadline) {
            out = node.shell(command).assertOk().out();
            if (out.contains(expected)) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("'" + expected + "' never appeared in " + command + ":\n" + out);
    }

    @Test
    void metricsAreServedOverHttpMoveWithTheWorkAndAreOptional() throws Exception {
        try (Node node = new Node(home, tmp.resolve("data"))) {
            node.bin("start").assertOk();
            Node.Result scrape = awaitHttp(node, "/metrics");
            assertTrue(scrape.out().contains("jvm_memory_used_bytes"), "JVM meters");
            assertEquals("{\"status\":\"UP\",\"bundles\":[],\"components\":[],\"listeners\":[]}", awaitHttp(node, "/health").out());
            double writesBefore = sample(scrape.out(), "tesseras_store_write_seconds_count{store=\"fs\"}");

            Path file = Files.write(tmp.resolve("counted.bin"), new byte[] {1, 2, 3, 4});
            String tessera = tesseraOf(node.shell("tesseras:put " + file).assertOk().out());
            node.shell("tesseras:get " + tessera + " 0 " + tmp.resolve("c1")).assertOk();
            node.shell("tesseras:get " + tessera + " 0 " + tmp.resolve("c2")).assertOk();
            String after = awaitHttp(node, "/metrics").out();
            assertEquals(writesBefore + 1, sample(after, "tesseras_store_write_seconds_count{store=\"fs\"}"));
            assertTrue(sample(after, "tesseras_fragment_cache_hits_total{store=\"fs\"}") >= 1, after);
            assertTrue(after.contains("tesseras_store_read_seconds_bucket{store=\"fs\""), "latency histogram buckets");
            assertTrue(node.shell("tesseras:metrics store.write").assertOk().out().contains("tesseras.store.write"));
            checkWithPromtool(after);

            // A stopped bundle makes the node not ready, and /health says which.
            String sqlite = node.shell("lb -s").assertOk().out().lines()
                    .filter(l -> l.contains("net.tesseras.storage.sqlite")).findFirst().orElseThrow().split("\\|")[0].trim();
            node.shell("stop " + sqlite).assertOk();
            Node.Result down = node.http("/health");
            assertEquals(503, down.exit());
            assertTrue(down.out().contains("net.tesseras.storage.sqlite"), down.out());
            node.shell("start " + sqlite).assertOk();
            assertEquals(200, awaitHttp(node, "/health").exit());

            // Without the metrics bundle the node keeps serving; with it back, so are the meters.
            String id = node.shell("lb -s").assertOk().out().lines().filter(l -> l.contains("net.tesseras.metrics"))
                    .findFirst().orElseThrow().split("\\|")[0].trim();
            node.shell("stop " + id).assertOk();
            assertTrue(node.http("/metrics").exit() != 200);
            node.shell("tesseras:get " + tessera + " 0 " + tmp.resolve("c3")).assertOk();
            node.shell("start " + id).assertOk();
            assertTrue(awaitHttp(node, "/metrics").out().contains("tesseras_store_fragments{store=\"fs\"} 1.0"));

            // The endpoint moves live when etc/net.tesseras.metrics.cfg changes.
            int oldPort = node.httpPort();
            Path endpoint = home.resolve("etc/net.tesseras.metrics.cfg");
            try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
                int newPort = probe.getLocalPort();
                probe.close();
                Files.writeString(endpoint, Files.readString(endpoint).replace("port = " + oldPort, "port = " + newPort));
            }
            assertEquals(200, awaitHttp(node, "/health").exit());
            assertTrue(node.httpPort() != oldPort);
            node.bin("stop").assertOk();
        }
    }

    @Test
    void aMetricsPortInUseOrAForeignAddressIsRefusedAndTheEndpointKeepsServing() throws Exception {
        try (Node node = new Node(home, tmp.resolve("data"));
                java.net.ServerSocket held = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            node.bin("start").assertOk();
            int oldPort = node.httpPort();
            assertEquals(200, awaitHttp(node, "/health").exit());
            Path endpoint = home.resolve("etc/net.tesseras.metrics.cfg");
            String original = Files.readString(endpoint);

            Files.writeString(endpoint, original.replace("port = " + oldPort, "port = " + held.getLocalPort()));
            awaitLog(node, "port = '" + held.getLocalPort() + "' refused: cannot listen on 127.0.0.1:" + held.getLocalPort());
            assertTrue(node.log().contains("; keeping " + oldPort), node.log());

            Files.writeString(endpoint, original.replace("address = 127.0.0.1", "address = 192.0.2.1"));
            awaitLog(node, "address = '192.0.2.1' refused: not an address of this host; keeping 127.0.0.1");

            assertEquals(200, httpOn(oldPort, "/health"));
            String log = node.log();
            assertTrue(!log.contains("Failed to start Connector") && !log.contains("no connectors available"), log);
            assertTrue(!log.contains("metrics endpoint: http://127.0.0.1:" + held.getLocalPort()), log);
            node.bin("stop").assertOk();
        }
    }

    private static void awaitLog(Node node, String expected) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!node.log().contains(expected) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertTrue(node.log().contains(expected), "no '" + expected + "' in\n" + node.log());
    }

    /** The status of a GET on 127.0.0.1:port (-1: no connection). */
    private static int httpOn(int port, String path) throws Exception {
        var client = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1)
                .connectTimeout(java.time.Duration.ofSeconds(5)).build();
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path))
                .timeout(java.time.Duration.ofSeconds(15)).build();
        try {
            return client.send(request, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    /** promtool check metrics on the exposition (Debian package prometheus; .ci/run installs it). */
    private void checkWithPromtool(String exposition) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                java.util.stream.Stream.of(System.getenv("PATH").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, "promtool"))),
                "promtool is not installed (apt-get install prometheus); the exposition lint is skipped");
        Path scraped = Files.writeString(tmp.resolve("metrics.txt"), exposition);
        Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectInput(scraped.toFile())
                .redirectErrorStream(true).start();
        String report = new String(promtool.getInputStream().readAllBytes());
        assertEquals(0, promtool.waitFor(), "promtool check metrics:\n" + report);
    }

    @Test
    void metricsDroppedIntoDeployLaterMeasureTheBundlesAlreadyRunning() throws Exception {
        Path framework = home.resolve("etc/framework.properties");
        Files.writeString(framework, Files.readString(framework).replace(",metrics,", ","));
        try (Node node = new Node(home, tmp.resolve("data"))) {
            node.bin("start").assertOk();
            Path file = Files.write(tmp.resolve("before-metrics.bin"), new byte[] {7, 7, 7});
            node.shell("tesseras:put " + file).assertOk();
            assertEquals(-1, node.http("/metrics").exit(), "no HTTP endpoint without the metrics feature");

            // The operator drops the metrics feature's bundles into deploy/.
            Feature metrics;
            try (var reader = Files.newBufferedReader(home.resolve("system/features/metrics.json"))) {
                metrics = Feature.read(reader, "metrics.json");
            }
            for (Feature.Bundle bundle : metrics.bundles()) {
                Path jar = home.resolve("system").resolve(bundle.repositoryPath());
                Files.copy(jar, home.resolve("deploy").resolve(jar.getFileName()));
            }
            String exposition = "";
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (System.nanoTime() < deadline && !exposition.contains("tesseras_store_fragments{store=\"fs\"} 1.0")) {
                Thread.sleep(500);
                Node.Result scrape = node.http("/metrics");
                exposition = scrape.exit() == 200 ? scrape.out() : "";
            }
            assertTrue(exposition.contains("tesseras_store_fragments{store=\"fs\"} 1.0"),
                    "the store, running since before, is measured: " + exposition.length() + " bytes scraped");
            assertTrue(exposition.contains("tesseras_fragment_cache_misses_total"), "so is the cache");
            assertNoErrorLogged(node);
            node.bin("stop").assertOk();
        }
    }

    /** A component that fails to activate says so only in the log: a clean run logs no ERROR. */
    private static void assertNoErrorLogged(Node node) throws Exception {
        List<String> errors = node.log().lines().filter(line -> line.contains(" ERROR ")).toList();
        assertTrue(errors.isEmpty(), "errors logged:\n" + String.join("\n", errors));
    }

    private static Node.Result awaitHttp(Node node, String path) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        Node.Result result = node.http(path);
        while (result.exit() != 200 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            result = node.http(path);
        }
        assertEquals(200, result.exit(), result.err());
        return result;
    }

    /** The value of one sample line of the Prometheus text format. */
    private static double sample(String exposition, String series) {
        return exposition.lines().filter(l -> l.startsWith(series + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(series.length() + 1).trim()))
                .orElseThrow(() -> new AssertionError("no sample " + series));
    }

    @Test
    void badInputGetsAClearErrorAndTheNodeKeepsServing() throws Exception {
        try (Node node = new Node(home, tmp.resolve("data"))) {
            node.bin("start").assertOk();
            Node.Result badHash = node.shell("tesseras:get nothex 0 " + tmp.resolve("x"));
            assertEquals(1, badHash.exit());
            assertTrue(badHash.err().contains("not a content hash"), badHash.err());
            assertTrue(!badHash.err().contains("\tat "), "no stack trace: " + badHash.err());

            Node.Result missingFile = node.shell("tesseras:put " + tmp.resolve("does-not-exist"));
            assertEquals(1, missingFile.exit());
            assertTrue(missingFile.err().contains("not a readable regular file"), missingFile.err());

            Node.Result unknown = node.shell("tesseras:frobnicate");
            assertEquals(1, unknown.exit());
            assertTrue(unknown.err().contains("frobnicate"), unknown.err());

            // The same through the operator's script: output relayed, the failure in the exit status.
            Node.Result script = node.bin("shell", "-c", "tesseras:get nothex 0 /tmp/never");
            assertEquals(1, script.exit());
            assertTrue(script.err().contains("not a content hash"), script.err());
            assertTrue(node.bin("shell", "-c", "lb").assertOk().out().contains("Tesseras storage"));

            node.shell("tesseras:status").assertOk();
            node.bin("stop").assertOk();
        }
    }

    @Test
    void storageSettingsChangeLiveFromEtc() throws Exception {
        try (Node node = new Node(home, tmp.resolve("data"))) {
            node.bin("start").assertOk();
            assertTrue(node.shell("tesseras:status").assertOk().out().contains("synchronous      NORMAL"));
            Path cfg = home.resolve("etc/net.tesseras.storage.cfg");
            Files.writeString(cfg, Files.readString(cfg)
                    .replace("synchronous = NORMAL", "synchronous = FULL")
                    .replace("busy.timeout.ms = 5000", "busy.timeout.ms = 7000"));
            String status = "";
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (System.nanoTime() < deadline) {
                status = node.shell("tesseras:status").assertOk().out();
                if (status.contains("synchronous      FULL")) {
                    break;
                }
                Thread.sleep(250);
            }
            assertTrue(status.contains("synchronous      FULL"), status);
            assertTrue(status.contains("busy timeout     7000 ms"), status);
            String pidBefore = Files.readString(tmp.resolve("data/run/tesseras.pid"));
            assertEquals(pidBefore, Files.readString(tmp.resolve("data/run/tesseras.pid")), "no restart");

            // A bad value is refused with one log line naming key, value and value kept; the database
            // keeps its current settings.
            Files.writeString(cfg, Files.readString(cfg).replace("synchronous = FULL", "synchronous = SOMETIMES"));
            String refused = "configuration net.tesseras.storage: synchronous = 'SOMETIMES' refused: allowed: NORMAL, FULL; keeping FULL";
            deadline = System.nanoTime() + 20_000_000_000L;
            while (!node.log().contains(refused) && System.nanoTime() < deadline) {
                Thread.sleep(250);
            }
            assertTrue(node.log().contains(refused), node.log());
            assertTrue(node.shell("tesseras:status").assertOk().out().contains("synchronous      FULL"));
            node.bin("stop").assertOk();
        }
    }

    @Test
    void killDashNineDuringPutsLosesNoAcknowledgedFragment() throws Exception {
        Path data = tmp.resolve("data");
        List<String> acknowledged = new ArrayList<>();
        List<byte[]> contents = new ArrayList<>();
        try (Node node = new Node(home, data)) {
            node.bin("start").assertOk();
            Random random = new Random(7);
            Thread killer = null;
            for (int i = 0; i < 400; i++) {
                byte[] content = new byte[64 * 1024];
                random.nextBytes(content);
                Path file = Files.write(tmp.resolve("memory-" + i + ".bin"), content);
                Node.Result put = node.shell("tesseras:put " + file);
                if (put.exit() != 0) {
                    break; // the node died under this put: it was never acknowledged
                }
                acknowledged.add(tesseraOf(put.out()));
                contents.add(content);
                if (acknowledged.size() == 40) {
                    // Kill while puts keep arriving, not between two of them.
                    killer = new Thread(() -> {
                        try {
                            Thread.sleep(150);
                            node.killDashNine();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    killer.start();
                }
            }
            assertTrue(killer != null, "the node must have acknowledged 40 puts");
            killer.join();
            assertTrue(acknowledged.size() >= 40 && acknowledged.size() < 400, "puts acknowledged: " + acknowledged.size());

            Node.Result restarted = node.bin("start");
            restarted.assertOk();
            for (int i = 0; i < acknowledged.size(); i++) {
                Path copy = tmp.resolve("back-" + i + ".bin");
                node.shell("tesseras:get " + acknowledged.get(i) + " 0 " + copy).assertOk();
                assertArrayEquals(contents.get(i), Files.readAllBytes(copy), "fragment " + acknowledged.get(i));
            }
            Node.Result verify = node.shell("tesseras:verify").assertOk();
            assertTrue(verify.out().contains(" 0 corrupt, 0 missing"), verify.out());

            // Every shard file in the store is indexed, and no temporary file is left.
            Set<String> indexed = new HashSet<>();
            try (Connection c = new org.sqlite.JDBC().connect("jdbc:sqlite:" + data.resolve("db/tesseras.db"), new java.util.Properties());
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT path FROM fs_fragments")) {
                while (rs.next()) {
                    indexed.add(rs.getString(1));
                }
            }
            Path fragments = data.resolve("fragments");
            try (Stream<Path> files = Files.walk(fragments)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    String relative = fragments.relativize(f).toString();
                    if (relative.startsWith("lost+found/") || !relative.contains("/")) {
                        continue; // never acknowledged (crash between rename and commit), or the volume marker
                    }
                    assertTrue(indexed.contains(relative), "orphan file " + relative);
                }
            }
            assertNotEquals(0, indexed.size());
            node.bin("stop").assertOk();
        }
    }

    @Test
    void twoNodesRunSideBySideButNeverOnTheSameData() throws Exception {
        Path otherHome = Node.copyDistribution(tmp.resolve("other"));
        Files.writeString(otherHome.resolve("etc/net.tesseras.shell.cfg"), "socket.path = run/shell.sock\n");
        // b has its own ports (its own etc/); a second node on a's ports does not start (below).
        try (Node a = new Node(home, tmp.resolve("a")); Node b = new Node(otherHome, tmp.resolve("b"));
                Node sameAsA = new Node(otherHome, tmp.resolve("a"))) {
            a.bin("start").assertOk();
            b.bin("start").assertOk();
            Path file = Files.write(tmp.resolve("only-in-a"), new byte[] {1, 2, 3});
            a.shell("tesseras:put " + file).assertOk();
            assertTrue(a.shell("tesseras:status").assertOk().out().contains("fragments        1"));
            assertTrue(b.shell("tesseras:status").assertOk().out().contains("fragments        0"));

            // bin/tesseras start sees the running node; the launcher itself refuses a second one on the same data.
            assertTrue(sameAsA.bin("start").assertOk().out().contains("already running"));
            Node.Result refused = sameAsA.bin("run");
            assertEquals(1, refused.exit());
            assertTrue(refused.err().contains("already using the data directory"), refused.err());
            a.shell("tesseras:status").assertOk();
            a.bin("stop").assertOk();
            b.bin("stop").assertOk();
        }
    }

    @Test
    void aSecondStartThroughASymlinkToTheDataIsRefusedAndLeavesTheRunningNodeInCharge() throws Exception {
        Path otherHome = Node.copyDistribution(tmp.resolve("other"));
        Path data = tmp.resolve("data");
        Path link = tmp.resolve("dlink");
        try (Node node = new Node(home, data); Node throughLink = new Node(otherHome, link)) {
            node.bin("start").assertOk();
            long pid = node.pid();
            String state = Files.readString(data.resolve("run/node.state"));
            Files.createSymbolicLink(link, data);

            Node.Result refused = throughLink.bin("start");
            // Seen through the link, the data directory is the running node's: the script says so, or the JVM is refused by the lock.
            assertTrue(refused.exit() != 0 || refused.out().contains("already running (pid " + pid), refused.out() + refused.err());
            assertTrue(!refused.err().contains("open to other users"), "the mode of the symlink is not the data directory's: " + refused.err());
            assertEquals(pid + "", Files.readString(data.resolve("run/tesseras.pid")).strip());
            assertEquals(state, Files.readString(data.resolve("run/node.state")));

            Node.Result status = node.bin("status");
            assertEquals(0, status.exit(), status.out());
            assertTrue(status.out().contains("running (pid " + pid), status.out());
            assertEquals(0, throughLink.bin("status").exit());
            node.bin("stop").assertOk();
            assertTrue(ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true), "the node is stopped");
            assertEquals(3, node.bin("status").exit());
        }
    }

    @Test
    void statusStopAndShellDoNotCreateAMistypedDataDirectory() throws Exception {
        Path missing = tmp.resolve("no-such-data");
        try (Node node = new Node(home, missing)) {
            assertEquals(3, node.bin("status").exit());
            node.bin("stop").assertOk();
            assertTrue(node.bin("shell", "-c", "lb").exit() != 0);
            assertTrue(!Files.exists(missing), "status, stop and shell left " + missing + " behind");
        }
    }

    @Test
    void twoNodesPingFetchAndPoolOverQuicAndTheReaperClosesIdleConnections() throws Exception {
        Path homeB = Node.copyDistribution(tmp.resolve("home-b"));
        try (Node a = new Node(home, tmp.resolve("a")); Node b = new Node(homeB, tmp.resolve("b"))) {
            a.bin("start").assertOk();
            b.bin("start").assertOk();
            String idOfA = a.shell("tesseras:identity").assertOk().out().lines().findFirst().orElseThrow().substring(12);

            String ping = b.shell("tesseras:ping " + a.transportAddress()).assertOk().out();
            assertTrue(ping.startsWith("NodeId       " + idOfA + "\n"), ping);
            assertTrue(ping.contains("Round trip   "), ping);

            byte[] content = new byte[300_000];
            new java.util.Random(5).nextBytes(content);
            Path file = Files.write(tmp.resolve("held-by-a.bin"), content);
            String tessera = tesseraOf(a.shell("tesseras:put " + file).assertOk().out());
            Path fetched = tmp.resolve("fetched.bin");
            String fetch = b.shell("tesseras:fetch " + a.transportAddress() + " " + tessera + " 0 " + fetched).assertOk().out();
            assertTrue(fetch.contains("verified"), fetch);
            assertArrayEquals(content, Files.readAllBytes(fetched));
            Node.Result missing = b.shell("tesseras:fetch " + a.transportAddress() + " " + tessera + " 9 " + tmp.resolve("none"));
            assertEquals(1, missing.exit());
            assertTrue(missing.err().contains("not_found") || missing.err().contains("lists no fragment"), missing.err());

            String pool = b.shell("tesseras:pool").assertOk().out();
            assertTrue(pool.contains(idOfA) && pool.contains("outbound"), pool);
            String poolOfA = a.shell("tesseras:pool").assertOk().out();
            assertTrue(poolOfA.contains("inbound"), poolOfA);

            String metrics = awaitHttp(b, "/metrics").out();
            assertEquals(1.0, sample(metrics, "tesseras_conn_pool_size"), metrics);
            assertTrue(sample(metrics, "tesseras_conn_pool_misses_total") >= 1);
            assertTrue(sample(metrics, "tesseras_conn_pool_hits_total") >= 1);
            String servedByA = awaitHttp(a, "/metrics").out();
            assertTrue(sample(servedByA, "tesseras_transport_request_seconds_count{type=\"get\"}") >= 1, servedByA);
            checkWithPromtool(metrics);

            // A short idle timeout set live in etc/: the reaper closes the quiet connection.
            Path cfg = homeB.resolve("etc/net.tesseras.transport.cfg");
            Files.writeString(cfg, Files.readString(cfg).replace("idle.timeout.seconds = 300", "idle.timeout.seconds = 2")
                    .replace("reaper.interval.seconds = 30", "reaper.interval.seconds = 1"));
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            while (!b.shell("tesseras:pool").assertOk().out().contains("0 connections") && System.nanoTime() < deadline) {
                Thread.sleep(250);
            }
            assertTrue(b.shell("tesseras:pool").assertOk().out().contains("0 connections"), "the reaper closed the idle connection");
            String after = awaitHttp(b, "/metrics").out();
            assertEquals(0.0, sample(after, "tesseras_conn_pool_size"));
            assertTrue(sample(after, "tesseras_conn_pool_evictions_total{reason=\"idle\"}") >= 1, after);
            a.bin("stop").assertOk();
            b.bin("stop").assertOk();
        }
    }

    @Test
    void shellPathsResolveInTheCallersDirectoryAndHome() throws Exception {
        try (Node node = new Node(home, tmp.resolve("data"))) {
            node.bin("start").assertOk();
            Path caller = Files.createDirectories(tmp.resolve("caller"));
            Path userHome = Files.createDirectories(tmp.resolve("user-home"));
            byte[] letter = "the letter in my home".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            byte[] note = "a note where I stand".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            Files.write(userHome.resolve("letter.pdf"), letter);
            Files.write(caller.resolve("note.txt"), note);
            // A file of the same name in the node's own directory must not be the one stored.
            Files.write(home.resolve("note.txt"), new byte[] {0});
            java.util.Map<String, String> env = java.util.Map.of("HOME", userHome.toString());

            String fromHome = tesseraOf(node.binIn(caller, env, "shell", "-c", "tesseras:put ~/letter.pdf").assertOk().out());
            String fromCwd = tesseraOf(node.binIn(caller, env, "shell", "-c", "tesseras:put note.txt").assertOk().out());
            node.binIn(caller, env, "shell", "-c", "tesseras:get " + fromHome + " 0 letter-copy.pdf").assertOk();
            node.binIn(caller, env, "shell", "-c", "tesseras:get " + fromCwd + " 0 ~/note-copy.txt").assertOk();
            assertArrayEquals(letter, Files.readAllBytes(caller.resolve("letter-copy.pdf")));
            assertArrayEquals(note, Files.readAllBytes(userHome.resolve("note-copy.txt")));
            node.bin("stop").assertOk();
        }
    }

    @Test
    void shellExitStatusesFollowFailuresAndExitNeverStopsTheNode() throws Exception {
        try (Node node = new Node(home, tmp.resolve("data"))) {
            node.bin("start").assertOk();
            // A bundle that cannot resolve: Gogo's start reports it on standard error only.
            Path jar = tmp.resolve("unresolvable.jar");
            java.util.jar.Manifest manifest = new java.util.jar.Manifest();
            manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
            manifest.getMainAttributes().putValue("Bundle-ManifestVersion", "2");
            manifest.getMainAttributes().putValue("Bundle-SymbolicName", "net.tesseras.test.unresolvable");
            manifest.getMainAttributes().putValue("Import-Package", "net.tesseras.does.not.exist");
            new java.util.jar.JarOutputStream(Files.newOutputStream(jar), manifest).close();
            String installed = node.shell("install " + jar.toUri()).assertOk().out();
            Matcher id = Pattern.compile("(\\d+)").matcher(installed);
            assertTrue(id.find(), installed);
            Node.Result start = node.bin("shell", "-c", "start " + id.group(1));
            assertEquals(1, start.exit(), start.toString());
            assertTrue(start.err().contains("net.tesseras.does.not.exist"), start.err());
            assertEquals(1, node.bin("shell", "-c", "start 9999").exit());

            Node.Result exit = node.bin("shell", "-c", "exit 0");
            assertEquals(0, exit.exit(), exit.toString());
            assertEquals(0, node.bin("status").exit(), "the node still runs after exit in a shell session");
            node.shell("tesseras:status").assertOk();
            assertEquals(3, node.bin("shell", "-c", "exit 3").exit());
            assertEquals(0, node.bin("status").exit());

            Node.Result help = node.bin("shell", "-c", "tesseras:put --help").assertOk();
            assertTrue(help.out().startsWith("usage: tesseras:put <file>"), help.out());
            Node.Result missing = node.bin("shell", "-c", "tesseras:put");
            assertEquals(1, missing.exit());
            assertTrue(missing.err().contains("usage: tesseras:put <file>") && !missing.err().contains("Cannot coerce"), missing.err());
            String scope = node.bin("shell", "-c", "help tesseras").assertOk().out();
            for (String command : List.of("tesseras:put", "tesseras:get", "tesseras:fetch", "tesseras:cache", "tesseras:metrics",
                    "tesseras:identity")) {
                assertTrue(scope.contains(command), command + " in:\n" + scope);
            }
            for (String command : List.of("tesseras:cache", "tesseras:metrics", "tesseras:identity", "tesseras:ping", "tesseras:pool",
                    "tesseras:fetch", "tesseras:status", "tesseras:verify", "tesseras:fragments", "tesseras:init", "tesseras:get")) {
                assertTrue(node.shell(command + " --help").assertOk().out().startsWith("usage: " + command), command);
            }
            assertTrue(node.shell("tesseras:metrics tesseras_store_write_seconds_count").assertOk().out()
                    .contains("tesseras.store.write"));
            node.bin("stop").assertOk();
        }
    }

    @Test
    void aShellSocketPathNamingTheIndexOrTheKeyLeavesThemIntact() throws Exception {
        Path data = tmp.resolve("data");
        try (Node node = new Node(home, data)) {
            node.bin("start").assertOk();
            Path file = Files.write(tmp.resolve("kept.txt"), "kept".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            String tessera = tesseraOf(node.shell("tesseras:put " + file).assertOk().out());
            String identity = node.shell("tesseras:identity").assertOk().out();
            node.bin("stop").assertOk();
            byte[] key = Files.readAllBytes(data.resolve("identity/node.key"));

            // Set before a start: refused, the node starts and is driven on run/shell.sock.
            Path cfg = home.resolve("etc/net.tesseras.shell.cfg");
            String original = Files.readString(cfg);
            Files.writeString(cfg, original.replace("socket.path = run/shell.sock", "socket.path = db/tesseras.db"));
            node.bin("start").assertOk();
            assertTrue(node.shell("tesseras:fragments").assertOk().out().contains(tessera), "the index is intact");
            assertTrue(node.log().contains("socket.path = db/tesseras.db in etc/net.tesseras.shell.cfg is refused"), node.log());

            // Changed while running: refused, the socket in use is kept, the key is untouched.
            Files.writeString(cfg, original.replace("socket.path = run/shell.sock", "socket.path = identity/node.key"));
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!node.log().contains("socket.path = identity/node.key") && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertTrue(node.log().contains("socket.path = identity/node.key in etc/net.tesseras.shell.cfg is refused"));
            assertArrayEquals(key, Files.readAllBytes(data.resolve("identity/node.key")));
            assertEquals(identity, node.shell("tesseras:identity").assertOk().out());
            node.bin("stop").assertOk();
        }
    }

    @Test
    void idleConnectionsToTheShellSocketDoNotHangCommands() throws Exception {
        try (Node node = new Node(home, tmp.resolve("data"))) {
            node.bin("start").assertOk();
            List<java.nio.channels.SocketChannel> idle = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    java.nio.channels.SocketChannel channel = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX);
                    channel.connect(java.net.UnixDomainSocketAddress.of(tmp.resolve("data/run/shell.sock")));
                    idle.add(channel);
                }
                // Node.shell fails the test if no answer comes within its deadline.
                assertTrue(node.shell("tesseras:status").assertOk().out().contains("journal mode"));
                assertEquals(0, node.bin("shell", "-c", "lb").exit());
            } finally {
                for (java.nio.channels.SocketChannel channel : idle) {
                    channel.close();
                }
            }
            node.bin("stop").assertOk();
        }
    }

    @Test
    void largePutsShowProgress() throws Exception {
        try (Node node = new Node(home, tmp.resolve("data"))) {
            node.bin("start").assertOk();
            byte[] content = new byte[24 * 1024 * 1024];
            new Random(9).nextBytes(content);
            Path file = Files.write(tmp.resolve("large.bin"), content);
            Node.Result put = node.bin("shell", "-c", "tesseras:put " + file).assertOk();
            assertTrue(put.err().contains("hash large.bin: 100% (24.0 MiB of 24.0 MiB)"), put.err());
            assertTrue(put.err().contains("store large.bin: 100%"), put.err());
            node.bin("stop").assertOk();
        }
    }

    @Test
    void aSecondNodeOnTakenPortsDoesNotStartNamesThePortsAndLeavesNothingRunning() throws Exception {
        try (Node a = new Node(home, tmp.resolve("a")); Node b = new Node(home, tmp.resolve("b"))) {
            a.bin("start").assertOk();
            // Same installation, so the same etc/: b's HTTP and QUIC ports are a's.
            Node.Result refused = b.bin("start");
            assertEquals(1, refused.exit(), "stdout:\n" + refused.out() + "\nstderr:\n" + refused.err());
            String why = refused.err();
            assertTrue(why.contains("UDP " + a.transportAddress()) && why.contains("listen.port")
                    && why.contains("etc/net.tesseras.transport.cfg"), why);
            assertTrue(why.contains("TCP 127.0.0.1:" + a.httpPort()) && why.contains("etc/net.tesseras.metrics.cfg")
                    && why.contains("org.osgi.service.http.port in etc/framework.properties"), why);
            assertTrue(!why.contains("\tat ") && !refused.out().contains("Tesseras started"), why);

            assertEquals(3, b.bin("status").exit());
            String dataOfB = "-Dtesseras.data=" + tmp.resolve("b") + " ";
            List<String> left = ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse(""))
                    .filter(c -> c.contains(dataOfB)).toList();
            assertTrue(left.isEmpty(), "nothing of b keeps running: " + left);

            Node.Result health = awaitHttp(a, "/health");
            assertTrue(health.out().startsWith("{\"status\":\"UP\""), health.out());
            a.bin("stop").assertOk();
        }
    }

    @Test
    void healthNamesAComponentThatFailedToActivateInOneLineWithoutAStackTrace() throws Exception {
        try (Node node = new Node(home, tmp.resolve("data"))) {
            node.bin("start").assertOk();
            String transport = node.shell("lb -s").assertOk().out().lines()
                    .filter(l -> l.contains("net.tesseras.transport.quic ") || l.endsWith("net.tesseras.transport.quic"))
                    .findFirst().orElseThrow().split("\\|")[0].trim();
            node.shell("stop " + transport).assertOk();
            String[] address = node.transportAddress().split(":");
            // Another program takes the transport's port while the transport is stopped.
            try (java.net.DatagramSocket taken = bindWithin(new java.net.InetSocketAddress(address[0], Integer.parseInt(address[1])))) {
                node.shell("start " + transport).assertOk();
                Node.Result health = awaitHealth(node, body -> body.contains("TransportComponent"));
                assertEquals(503, health.exit());
                String body = health.out();
                assertTrue(body.startsWith("{\"status\":\"DOWN\""), body);
                assertTrue(body.contains("failed to activate") && body.contains("etc/net.tesseras.transport.cfg"), body);
                assertTrue(body.contains("QUIC transport: UDP " + node.transportAddress() + " is not bound"), body);
                assertTrue(!body.contains("\tat ") && !body.contains("\\tat ") && !body.contains("\\n"),
                        "one short line per problem, no stack trace: " + body);
            }
            // The port free again, the transport comes back and so does readiness.
            node.shell("stop " + transport).assertOk();
            node.shell("start " + transport).assertOk();
            assertEquals("{\"status\":\"UP\",\"bundles\":[],\"components\":[],\"listeners\":[]}", awaitHttp(node, "/health").out());
            node.bin("stop").assertOk();
        }
    }

    /** Binds a UDP socket, retrying until a deadline while the node releases the port. */
    private static java.net.DatagramSocket bindWithin(java.net.InetSocketAddress address) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (true) {
            try {
                return new java.net.DatagramSocket(address);
            } catch (java.net.BindException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(address + " was never released", e);
                }
                Thread.sleep(100);
            }
        }
    }

    private static Node.Result awaitHealth(Node node, java.util.function.Predicate<String> expected) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        Node.Result result = node.http("/health");
        while (!expected.test(result.out()) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            result = node.http("/health");
        }
        assertTrue(expected.test(result.out()), "/health never showed what was expected: " + result);
        return result;
    }

    @Test
    void theDataDirectoryAndEveryFileTheNodeWritesArePrivateToItsUser() throws Exception {
        Path data = tmp.resolve("data");
        try (Node node = new Node(home, data)) {
            Node.Result started = node.bin("start").assertOk();
            assertTrue(!started.err().contains("warning"), started.err());
            Path file = Files.write(tmp.resolve("private.txt"), "a letter".getBytes());
            node.shell("tesseras:put " + file).assertOk();
            assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(data)));
            // While the node runs: its database (and WAL), shards, logs, pid, state and socket.
            List<String> open = new ArrayList<>();
            Files.walkFileTree(data, new java.nio.file.SimpleFileVisitor<>() {
                @Override
                public java.nio.file.FileVisitResult preVisitDirectory(Path dir, java.nio.file.attribute.BasicFileAttributes attributes)
                        throws java.io.IOException {
                    check(dir);
                    return java.nio.file.FileVisitResult.CONTINUE;
                }

                @Override
                public java.nio.file.FileVisitResult visitFile(Path f, java.nio.file.attribute.BasicFileAttributes attributes)
                        throws java.io.IOException {
                    // The node's public key is public on purpose (the identity bundle writes it 0644), inside a private directory.
                    if (!f.equals(data.resolve("identity/node.pub"))) {
                        check(f);
                    }
                    return java.nio.file.FileVisitResult.CONTINUE;
                }

                @Override
                public java.nio.file.FileVisitResult visitFileFailed(Path f, java.io.IOException e) {
                    return java.nio.file.FileVisitResult.CONTINUE; // a temporary file gone meanwhile
                }

                private void check(Path p) throws java.io.IOException {
                    try {
                        String permissions = java.nio.file.attribute.PosixFilePermissions.toString(
                                Files.getPosixFilePermissions(p, java.nio.file.LinkOption.NOFOLLOW_LINKS));
                        if (!permissions.endsWith("------")) {
                            open.add(permissions + " " + data.relativize(p));
                        }
                    } catch (java.nio.file.NoSuchFileException gone) {
                        // removed while walking
                    }
                }
            });
            assertTrue(Files.exists(data.resolve("db/tesseras.db")) && Files.exists(data.resolve("log/tesseras.log")));
            assertTrue(open.isEmpty(), "readable by others:\n" + String.join("\n", open));
            node.bin("stop").assertOk();
        }

        // A data directory that already exists open to others is kept as it is, with a warning that says how to close it.
        Path shared = Files.createDirectories(tmp.resolve("shared"));
        Files.setPosixFilePermissions(shared, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        try (Node node = new Node(home, shared)) {
            Node.Result started = node.bin("start").assertOk();
            assertTrue(started.err().contains("open to other users (mode 755)") && started.err().contains("chmod -R go-rwx"),
                    started.err());
            node.bin("stop").assertOk();
        }
    }

    /**
     * Issue 9, defect 10: identity/ and data/node.id moved away while the database stays. The node
     * used to make a new NodeId over the old one's data; now the start fails naming the NodeId the
     * database records and the fix, nothing is created, and the restored files start it as itself.
     */
    @Test
    void anIdentityMovedAwayFromItsDataStopsTheStartNamingTheFixAndNoNewNodeIdIsMade() throws Exception {
        Path data = tmp.resolve("data");
        try (Node node = new Node(home, data)) {
            node.bin("start").assertOk();
            String nodeId = node.shell("tesseras:identity").assertOk().out().lines().findFirst().orElseThrow()
                    .substring("NodeId".length()).trim();
            node.bin("stop").assertOk();
            Files.move(data.resolve("identity"), tmp.resolve("identity-backup"));
            Files.move(data.resolve("node.id"), tmp.resolve("node.id-backup"));

            Node.Result refused = node.bin("start");
            assertEquals(1, refused.exit(), "stdout:\n" + refused.out() + "\nstderr:\n" + refused.err());
            assertTrue(refused.err().contains("NodeId " + nodeId) && refused.err().contains("restore node.key, node.pub and node.properties")
                    && refused.err().contains("new.identity.replaces = " + nodeId), refused.err());
            assertFalse(Files.exists(data.resolve("identity/node.key")), "no new key pair was made");

            if (Files.isDirectory(data.resolve("identity"))) {
                Files.delete(data.resolve("identity"));
            }
            Files.move(tmp.resolve("identity-backup"), data.resolve("identity"));
            Files.move(tmp.resolve("node.id-backup"), data.resolve("node.id"));
            node.bin("start").assertOk();
            assertTrue(node.shell("tesseras:identity").assertOk().out().startsWith("NodeId      " + nodeId));
            node.bin("stop").assertOk();
        }
    }

    @Test
    void helpListsTheCommandsAndRestartStopsThenStarts() throws Exception {
        try (Node node = new Node(home, tmp.resolve("data"))) {
            String help = node.bin("help").assertOk().out();
            assertTrue(help.contains("tesseras restart") && help.contains("tesseras status"), help);
            assertTrue(!help.contains("set -") && !help.contains("#"), "only the help text: " + help);

            node.bin("start").assertOk();
            long before = node.pid();
            // An argument where none is taken is refused and changes nothing (stop 999 meant a bundle).
            Node.Result stray = node.bin("stop", "999");
            assertEquals(2, stray.exit(), stray.toString());
            assertTrue(stray.err().contains("tesseras stop takes no arguments") && stray.err().contains("shell -c \"stop 999\""),
                    stray.err());
            assertEquals(before, node.pid(), "the node still runs");
            Node.Result restarted = node.bin("restart").assertOk();
            assertTrue(restarted.out().contains("Tesseras stopped (pid " + before + ")") && restarted.out().contains("Tesseras started"),
                    restarted.out());
            assertNotEquals(before, node.pid());
            assertEquals(0, node.bin("status").exit());
            node.shell("tesseras:status").assertOk();
            node.bin("stop").assertOk();

            // A stopped node restarts too: restart is stop (nothing to stop) then start.
            node.bin("restart").assertOk();
            assertEquals(0, node.bin("status").exit());
            node.bin("stop").assertOk();
        }
    }

    private static String tesseraOf(String putOutput) {
        Matcher m = TESSERA.matcher(putOutput);
        assertTrue(m.find(), putOutput);
        return m.group(1);
    }

    private static String single(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
