package net.tesseras.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.core.ContentHash;
import net.tesseras.identity.NodeId;
import net.tesseras.identity.internal.KeyPairIdentity;
import net.tesseras.replication.LedgerEntry;
import net.tesseras.replication.Peer;
import net.tesseras.replication.PeerLookup;
import net.tesseras.replication.internal.ReplicationMetrics;
import net.tesseras.replication.internal.ledger.Ledger;
import net.tesseras.replication.internal.placement.AcceptedPlans;
import net.tesseras.replication.internal.placement.PeerPublisher;
import net.tesseras.replication.internal.placement.PlacementRules;
import net.tesseras.replication.internal.placement.PlanOfferHandler;
import net.tesseras.replication.internal.placement.ReceiveGuard;
import net.tesseras.replication.internal.placement.Spread;
import net.tesseras.replication.internal.placement.SqlitePlacementBook;
import net.tesseras.replication.internal.wire.MessageTypes;
import net.tesseras.storage.internal.db.DatabaseConfig;
import net.tesseras.storage.internal.db.SqliteDatabase;
import net.tesseras.storage.internal.fs.FsFragmentStore;
import net.tesseras.tessera.FragmentPlan;
import net.tesseras.tessera.SignedFragmentPlan;
import net.tesseras.tessera.TesseraProgress;
import net.tesseras.testkit.TestIdentity;
import net.tesseras.transport.quic.internal.QuicPeerClient;
import net.tesseras.transport.quic.internal.QuicTransport;
import net.tesseras.transport.quic.internal.TransportMetrics;
import net.tesseras.transport.quic.internal.TransportSettings;
import net.tesseras.transport.quic.internal.TransportSettings.WritePolicy;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Publishing a 64 MiB tessera (16 + 8 fragments of 4 MiB, 96 MiB in all) to 7 QUIC transports on
 * loopback, each its own node (identity, SQLite database, fs store) in this JVM:
 * {@code publish} runs {@link PeerPublisher#place} (plan offers, the receive guard on every peer
 * under {@code write.policy = replication}, the placement book, one batch writer per peer, 4 PUTs
 * per peer and 32 in all), against {@code rawPut}, which PUTs the same fragments, read from the same
 * local store, to the same peers with {@link QuicPeerClient#put}, all 24 at once, to peers under
 * {@code write.policy = any} (no offer, no guard, no book). The goal: publish at 0.8x raw
 * or better. Each operation stores the 24 fragments anew (the peers' copies are deleted between
 * operations).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 4, time = 8)
@Fork(value = 1, jvmArgs = {"-Xmx2g"})
public class PlacementBenchmark {

    static final int PEERS = 7;
    static final long PAYLOAD = 64L << 20;

    /** The publishing node, its tessera in its local store, and 7 peers. */
    public abstract static class Network {
        Path dir;
        final List<AutoCloseable> closing = new ArrayList<>();
        final List<PeerNode> peers = new ArrayList<>();
        SqliteDatabase localDb;
        FsFragmentStore local;
        QuicTransport localTransport;
        QuicPeerClient client;
        SignedFragmentPlan signed;

        /** One peer node. */
        static final class PeerNode {
            KeyPairIdentity identity;
            SqliteDatabase db;
            FsFragmentStore store;
            QuicTransport transport;
            Peer peer;
        }

        abstract WritePolicy policy();

        /** Registers what a peer needs beyond the transport (the replication side). */
        void serve(PeerNode node) {
        }

