package net.tesseras.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import net.tesseras.launcher.LoopbackNetwork.Member;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The replication promise on a real network: eight built distributions, each a separate process
 * on its own loopback address and ports, driven only through bin/tesseras and the shell, as an
 * operator would. A publishes a 10 MiB tessera; it becomes Healthy on seven peers; two holders are
 * killed with kill -9 and a third loses its data, and A's scheduled repair (nobody forces it)
 * brings the tessera back to Healthy; a ninth, empty node restores it by hash, byte for byte; a
 * holder whose fragment rots on disk fails its challenge and the fragment is placed again; a peer
 * past its ledger deficit refuses A's next tessera with an error A's publish reports.
 *
 * <p>One ordered flow, so the nodes start once. The nodes and their logs live under
 * target/replication-network; a failed run keeps them there, and its failure message carries
 * every node's warnings, errors and log tail.
 */
@Timeout(value = 7, unit = TimeUnit.MINUTES)
class ReplicationNetworkIT {

    /**
     * Small heaps: nine JVMs share two cores. The nodes that code (A creates and rebuilds, the ninth
     * restores) keep both compilers: the Reed-Solomon coder's Vector API kernel needs C2 (with C1
     * alone, creating the 10 MiB tessera took 35 s). The holders only store, hash and answer: the
     * quick compiler alone makes their start, which dominates this test, much cheaper.
     */
    private static final String CODER_JAVA_OPTS = "-Xmx320m -XX:+UseSerialGC";
    private static final String HOLDER_JAVA_OPTS = "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1";

    private static final int REPAIR_INTERVAL_SECONDS = 20;
    private static final int REPAIR_JITTER_SECONDS = 2;
    /** After start: long enough for the first scheduled pass to come after the publish (step 3), not during it. */
    private static final int FIRST_REPAIR_SECONDS = 75;

    private static final Pattern CREATED = Pattern.compile("Created tessera ([0-9a-f]{64})");
    private static final Pattern PROOFS_FAILED = Pattern.compile("proofs failed (\\d+)");
    private static final Pattern PLACED_ON_PEERS = Pattern.compile("placed on peers (\\d+)");
    private static final Pattern BALANCE_REFUSALS =
            Pattern.compile("(?m)^tesseras_replication_refused_total\\{[^}]*reason=\"balance\"[^}]*\\}\\s+([0-9.eE+]+)");
    /** How the shell prints instants (tesseras:status, tesseras:peers). */
    private static final DateTimeFormatter STATUS_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
    private static final Pattern SIZE = Pattern.compile("(-?[0-9]+(?:\\.[0-9]+)?) (B|KiB|MiB|GiB|TiB)");

    private final Instant began = Instant.now();
    private LoopbackNetwork network;

    @Test
    void eightNodesPlaceProveRepairAndRestoreATessera() throws Throwable {
        Path dist = Path.of(System.getProperty("tesseras.dist", "target/tesseras")).toAbsolutePath();
        Path root = dist.getParent().resolve("replication-network");
        network = new LoopbackNetwork(root);
        boolean passed = false;
        try {
            flow(root);
            passed = true;
        } catch (Throwable failure) {
            failure.addSuppressed(new AssertionError("the nodes when the test failed (their homes and logs stay in " + root + "):"
                    + network.diagnostics()));
            throw failure;
        } finally {
            network.close();
            if (passed) {
                network.delete();
            }
        }
        progress("passed");
    }

