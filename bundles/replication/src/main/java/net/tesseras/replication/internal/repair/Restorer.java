package net.tesseras.replication.internal.repair;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import net.tesseras.core.ContentHash;
import net.tesseras.identity.NodeId;
import net.tesseras.replication.Peer;
import net.tesseras.replication.PeerLookup;
import net.tesseras.replication.ReplicationException;
import net.tesseras.replication.RestoreResult;
import net.tesseras.replication.internal.ReplicationMetrics;
import net.tesseras.replication.internal.placement.PlacementRules;
import net.tesseras.replication.internal.wire.MessageTypes;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.FragmentStore;
import net.tesseras.tessera.ExportResult;
import net.tesseras.tessera.FragmentPlan;
import net.tesseras.tessera.SignedFragmentPlan;
import net.tesseras.tessera.TesseraException;
import net.tesseras.tessera.TesseraFormatException;
import net.tesseras.tessera.TesseraProgress;
import net.tesseras.tessera.TesseraService;
import net.tesseras.tessera.Tier;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerClient;
import net.tesseras.transport.PeerException;
import net.tesseras.transport.PeerMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restores a tessera from the network onto a node that holds nothing of it: asks the closest peers
 * for its signed plan (GET_PLAN), lists their fragments, fetches any {@code dataShards} distinct
 * good fragments in parallel (data fragments first: no decoding then), adopts the tessera (plan and
 * manifest signatures, every file's hash) and exports its files. Every distinct plan that verifies
 * is tried in turn, the one most peers serve first, since a peer can sign a plan of its own for any
 * hash; fragments fetched for a refused plan are removed, and fragments this node already held are
 * never replaced. docs/REPLICATION.md.
 */
public final class Restorer {

    private static final Logger LOG = LoggerFactory.getLogger(Restorer.class);

    /**
     * @param peersAsked peers closest to the hash asked for the plan and their fragments
     * @param parallelFetches fragments fetched at the same time
     */
    public record Settings(int peersAsked, int parallelFetches) {
        public Settings {
            if (peersAsked < 1 || parallelFetches < 1) {
                throw new IllegalArgumentException("restore settings out of range: peers asked " + peersAsked
                        + ", parallel fetches " + parallelFetches + " (both at least 1)");
            }
        }

        public static final Settings DEFAULT = new Settings(20, 4);
    }

    private final PeerLookup peers;
    private final PeerClient client;
    private final FragmentStore store;
    private final TesseraService tesseras;
    private final ReplicationMetrics metrics;
    private final Executor executor;
    private final Settings settings;
    private final FragmentFetcher fetcher;
    private final long maxPayload;

    public Restorer(PeerLookup peers, PeerClient client, FragmentStore store, TesseraService tesseras,
            ReplicationMetrics metrics, Executor executor, Settings settings, Path workDirectory) {
        this(peers, client, store, tesseras, metrics, executor, settings, workDirectory, Tier.MAX_PAYLOAD);
    }

    /** @param maxPayload the largest payload a plan may claim: a plan claiming more is refused before any fetch */
    Restorer(PeerLookup peers, PeerClient client, FragmentStore store, TesseraService tesseras,
            ReplicationMetrics metrics, Executor executor, Settings settings, Path workDirectory, long maxPayload) {
        if (maxPayload < 1) {
            throw new IllegalArgumentException("the largest payload restored is at least 1 byte, not " + maxPayload);
        }
        this.maxPayload = maxPayload;
        this.peers = Objects.requireNonNull(peers, "peers");
        this.client = Objects.requireNonNull(client, "client");
        this.store = Objects.requireNonNull(store, "store");
        this.tesseras = Objects.requireNonNull(tesseras, "tesseras");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.fetcher = new FragmentFetcher(client, store, workDirectory);
    }

    /**
     * @throws ReplicationException when no peer is known, none has a plan that verifies, or no plan
     *         offered can be restored: fewer than {@code dataShards} fragments can be had, or a check
     *         of the rebuilt tessera fails
     */
    public RestoreResult restore(ContentHash hash, Path destination, TesseraProgress progress) {
        TesseraProgress report = progress == null ? TesseraProgress.NONE : progress;
        requireUsable(destination);
        List<Peer> candidates = peers.closest(PlacementRules.target(hash), settings.peersAsked()).stream()
                .filter(p -> !p.addresses().isEmpty()).toList();
        if (candidates.isEmpty()) {
            throw new ReplicationException("no peer is known to ask for tessera " + hash
                    + ": add bootstrap peers in etc/net.tesseras.replication.cfg (tesseras:peers lists those known)");
        }
        report.phase("plan", candidates.size());
        // Any peer can sign a plan of its own for any hash: only adopting (the manifest signed by the
        // plan's creator, every file's hash) proves a plan right, so each one offered gets its turn.
        List<Offer> offers = plans(hash, candidates, report);
        List<String> refused = new ArrayList<>();
        for (Offer offer : offers) {
            if (Thread.currentThread().isInterrupted()) {
                throw new ReplicationException("the restore of tessera " + hash + " was stopped");
            }
            Set<Integer> stored = Collections.synchronizedSet(new TreeSet<>());
            try {
                return restoreWith(offer.plan(), candidates, destination, stored, report);
            } catch (PlanRefused e) {
                removeFetched(hash, stored);
                refused.add(offers.size() == 1 ? e.getMessage() : "the plan signed by " + creator(offer.plan()) + " (served by "
                        + offer.servedBy() + " peers): " + e.getMessage());
                if (offers.size() > 1) {
                    LOG.warn("A plan of tessera {} offered by {} peers was refused: {}; trying the next", hash,
                            offer.servedBy(), e.getMessage());
                }
            }
        }
        throw new ReplicationException(offers.size() == 1 ? refused.get(0) : "none of the " + offers.size()
                + " plans of tessera " + hash + " offered by peers could be restored (" + String.join("; ", refused)
                + "); try again later, or add peers that hold it");
    }

    /** A plan that could not be restored from: the next one offered gets its turn. */
    private static final class PlanRefused extends Exception {
        private static final long serialVersionUID = 1L;

        PlanRefused(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }

    /** Fetches what {@code signed} needs, recording each index stored in {@code stored}, adopts and exports. */
    private RestoreResult restoreWith(SignedFragmentPlan signed, List<Peer> candidates, Path destination, Set<Integer> stored,
            TesseraProgress report) throws PlanRefused {
        FragmentPlan plan = signed.plan();
        ContentHash hash = plan.tessera();
        if (plan.payloadLength() > maxPayload) {
            throw new PlanRefused("the plan claims a payload of " + plan.payloadLength() + " bytes, more than the "
                    + maxPayload + " this node restores; nothing was fetched", null);
        }
        int fetched = 0;
        long bytes = 0;
        List<NodeId> from = List.of();
        if (tesseras.find(hash).isEmpty()) {
            report.phase("list", candidates.size());
            Map<Integer, List<Peer>> holders = holders(plan, candidates, report);
            Set<Integer> held = heldGood(plan);
            // An index this node holds under another checksum is kept as it is: another plan may be the right one.
            Set<Integer> kept = heldOther(plan);
            holders.keySet().removeAll(kept);
            Set<Integer> reachable = new LinkedHashSet<>(holders.keySet());
            reachable.addAll(held);
            if (reachable.size() < plan.dataShards()) {
                throw new PlanRefused("only " + reachable.size() + " distinct fragments of tessera " + hash
                        + " are reachable (" + held.size() + " here, the rest on " + holders.values().stream()
                                .flatMap(List::stream).map(Peer::nodeId).distinct().count() + " of the "
                        + candidates.size() + " peers asked" + (kept.isEmpty() ? "" : "; fragments " + kept
                                + " are held here with other bytes and left alone")
                        + "), " + plan.dataShards() + " are needed to rebuild it;"
                        + " try again when more holders are online, or add peers", null);
            }
            Fetched done = fetch(plan, holders, plan.dataShards() - held.size(), stored, report);
            fetched = done.count();
            bytes = done.bytes();
            from = done.peers();
            metrics.fetched(fetched, bytes);
            if (held.size() + fetched < plan.dataShards()) {
                throw new PlanRefused("could fetch only " + fetched + " of the " + (plan.dataShards() - held.size())
                        + " fragments of tessera " + hash + " needed (" + String.join("; ", done.failures())
                        + "); try again later", null);
            }
        }
        try {
            tesseras.adopt(signed, report);
        } catch (TesseraException e) {
            throw new PlanRefused("tessera " + hash + " was fetched but a check failed: " + e.getMessage(), e);
        }
        try {
            ExportResult exported = tesseras.export(hash, destination, report);
            LOG.info("Restored tessera {} into {}: {} fragments ({} bytes) fetched from {} peers", hash, destination,
                    fetched, bytes, from.size());
            return new RestoreResult(fetched, bytes, from, exported);
        } catch (TesseraException e) {
            throw new ReplicationException("tessera " + hash + " was restored but exporting it into " + destination
                    + " failed: " + e.getMessage(), e);
        }
    }

    /** Removes the fragments this restore stored for a refused plan; what the store held before stays. */
    private void removeFetched(ContentHash hash, Set<Integer> stored) {
        synchronized (stored) {
            for (int index : stored) {
                try {
                    store.delete(hash, index);
                } catch (RuntimeException e) {
                    LOG.warn("Could not remove fragment {} of tessera {} fetched for a refused plan: {}", index, hash,
                            e.getMessage());
                }
            }
        }
    }

    private static String creator(SignedFragmentPlan plan) {
        return HexFormat.of().formatHex(plan.plan().creatorKey());
    }

    private static void requireUsable(Path destination) {
        if (Files.exists(destination)) {
            boolean empty;
            try (var entries = Files.list(destination)) {
                empty = entries.findAny().isEmpty();
            } catch (IOException e) {
                empty = false;
            }
            if (!empty) {
                throw new ReplicationException(destination + " exists and is not an empty directory; restore never"
                        + " overwrites: name a new directory");
            }
        }
    }

    /** A plan offered for the hash, and by how many of the peers asked. */
    private record Offer(SignedFragmentPlan plan, int servedBy) {
    }

    /**
     * Every distinct plan whose signature verifies and that names this tessera, from all the peers
     * asked: the one most peers serve first, the closest peer's first among equals.
     */
    private List<Offer> plans(ContentHash hash, List<Peer> candidates, TesseraProgress progress) {
        List<CompletableFuture<PeerMessage>> answers = candidates.stream()
                .map(p -> client.request(p.address(), GetPlanHandler.request(hash)).toCompletableFuture()).toList();
        List<String> refusals = new ArrayList<>();
        // Keyed by the plan's bytes (plan and signature): the same plan from several peers counts once.
        Map<ByteBuffer, SignedFragmentPlan> plans = new LinkedHashMap<>();
        Map<ByteBuffer, Integer> servedBy = new HashMap<>();
        for (int i = 0; i < candidates.size(); i++) {
            Peer peer = candidates.get(i);
            String who = "peer " + peer.nodeId().toHex();
            try {
                PeerMessage answer = answers.get(i).join();
                peers.contacted(peer.nodeId(), true);
                progress.advanced(1);
                if (answer.type() != MessageTypes.PLAN) {
                    refusals.add(who + " answered message type " + answer.type() + " instead of PLAN");
                    continue;
                }
                ByteBuffer payload = answer.payload().duplicate();
                byte[] bytes = new byte[payload.remaining()];
                payload.get(bytes);
                SignedFragmentPlan plan = SignedFragmentPlan.parse(bytes);
                if (!plan.plan().tessera().equals(hash)) {
                    refusals.add(who + " sent the plan of another tessera, " + plan.plan().tessera());
                } else if (!plan.verifies()) {
                    refusals.add(who + " sent a plan whose signature does not verify");
                } else {
                    ByteBuffer key = ByteBuffer.wrap(plan.toBytes());
                    plans.putIfAbsent(key, plan);
                    servedBy.merge(key, 1, Integer::sum);
                }
            } catch (CompletionException e) {
                Throwable cause = e.getCause();
                // An ERROR is an answer; a timeout, a lost connection or a bad certificate is not.
                boolean answered = cause instanceof PeerException p && p.code() != ErrorCode.TIMEOUT
                        && p.code() != ErrorCode.CONNECTION && p.code() != ErrorCode.UNAUTHENTICATED;
                peers.contacted(peer.nodeId(), answered);
                refusals.add(who + ": " + (cause instanceof PeerException p ? p.code() + " " + p.getMessage() : cause));
            } catch (TesseraFormatException e) {
                refusals.add(who + " sent a plan that does not parse: " + e.getMessage());
            }
        }
        if (plans.isEmpty()) {
            throw new ReplicationException("none of the " + candidates.size() + " peers asked has a valid plan of tessera "
                    + hash + " (" + String.join("; ", refusals) + "); check the hash, or add peers that hold it");
        }
        List<Offer> offers = new ArrayList<>();
        plans.forEach((key, plan) -> offers.add(new Offer(plan, servedBy.get(key))));
        offers.sort(Comparator.comparingInt(Offer::servedBy).reversed()); // stable: closest first among equals
        return offers;
    }

    /** Who lists which fragment with the plan's checksum and size, asked in parallel; closest first. */
    private Map<Integer, List<Peer>> holders(FragmentPlan plan, List<Peer> candidates, TesseraProgress progress) {
        List<CompletableFuture<List<FragmentInfo>>> lists = candidates.stream()
                .map(p -> client.list(p.address(), plan.tessera()).toCompletableFuture()).toList();
        Map<Integer, List<Peer>> holders = new TreeMap<>();
        for (int i = 0; i < candidates.size(); i++) {
            try {
                for (FragmentInfo info : lists.get(i).join()) {
                    int index = info.id().index();
                    if (index < plan.totalShards() && info.id().checksum().equals(plan.checksums().get(index))
                            && info.size() == plan.shardSize()) {
                        holders.computeIfAbsent(index, k -> new ArrayList<>()).add(candidates.get(i));
                    }
                }
            } catch (CompletionException e) {
                LOG.debug("Peer {} did not list tessera {}: {}", candidates.get(i).nodeId(), plan.tessera(), e.getCause().toString());
            }
            progress.advanced(1);
        }
        return holders;
    }

    /** Indices this node holds under another checksum than the plan's. */
    private Set<Integer> heldOther(FragmentPlan plan) {
        Set<Integer> other = new TreeSet<>();
        for (FragmentInfo info : store.fragments(plan.tessera())) {
            int index = info.id().index();
            if (index >= plan.totalShards() || !info.id().checksum().equals(plan.checksums().get(index))) {
                other.add(index);
            }
        }
        return other;
    }

    private Set<Integer> heldGood(FragmentPlan plan) {
        Set<Integer> good = new LinkedHashSet<>();
        for (FragmentInfo info : store.fragments(plan.tessera())) {
            int index = info.id().index();
            if (index < plan.totalShards() && info.id().checksum().equals(plan.checksums().get(index))) {
                good.add(index);
            }
        }
        return good;
    }

    private record Fetched(int count, long bytes, List<NodeId> peers, List<String> failures) {
    }

    /**
     * Fetches {@code needed} distinct fragments with at most {@code parallelFetches} at once, adding
     * the index of each one stored to {@code stored}. Each
     * worker takes the next index (data before parity) and tries its holders in turn; an index none
     * of them can give is replaced by the next one.
     */
    private Fetched fetch(FragmentPlan plan, Map<Integer, List<Peer>> holders, int needed, Set<Integer> stored,
            TesseraProgress progress) {
        if (needed <= 0) {
            return new Fetched(0, 0, List.of(), List.of());
        }
        Set<Integer> held = heldGood(plan);
        Deque<Integer> queue = new ArrayDeque<>();
        holders.keySet().stream().filter(i -> !held.contains(i)).sorted().forEach(queue::add); // data indices are lowest
        progress.phase("fetch", needed * plan.shardSize());
        Object lock = new Object();
        int[] claimed = {0};
        int[] done = {0};
        AtomicLong bytes = new AtomicLong();
        Set<NodeId> from = Collections.synchronizedSet(new LinkedHashSet<>());
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        Runnable worker = () -> {
            while (true) {
                int index;
                synchronized (lock) {
                    // A slot is claimed for each fragment still needed, so parallel workers never over-fetch.
                    if (done[0] + claimed[0] >= needed || queue.isEmpty()) {
                        return;
                    }
                    index = queue.poll();
                    claimed[0]++;
                }
                boolean ok = false;
                for (Peer peer : holders.get(index)) {
                    if (Thread.currentThread().isInterrupted()) {
                        break;
                    }
                    try {
                        long size = fetcher.fetch(peer.address(), plan, index);
                        stored.add(index);
                        bytes.addAndGet(size);
                        from.add(peer.nodeId());
                        progress.advanced(size);
                        ok = true;
                        break;
                    } catch (FragmentFetcher.FetchFailed e) {
                        failures.add(e.getMessage());
                        LOG.info("{}; trying another holder or fragment", e.getMessage());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
                synchronized (lock) {
                    claimed[0]--;
                    if (ok) {
                        done[0]++;
                    }
                }
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
            }
        };
        int workers = Math.min(settings.parallelFetches(), needed);
        List<CompletableFuture<Void>> running = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            running.add(CompletableFuture.runAsync(worker, executor));
        }
        try {
            CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            throw new ReplicationException("fetching fragments of tessera " + plan.tessera() + " failed: "
                    + e.getCause().getMessage(), e.getCause());
        }
        List<String> reasons = new ArrayList<>(failures);
        if (done[0] < needed && queue.isEmpty()) {
            reasons.add("no other holder or fragment was left to try");
        }
        return new Fetched(done[0], bytes.get(), List.copyOf(from), reasons);
    }
}
