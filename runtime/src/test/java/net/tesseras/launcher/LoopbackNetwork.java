package net.tesseras.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Several copies of the built distribution on one machine, each a separate node process with its
 * own home, data directory, ports and loopback address 127.0.N.1 (so every node is in its own /24,
 * as placement wants peers in distinct subnets). Started in parallel, since start-up dominates an
 * end-to-end test's time; closing kills every node it started.
 */
final class LoopbackNetwork implements AutoCloseable {

    /** One node of the network: its name, the Node that drives it, where peers reach it, and its NodeId once started. */
    static final class Member {
        final String name;
        final Node node;
        final String host;
        private String nodeId;

        private Member(String name, Node node, String host) {
            this.name = name;
            this.node = node;
            this.host = host;
        }

        String nodeId() {
            if (nodeId == null) {
                throw new IllegalStateException("node " + name + " has not been started yet");
            }
            return nodeId;
        }

        String transportAddress() throws IOException {
            return node.transportAddress();
        }

        /** Its fragment files of {@code tessera} in the default fs store ({root}/{tessera}/{index:03}.shard). */
        Path shardDirectory(String tessera) {
            return node.data.resolve("fragments").resolve(tessera);
        }

        @Override
        public String toString() {
            return name + " (" + host + (nodeId == null ? "" : ", " + nodeId) + ")";
        }
    }

    private static final Pattern NODE_ID = Pattern.compile("NodeId\\s+([0-9a-f]{40})");

    private final Path root;
    private final Map<String, Member> members = new LinkedHashMap<>();

    /**
     * @param root where the nodes' homes and data directories go; what a previous run left there is
     *     removed first (after stopping any node of it still running)
     */
    LoopbackNetwork(Path root) throws IOException {
        this.root = root;
        removeLeftovers(root);
        Files.createDirectories(root);
    }

    /**
     * Copies the distribution for a new node listening on 127.0.{subnet}.1, then applies
     * {@code settings} (cfg file name to keys) over what the copy ships; the node's JVM runs with
     * {@code javaOptions} (JAVA_OPTS: a small heap, say, as many nodes share the machine).
     */
    Member add(String name, int subnet, String javaOptions, Map<String, Map<String, String>> settings) throws IOException {
        if (members.containsKey(name)) {
            throw new IllegalArgumentException("a node named " + name + " exists already");
        }
        String host = "127.0." + subnet + ".1";
        Path home = Node.copyDistribution(root.resolve(name).resolve("home"));
        Node.configure(home, "net.tesseras.transport.cfg", Map.of("listen.address", host));
        for (var file : settings.entrySet()) {
            Node.configure(home, file.getKey(), file.getValue());
        }
        Member member = new Member(name, new Node(home, root.resolve(name).resolve("data")).environment("JAVA_OPTS", javaOptions), host);
        members.put(name, member);
        return member;
    }

    Member get(String name) {
        Member member = members.get(name);
        if (member == null) {
            throw new IllegalArgumentException("no node named " + name + " (nodes: " + members.keySet() + ")");
        }
        return member;
    }

    List<Member> members() {
        return List.copyOf(members.values());
    }

    /** Starts the nodes side by side; each must report ready. Then reads each one's NodeId. */
    void start(List<Member> nodes) throws Exception {
        ExecutorService starters = Executors.newFixedThreadPool(nodes.size());
        try {
            List<Future<Node.Result>> started = new ArrayList<>();
            for (Member member : nodes) {
                started.add(starters.submit(() -> member.node.bin("start")));
            }
            StringBuilder failures = new StringBuilder();
            for (int i = 0; i < nodes.size(); i++) {
                Node.Result result = started.get(i).get(5, TimeUnit.MINUTES);
                if (result.exit() != 0) {
                    failures.append(nodes.get(i)).append(": exit ").append(result.exit()).append('\n').append(result.out())
                            .append(result.err()).append('\n');
                }
            }
            if (failures.length() > 0) {
                throw new AssertionError("nodes did not start:\n" + failures);
            }
        } finally {
            starters.shutdownNow();
        }
        for (Member member : nodes) {
            readNodeId(member);
        }
    }