    private void flow(Path root) throws Exception {
        // 1. Eight nodes, A first so the others can name it as their bootstrap.
        Member a = network.add("a", 1, CODER_JAVA_OPTS, settings(""));
        String bootstrap = a.transportAddress();
        List<Member> eight = new ArrayList<>(List.of(a));
        for (int n = 2; n <= 8; n++) {
            eight.add(network.add(String.valueOf((char) ('a' + n - 1)), n, HOLDER_JAVA_OPTS, settings(bootstrap)));
        }
        Instant started = Instant.now();
        network.start(eight);
        progress("8 nodes started: " + eight);
        List<Member> others = eight.subList(1, eight.size());

        // 2. A learns of every other node.
        awaitPeers(a, others, Duration.ofSeconds(60));
        progress("A knows its 7 peers");

        // 3. A ~10 MiB tessera (Medium tier: 16 + 8 fragments), published and then proven.
        Path family = writeRandomFiles(root.resolve("originals/family"), 1);
        Node.Result created = a.node.shell("tesseras:create " + family).assertOk();
        assertTrue(created.out().contains("16 data + 8 parity"), "a ~10 MiB tessera is Medium (16 + 8):\n" + created.out());
        String tessera = createdHash(created);
        Node.Result published = a.node.shell("tesseras:publish " + tessera).assertOk();
        TesseraStanding afterPublish = TesseraStanding.parse(published.out());
        assertTrue(afterPublish.is("Replicated") || afterPublish.is("Healthy"),
                "publish ends with every fragment placed:\n" + published.out() + published.err());
        assertEquals(24, afterPublish.placed(), published.out());
        progress("published " + tessera + ": " + afterPublish.health());
        if (!afterPublish.is("Healthy")) {
            // Publishing places; a proof pass (attestation and challenge on every holder) makes it Healthy.
            a.node.shell("tesseras:repair " + tessera).assertOk();
        }
        TesseraStanding healthy = awaitStatus(a, tessera, Duration.ofSeconds(60), "Healthy with 24 live fragments on 7+ peers",
                s -> s.healthyAndWhole() && s.liveHolders().size() >= 7);
        assertEquals(24, healthy.total(), healthy.text());
        assertEquals(16, healthy.needed(), healthy.text());
        assertEquals(healthy.liveHolders().size(), healthy.holderCount(), healthy.text());
        assertEquals(survivableLosses(healthy), healthy.survives(), "the survivable peer losses follow from the holders' table:\n" + healthy);
        assertTrue(healthy.survives() >= 2, "24 fragments over 7 peers survive the loss of any two:\n" + healthy);
        Map<Member, TreeSet<Integer>> holdings = holdings(healthy);
        for (var holding : holdings.entrySet()) {
            assertEquals(holding.getValue(), shardsOnDisk(holding.getKey(), tessera),
                    holding.getKey() + " holds on disk the fragments A's status says it holds:\n" + healthy);
        }
        progress("Healthy, survives " + healthy.survives() + " peer losses; holders " + describe(holdings));

        Member ledgerHolder = holdings.keySet().iterator().next();
        assertStoresFor(ledgerHolder, a);

        // 4. Two holders die (kill -9) and a third loses its data directory; the scheduled repair restores the count.
        List<Member> byLoad = new ArrayList<>(holdings.keySet());
        byLoad.sort(Comparator.comparing((Member m) -> holdings.get(m).size()).reversed());
        Member killed1 = byLoad.get(0);
        Member killed2 = byLoad.get(1);
        Member wiped = byLoad.get(2);
        Instant lossAt = Instant.now();
        killed1.node.killDashNine();
        killed2.node.killDashNine();
        loseData(wiped);
        progress("killed " + killed1 + " and " + killed2 + ", wiped " + wiped);
        Instant firstPass = started.plusSeconds(FIRST_REPAIR_SECONDS);
        Duration untilFirstPass = Duration.between(Instant.now(), firstPass).isNegative() ? Duration.ZERO
                : Duration.between(Instant.now(), firstPass);
        // The pass may have begun just before the losses: the next one must see them, then rebuild and place.
        Duration repairDeadline = untilFirstPass.plusSeconds(2L * (REPAIR_INTERVAL_SECONDS + REPAIR_JITTER_SECONDS) + 60);
        Set<String> dead = Set.of(killed1.nodeId(), killed2.nodeId());
        TesseraStanding repaired = awaitStatus(a, tessera, repairDeadline,
                "the scheduled repair to bring the tessera back to Healthy with 24 live fragments on the remaining peers",
                s -> s.live() == 24 && s.liveIndices().size() == 24
                        && s.holders().values().stream().noneMatch(h -> dead.contains(h.nodeId()) && !h.live().isEmpty()));
        assertFalse(lastRepair(repaired).isBefore(lossAt.truncatedTo(ChronoUnit.SECONDS)),
                "a scheduled pass (nobody forced one) looked at the tessera after the losses at " + lossAt + ":\n" + repaired);
        assertHealthy(repaired, "every fragment is live again on the remaining peers");
        progress("repaired by the schedule " + LoopbackNetwork.since(lossAt) + " after the losses: " + describe(holdings(repaired)));

        // 5. A ninth, empty node restores the tessera by its hash alone.
        Member ninth = network.add("i", 9, CODER_JAVA_OPTS, settings(bootstrap));
        network.start(List.of(ninth));
        List<Member> alive = eight.stream().filter(m -> m != killed1 && m != killed2).toList();
        awaitPeers(ninth, alive, Duration.ofSeconds(60));
        Path restored = root.resolve("restored");
        Node.Result restore = ninth.node.shell("tesseras:restore " + tessera + " " + restored).assertOk();
        assertIdentical(family, restored.resolve("family"), restore);
        progress("restored on the ninth node: " + restore.out().lines().findFirst().orElse(""));

        // 6. A fragment rots on a holder's disk: A's forced repair catches it by challenge and places it again.
        TesseraStanding beforeRot = TesseraStanding.parse(a.node.shell("tesseras:status " + tessera).assertOk().out());
        // A parity fragment: the restore above read data fragments, which a holder's cache may still
        // serve, and a fragment read from memory does not show what rotted on disk.
        TesseraStanding.Holder rotting = beforeRot.liveHolders().stream()
                .filter(h -> !dead.contains(h.nodeId()) && h.live().last() >= beforeRot.needed())
                .max(Comparator.comparing(h -> h.live().size()))
                .orElseThrow(() -> new AssertionError("no live holder of a parity fragment:\n" + beforeRot));
        Member rotter = network.byNodeId(rotting.nodeId());
        int index = rotting.live().last();
        rot(rotter.shardDirectory(tessera).resolve(String.format("%03d.shard", index)));
        Node.Result repair = a.node.shell("tesseras:repair " + tessera).assertOk();
        assertTrue(count(PROOFS_FAILED, repair.out()) >= 1, rotter + " fails its challenge on fragment " + index + ":\n" + repair.out());
        assertTrue(count(PLACED_ON_PEERS, repair.out()) >= 1, "the damaged fragment is placed again:\n" + repair.out());
        TesseraStanding afterRot = awaitStatus(a, tessera, Duration.ofSeconds(30), "every fragment live again after the rotten fragment's repair",
                s -> s.live() == 24 && s.liveIndices().size() == 24);
        assertHealthy(afterRot, "the rotten fragment was placed again");
        TesseraStanding.Holder judged = afterRot.holders().get(rotter.nodeId());
        assertTrue(judged == null || judged.failed() || !judged.live().contains(index),
                rotter + "'s rotten fragment " + index + " no longer counts as live there:\n" + afterRot);
        progress("fragment " + index + " rotted on " + rotter + "; repair: " + repair.out().lines().skip(1).findFirst().orElse(""));

        // 7. A peer past its ledger deficit limit refuses A's next tessera, and A's publish says so.
        // Placement offers a tessera to the peers closest to its hash first: the strict peer is the
        // closest of those that store fragments for A, so it is offered whatever the NodeIds drawn.
        Path letters = writeRandomFiles(root.resolve("originals/letters"), 2);
        String second = createdHash(a.node.shell("tesseras:create " + letters).assertOk());
        Member strict = afterRot.liveHolders().stream().map(h -> network.byNodeId(h.nodeId()))
                .filter(m -> holdingsOf(afterRot, m).size() >= 2)
                .min(Comparator.comparing(m -> xorDistance(m.nodeId(), second)))
                .orElseThrow(() -> new AssertionError("no holder stores 2+ fragments for A:\n" + afterRot));
        assertStoresFor(strict, a);
        strict.node.bin("stop").assertOk();
        strict.node.configure("net.tesseras.replication.cfg", Map.of("ledger.deficit.limit.mb", "1"));
        Instant restarted = Instant.now();
        network.restart(strict);
        awaitAnswering(a, strict, restarted);
        Node.Result refused = a.node.shell("tesseras:publish " + second);
        String said = refused.out() + refused.err();
        assertTrue(shardsOnDisk(strict, second).isEmpty(), strict + " stored nothing of the tessera it refused:\n" + said);
        TesseraStanding secondStatus = TesseraStanding.parse(a.node.shell("tesseras:status " + second).assertOk().out());
        assertFalse(secondStatus.holders().containsKey(strict.nodeId()), strict + " holds nothing of it for A:\n" + secondStatus);
        Node.Result metrics = strict.node.http("/metrics");
        Matcher refusals = BALANCE_REFUSALS.matcher(metrics.out());
        assertTrue(refusals.find() && Double.parseDouble(refusals.group(1)) >= 1,
                strict + " refused A's offer for its balance (its /metrics count it); GET /metrics: " + metrics.exit() + " "
                        + metrics.err() + "\n" + metrics.out().lines().filter(l -> l.startsWith("tesseras_replication"))
                        .collect(Collectors.joining("\n")) + "\nA's publish said:\n" + said);
        assertTrue(said.contains(strict.nodeId().substring(0, 12)),
                "A's publish names the peer that refused (" + strict + "):\n" + said);
        assertTrue(said.toLowerCase(java.util.Locale.ROOT).matches("(?s).*(ledger|deficit).*"),
                "A's publish says the refusal was the ledger's deficit:\n" + said);
        progress("the second tessera was refused by " + strict + " for its ledger deficit");
    }