        @Setup(Level.Trial)
        public void start() throws Exception {
            dir = Files.createTempDirectory("placement-bench");
            for (int i = 0; i < PEERS; i++) {
                // Each peer on its own loopback /24 (Linux routes all of 127/8 to lo): the placement rules
                // put at most 2 peers of one /24 among a tessera's holders, so 7 peers on 127.0.0.1 would get 2.
                TransportSettings peerSettings = TransportSettings.builder().writePolicy(policy(), Set.of())
                        .listen(new java.net.InetSocketAddress("127.0." + (i + 1) + ".1", 0)).build();
                PeerNode node = new PeerNode();
                node.identity = KeyPairIdentity.generate();
                node.db = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("peer" + i + "/db/tesseras.db")));
                node.store = FsFragmentStore.open("fs", dir.resolve("peer" + i + "/fragments"), node.db, 0, false);
                FsFragmentStore store = node.store;
                node.transport = new QuicTransport(node.identity, () -> store, peerSettings, TransportMetrics.NONE).start();
                node.peer = new Peer(node.identity.nodeId(), node.identity.publicKey(), node.identity.nonce(),
                        List.of(node.transport.localAddress()), List.of("put"), false, Instant.EPOCH, Instant.EPOCH, 0);
                serve(node);
                closing.add(node.transport);
                closing.add(node.store::close);
                closing.add(node.db);
                peers.add(node);
            }
            localDb = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("local/db/tesseras.db")));
            local = FsFragmentStore.open("fs", dir.resolve("local/fragments"), localDb, 0, false);
            FsFragmentStore localStore = local;
            localTransport = new QuicTransport(KeyPairIdentity.generate(), () -> localStore, TransportSettings.defaults(),
                    TransportMetrics.NONE).start();
            client = new QuicPeerClient(localTransport);
            closing.add(client);
            closing.add(localTransport);
            closing.add(local::close);
            closing.add(localDb);
            signed = storeTessera(local);
            ready();
        }

        /** After the network started (one setup method, so that the order is certain). */
        void ready() {
        }

        /** A 64 MiB plan's 24 fragments of random bytes, in the local store; the plan signed by a test creator. */
        private static SignedFragmentPlan storeTessera(FsFragmentStore store) {
            TestIdentity creator = new TestIdentity();
            Random random = new Random(64);
            byte[] hash = new byte[32];
            random.nextBytes(hash);
            ContentHash tessera = ContentHash.of(hash);
            List<byte[]> fragments = new ArrayList<>();
            List<ContentHash> checksums = new ArrayList<>();
            int shard = (int) net.tesseras.tessera.Tier.forPayload(PAYLOAD).shardSize(PAYLOAD);
            int total = net.tesseras.tessera.Tier.forPayload(PAYLOAD).totalShards();
            for (int i = 0; i < total; i++) {
                byte[] bytes = new byte[shard];
                random.nextBytes(bytes);
                fragments.add(bytes);
                checksums.add(Blake3Hashing.hash(bytes));
            }
            FragmentPlan probe = FragmentPlan.of(tessera, PAYLOAD, checksums, creator.publicKey());
            for (int i = 0; i < total; i++) {
                store.store(probe.fragmentId(i), ByteBuffer.wrap(fragments.get(i)));
            }
            return SignedFragmentPlan.sign(probe, creator::sign);
        }

        /** The peers' copies of the tessera, deleted so that every operation stores them anew. */
        void deletePlaced() {
            ContentHash tessera = signed.plan().tessera();
            for (PeerNode node : peers) {
                for (int i = 0; i < signed.plan().totalShards(); i++) {
                    node.store.delete(tessera, i);
                }
            }
        }

        @TearDown(Level.Trial)
        public void stop() throws Exception {
            for (AutoCloseable c : closing) {
                c.close();
            }
            try (var paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                    try {
                        Files.delete(p);
                    } catch (IOException e) {
                        // a leftover temporary file; the OS cleans the temp directory
                    }
                });
            }
        }
    }

    /** Peers under write.policy = replication, with the offer handler and the receive guard; the publisher. */
    @State(Scope.Benchmark)
    public static class Publishing extends Network {
        ExecutorService executor;
        SqliteDatabase bookDb;
        SqlitePlacementBook book;
        PeerPublisher publisher;

        @Override
        WritePolicy policy() {
            return WritePolicy.REPLICATION;
        }

        @Override
        void serve(PeerNode node) {
            AcceptedPlans accepted = new AcceptedPlans(node.db);
            Ledger ledger = new OpenLedger();
            node.transport.addHandler(MessageTypes.PLAN_OFFER, new PlanOfferHandler(accepted, ledger, () -> Long.MAX_VALUE,
                    PlanOfferHandler.DEFAULT_MAX_TESSERA_BYTES, ReplicationMetrics.NONE, Clock.systemUTC()));
            node.transport.writeGuard(new ReceiveGuard(accepted, ledger, PlanOfferHandler.DEFAULT_MAX_TESSERA_BYTES,
                    ReplicationMetrics.NONE));
        }

        @Override
        void ready() {
            executor = Executors.newFixedThreadPool(32);
            bookDb = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("local/db/book.db")));
            closing.add(0, bookDb);
            book = new SqlitePlacementBook(bookDb);
            List<Peer> all = peers.stream().map(n -> n.peer).toList();
            publisher = new PeerPublisher(new ListLookup(all), client, () -> local, t -> Optional.of(signed), book,
                    new OpenLedger(), new PlacementRules(), new Spread(Spread.DEFAULT_REPLICATION_FACTOR),
                    PeerPublisher.Settings.DEFAULT, ReplicationMetrics.NONE, Clock.systemUTC(), executor, new Random());
        }

        @Setup(Level.Invocation)
        public void fresh() {
            deletePlaced();
            book.forget(signed.plan().tessera());
        }

        @TearDown(Level.Trial)
        public void stopExecutor() {
            executor.shutdownNow();
        }
    }

    /** Peers under write.policy = any: plain transport PUTs. */
    @State(Scope.Benchmark)
    public static class Raw extends Network {
        Map<Peer, List<Integer>> assignment;

        @Override
        WritePolicy policy() {
            return WritePolicy.ANY;
        }

        @Override
        void ready() {
            // The spread the publisher uses, over the same peers.
            List<Peer> all = PlacementRules.byDistance(peers.stream().map(n -> n.peer).toList(),
                    PlacementRules.target(signed.plan().tessera()));
            assignment = new Spread(Spread.DEFAULT_REPLICATION_FACTOR).fragments(all,
                    IntStream.range(0, signed.plan().totalShards()).boxed().toList(), Map.of());
        }

        @Setup(Level.Invocation)
        public void fresh() {
            deletePlaced();
        }
    }

    /**
     * The tessera already spread over the 7 peers (as publish leaves it): {@code restoreFetch} fetches
     * its 16 data fragments (64 MiB) from them as a restore does, 4 at a time, each streamed to a
     * file and verified against its checksum ({@link QuicPeerClient#fetch}).
     */
    @State(Scope.Benchmark)
    public static class Restoring extends Network {
        Map<Peer, List<Integer>> assignment;
        Map<Integer, Peer> holderOf;
        Path into;

        @Override
        WritePolicy policy() {
            return WritePolicy.ANY;
        }

        @Override
        void ready() {
            List<Peer> all = PlacementRules.byDistance(peers.stream().map(n -> n.peer).toList(),
                    PlacementRules.target(signed.plan().tessera()));
            assignment = new Spread(Spread.DEFAULT_REPLICATION_FACTOR).fragments(all,
                    IntStream.range(0, signed.plan().totalShards()).boxed().toList(), Map.of());
            holderOf = new java.util.TreeMap<>();
            FragmentPlan plan = signed.plan();
            List<CompletableFuture<Void>> puts = new ArrayList<>();
            assignment.forEach((peer, indices) -> {
                for (int index : indices) {
                    holderOf.put(index, peer);
                    puts.add(client.put(peer.address(), plan.fragmentId(index), local.read(plan.tessera(), index).orElseThrow())
                            .toCompletableFuture());
                }
            });
            CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).join();
            into = dir.resolve("restore");
        }

        @Setup(Level.Invocation)
        public void clean() {
            // The peers keep their copies; only the restored files go.
            try (var files = Files.list(into)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            } catch (java.nio.file.NoSuchFileException e) {
                // first invocation
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @Benchmark
    public Object restoreFetch(Restoring state) throws Exception {
        Files.createDirectories(state.into);
        FragmentPlan plan = state.signed.plan();
        java.util.concurrent.Semaphore parallel = new java.util.concurrent.Semaphore(4);
        List<CompletableFuture<?>> fetches = new ArrayList<>();
        for (int index = 0; index < plan.dataShards(); index++) {
            parallel.acquire();
            Peer holder = state.holderOf.get(index);
            fetches.add(state.client.fetch(holder.address(), plan.tessera(), index, state.into.resolve(index + ".shard"))
                    .toCompletableFuture().whenComplete((info, failure) -> parallel.release()));
        }
        CompletableFuture.allOf(fetches.toArray(CompletableFuture[]::new)).join();
        return fetches;
    }

    @Benchmark
    public Object publish(Publishing state) {
        var result = state.publisher.place(state.signed, IntStream.range(0, 24).boxed().collect(Collectors.toSet()), Set.of(),
                TesseraProgress.NONE);
        if (result.placed() != state.signed.plan().totalShards()) {
            throw new IllegalStateException("placed " + result.placed() + ": " + result.notes());
        }
        long holders = state.book.of(state.signed.plan().tessera()).stream().map(p -> p.peer()).distinct().count();
        if (holders != PEERS) {
            throw new IllegalStateException("the fragments went to " + holders + " peers, not " + PEERS);
        }
        return result;
    }

    @Benchmark
    public Object rawPut(Raw state) {
        List<CompletableFuture<Void>> puts = new ArrayList<>();
        FragmentPlan plan = state.signed.plan();
        state.assignment.forEach((peer, indices) -> {
            for (int index : indices) {
                ByteBuffer data = state.local.read(plan.tessera(), index).orElseThrow();
                puts.add(state.client.put(peer.address(), plan.fragmentId(index), data).toCompletableFuture());
            }
        });
        CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).join();
        return puts;
    }

    /** A ledger that refuses nobody: the benchmark measures transfers, not reciprocity. */
    static final class OpenLedger implements Ledger {
        @Override
        public LedgerEntry entry(NodeId peer) {
            return new LedgerEntry(peer, 0, 0, false, Instant.EPOCH);
        }

        @Override
        public List<LedgerEntry> entries() {
            return List.of();
        }

        @Override
        public boolean institutional(NodeId peer) {
            return false;
        }

        @Override
        public void checkCredit(NodeId peer, long additionalBytes) {
        }

        @Override
        public void storedForPeer(NodeId peer, long bytes) {
        }

        @Override
        public void peerStoresForUs(NodeId peer, long bytes) {
        }
    }

    /** A fixed list of peers. */
    static final class ListLookup implements PeerLookup {
        private final List<Peer> peers;

        ListLookup(List<Peer> peers) {
            this.peers = peers;
        }

        @Override
        public List<Peer> closest(byte[] target, int count) {
            List<Peer> ordered = PlacementRules.byDistance(peers, target);
            return ordered.subList(0, Math.min(count, ordered.size()));
        }

        @Override
        public Optional<Peer> find(NodeId nodeId) {
            return peers.stream().filter(p -> p.nodeId().equals(nodeId)).findFirst();
        }

        @Override
        public List<Peer> peers() {
            return peers;
        }

        @Override
        public void contacted(NodeId peer, boolean answered) {
        }
    }
}