    /** Starts one node again (after a stop), checking it keeps its NodeId. */
    void restart(Member member) throws Exception {
        String before = member.nodeId;
        member.node.bin("start").assertOk();
        readNodeId(member);
        if (before != null && !before.equals(member.nodeId)) {
            throw new AssertionError(member.name + " came back as " + member.nodeId + ", not " + before);
        }
    }

    private static void readNodeId(Member member) {
        String identity = member.node.shell("tesseras:identity").assertOk().out();
        Matcher id = NODE_ID.matcher(identity);
        if (!id.find()) {
            throw new AssertionError(member.name + ": no NodeId in tesseras:identity:\n" + identity);
        }
        member.nodeId = id.group(1);
    }

    /** The member with this NodeId, if it is one of ours. */
    Member byNodeId(String nodeId) {
        return members.values().stream().filter(m -> nodeId.equals(m.nodeId)).findFirst()
                .orElseThrow(() -> new AssertionError("NodeId " + nodeId + " is none of this network's nodes: " + members.values()));
    }

    /**
     * For a failure message: each node's address, NodeId, whether it runs, its warnings and errors,
     * and the tail of its log; the full logs stay under {@link #root}.
     */
    String diagnostics() {
        StringBuilder out = new StringBuilder("\n===== network under " + root + " at " + Instant.now() + " =====\n");
        for (Member member : members.values()) {
            boolean running = nodeProcess(member.node.data).isPresent();
            out.append("\n----- ").append(member).append(running ? " running" : " NOT running").append(" -----\n");
            if (running) {
                try {
                    Node.Result peers = member.node.shell("tesseras:peers");
                    out.append("tesseras:peers (exit ").append(peers.exit()).append("):\n").append(peers.out()).append(peers.err());
                } catch (AssertionError | RuntimeException e) {
                    out.append("(tesseras:peers failed: ").append(e.getMessage()).append(")\n");
                }
            }
            try {
                List<String> lines = member.node.log().lines().toList();
                List<String> problems = lines.stream().filter(l -> l.contains(" WARN ") || l.contains(" ERROR ")).toList();
                out.append("warnings and errors (last 40 of ").append(problems.size()).append("):\n");
                problems.subList(Math.max(0, problems.size() - 40), problems.size()).forEach(l -> out.append("  ").append(l).append('\n'));
                out.append("log tail:\n").append(member.node.logTail(60)).append('\n');
            } catch (IOException e) {
                out.append("(no log: ").append(e).append(")\n");
            }
        }
        return out.toString();
    }

    /** Kills every node still running (they hold nothing worth a clean stop). */
    @Override
    public void close() {
        List<ProcessHandle> running = new ArrayList<>();
        for (Member member : members.values()) {
            nodeProcess(member.node.data).ifPresent(running::add);
        }
        running.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle process : running) {
            try {
                process.onExit().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("node process " + process.pid() + " did not end after kill -9", e);
            }
        }
    }

    /** Deletes the whole network directory: for a run that passed (a failed one keeps its logs). */
    void delete() throws IOException {
        deleteTree(root);
    }

    /** A killed test run leaves its nodes running: kill those of this directory (only ours) and remove it. */
    private static void removeLeftovers(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> pidFiles = Files.find(root, 4, (p, a) -> p.endsWith(Path.of("run", "tesseras.pid")))) {
            for (Path pidFile : pidFiles.toList()) {
                nodeProcess(pidFile.getParent().getParent()).ifPresent(p -> {
                    p.destroyForcibly();
                    p.onExit().join();
                });
            }
        }
        deleteTree(root);
    }

    /**
     * The live node process of a data directory: its pid file's pid, if that process is a node of
     * this very directory (a stale pid file may name a pid since reused by another process).
     */
    static java.util.Optional<ProcessHandle> nodeProcess(Path data) {
        try {
            String marker = "-Dtesseras.data=" + data.toRealPath();
            long pid = Long.parseLong(Files.readString(data.resolve("run/tesseras.pid")).trim());
            return ProcessHandle.of(pid).filter(p -> p.info().arguments().map(List::of).map(args -> args.contains(marker)).orElse(false));
        } catch (IOException | NumberFormatException none) {
            return java.util.Optional.empty();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    /** How long ago the given instant was, for progress lines. */
    static String since(Instant start) {
        return Duration.between(start, Instant.now()).toSeconds() + " s";
    }
}