    /** XOR distance of a NodeId to the first 20 bytes of a tessera hash, as placement orders candidates. */
    private static java.math.BigInteger xorDistance(String nodeId, String tessera) {
        return new java.math.BigInteger(nodeId, 16).xor(new java.math.BigInteger(tessera.substring(0, 40), 16));
    }

    /**
     * Waits until {@code node}'s peer table shows {@code peer} seen since {@code since} with no failure:
     * a restarted peer is reached again (not through a connection to its previous process).
     */
    private static void awaitAnswering(Member node, Member peer, Instant since) throws Exception {
        Pattern row = Pattern.compile("(?m)^" + peer.nodeId() + "\\s+\\S+\\s+(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ)\\s+(\\d+)");
        Instant from = since.truncatedTo(ChronoUnit.SECONDS);
        Await.until(Duration.ofSeconds(30), Duration.ofSeconds(1),
                node.name + "'s tesseras:peers to show " + peer + " seen since " + from + " with 0 failures",
                () -> node.node.shell("tesseras:peers"), r -> {
                    Matcher m = row.matcher(r.out());
                    return r.exit() == 0 && m.find() && !Instant.from(STATUS_TIME.parse(m.group(1))).isBefore(from) && m.group(2).equals("0");
                }, r -> r.out() + r.err());
    }

    private static void assertHealthy(TesseraStanding status, String because) {
        assertEquals("Healthy", status.health(), because + ", so the tessera is Healthy:\n" + status);
    }

    /** The settings every node of this test shares; {@code bootstrap} empty for A. */
    private static Map<String, Map<String, String>> settings(String bootstrap) {
        Map<String, Map<String, String>> files = new LinkedHashMap<>();
        files.put("net.tesseras.transport.cfg", keys(
                "write.policy", "replication",
                // Loopback carries large datagrams; dead peers are noticed in seconds, not half a minute.
                "max.udp.payload", "65507",
                "request.timeout.seconds", "10",
                "peer.timeout.seconds", "6"));
        files.put("net.tesseras.replication.cfg", keys(
                "bootstrap", bootstrap,
                "replication.factor", "7",
                "publish.on.create", "false",
                "repair.interval.seconds", String.valueOf(REPAIR_INTERVAL_SECONDS),
                "repair.jitter.seconds", String.valueOf(REPAIR_JITTER_SECONDS),
                "repair.initial.delay.seconds", String.valueOf(FIRST_REPAIR_SECONDS),
                "holder.grace.seconds", "0",
                "peer.refresh.seconds", "5",
                // Every pass challenges every fragment a holder claims (4 random 1 KiB chunks each).
                "challenge.fragments", "24",
                "challenge.chunks", "4"));
        // Nine JVMs with small heaps: a small fragment cache each.
        files.put("net.tesseras.cache.cfg", keys("size.mb", "16"));
        return files;
    }

    private static Map<String, String> keys(String... keysAndValues) {
        Map<String, String> keys = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            keys.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return keys;
    }

    private void awaitPeers(Member node, List<Member> expected, Duration deadline) throws Exception {
        Set<String> ids = expected.stream().filter(m -> m != node).map(Member::nodeId).collect(Collectors.toSet());
        Await.until(deadline, Duration.ofSeconds(1), node.name + "'s tesseras:peers to list " + ids,
                () -> node.node.shell("tesseras:peers"), r -> r.exit() == 0 && ids.stream().allMatch(r.out()::contains),
                r -> "exit " + r.exit() + "\n" + r.out() + r.err());
    }

    private static TesseraStanding awaitStatus(Member node, String tessera, Duration deadline, String what,
            java.util.function.Predicate<TesseraStanding> done) throws Exception {
        Node.Result last = Await.until(deadline, Duration.ofSeconds(2), node.name + "'s tesseras:status to show " + what,
                () -> node.node.shell("tesseras:status " + tessera),
                r -> r.exit() == 0 && done.test(TesseraStanding.parse(r.out())), r -> "exit " + r.exit() + "\n" + r.out() + r.err());
        return TesseraStanding.parse(last.out());
    }

    /** The largest k such that losing the k peers that hold the most live fragments leaves enough to rebuild. */
    private static int survivableLosses(TesseraStanding status) {
        List<Integer> loads = status.liveHolders().stream().map(h -> h.live().size()).sorted(Comparator.reverseOrder()).toList();
        int spare = status.liveIndices().size() - status.needed();
        int k = 0;
        int lost = 0;
        while (k < loads.size() && lost + loads.get(k) <= spare) {
            lost += loads.get(k);
            k++;
        }
        return k;
    }

    private Map<Member, TreeSet<Integer>> holdings(TesseraStanding status) {
        Map<Member, TreeSet<Integer>> holdings = new LinkedHashMap<>();
        for (TesseraStanding.Holder holder : status.liveHolders()) {
            holdings.put(network.byNodeId(holder.nodeId()), holder.live());
        }
        return holdings;
    }

    private static TreeSet<Integer> holdingsOf(TesseraStanding status, Member member) {
        TesseraStanding.Holder holder = status.holders().get(member.nodeId());
        return holder == null ? new TreeSet<>() : holder.live();
    }

    private static String describe(Map<Member, TreeSet<Integer>> holdings) {
        return holdings.entrySet().stream().map(e -> e.getKey().name + "=" + e.getValue()).collect(Collectors.joining(" "));
    }

    /** The indices of the shard files a node keeps of a tessera in its fs store. */
    private static TreeSet<Integer> shardsOnDisk(Member member, String tessera) throws IOException {
        TreeSet<Integer> indices = new TreeSet<>();
        Path directory = member.shardDirectory(tessera);
        if (Files.isDirectory(directory)) {
            try (Stream<Path> files = Files.list(directory)) {
                files.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d{3}\\.shard"))
                        .forEach(n -> indices.add(Integer.parseInt(n.substring(0, 3))));
            }
        }
        return indices;
    }

    /** {@code holder}'s tesseras:ledger shows bytes it stores for {@code creator}. */
    private static void assertStoresFor(Member holder, Member creator) {
        String ledger = holder.node.shell("tesseras:ledger").assertOk().out();
        String row = ledger.lines().filter(l -> l.startsWith(creator.nodeId())).findFirst()
                .orElseThrow(() -> new AssertionError(holder + "'s ledger has no row for " + creator + ":\n" + ledger));
        Matcher stored = SIZE.matcher(row.substring(creator.nodeId().length()));
        assertTrue(stored.find() && Double.parseDouble(stored.group(1)) > 0,
                holder + "'s ledger shows bytes stored for " + creator + " (the first amount):\n" + ledger);
    }

    /**
     * The node stops and loses its fragments and database (a disk replaced), keeping only its identity
     * (the key files and node.id, as an operator restores them from a backup); then it starts again.
     */
    private void loseData(Member member) throws Exception {
        member.node.bin("stop").assertOk();
        for (String lost : List.of("fragments", "db", "tmp")) {
            deleteTree(member.node.data.resolve(lost));
        }
        assertTrue(Files.exists(member.node.data.resolve("identity/node.key")), "the identity is kept in data/identity");
        network.restart(member);
    }

    /**
     * Bit rot: one byte flipped in every 1 KiB chunk of the fragment file. A challenge samples a few
     * chunks of a fragment; damage in every chunk is caught whichever the nonce selects.
     */
    private static void rot(Path shard) throws IOException {
        assertTrue(Files.isRegularFile(shard), "no shard file " + shard);
        byte[] bytes = Files.readAllBytes(shard);
        for (int at = 512; at < bytes.length; at += 1024) {
            bytes[at] ^= 0x5A;
        }
        Files.write(shard, bytes);
    }

    /** Every original file exists under {@code restored} with the same bytes (SHA-256), and no file is extra. */
    private static void assertIdentical(Path original, Path restored, Node.Result restore) throws Exception {
        Map<String, String> expected = digests(original);
        assertTrue(Files.isDirectory(restored), "the restore wrote " + restored + ":\n" + restore.out() + restore.err());
        assertEquals(expected, digests(restored), "restored files, by relative path and SHA-256:\n" + restore.out());
    }

    private static Map<String, String> digests(Path directory) throws Exception {
        Map<String, String> digests = new TreeMap<>();
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                digests.put(directory.relativize(file).toString(),
                        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file))));
            }
        }
        return digests;
    }

    /** About 10 MiB of incompressible files in nested directories (seed 1), or about 5 MiB (seed 2). */
    private static Path writeRandomFiles(Path directory, long seed) throws IOException {
        Random random = new Random(seed);
        int scale = seed == 1 ? 2 : 1;
        Files.createDirectories(directory.resolve("photos/2024"));
        Files.write(directory.resolve("video.mp4"), bytes(random, scale * (3 << 20) + 12_345));
        for (int i = 0; i < 4; i++) {
            Files.write(directory.resolve("photos/2024/img_" + i + ".jpg"), bytes(random, scale * (400_000 + i * 7_777)));
        }
        Files.writeString(directory.resolve("notes.txt"), "Notes, seed " + seed + "\n");
        return directory;
    }

    private static byte[] bytes(Random random, int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }

    private static String createdHash(Node.Result created) {
        Matcher m = CREATED.matcher(created.out());
        assertTrue(m.find(), "tesseras:create prints the hash:\n" + created.out());
        return m.group(1);
    }

    /** When the status says a repair pass last looked at the tessera (the epoch when never). */
    private static Instant lastRepair(TesseraStanding status) {
        Matcher m = Pattern.compile("(?m)^last repair\\s+(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ)").matcher(status.text());
        return m.find() ? Instant.from(STATUS_TIME.parse(m.group(1))) : Instant.EPOCH;
    }

    private static int count(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    private static void deleteTree(Path root) throws IOException {
        if (Files.exists(root)) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }

    private void progress(String step) {
        System.out.println("[ReplicationNetworkIT +" + LoopbackNetwork.since(began) + "] " + step);
    }
}
