package net.tesseras.replication.internal.placement;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import net.tesseras.common.internal.BatchWriter;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.identity.NodeId;
import net.tesseras.replication.Peer;
import net.tesseras.replication.PeerLookup;
import net.tesseras.replication.TesseraStatus.Proof;
import net.tesseras.replication.internal.PlanSource;
import net.tesseras.replication.internal.ReplicationMetrics;
import net.tesseras.replication.internal.ledger.Ledger;
import net.tesseras.replication.internal.placement.PlacementBook.Placement;
import net.tesseras.replication.internal.placement.PlacementBook.State;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.FragmentStoreException;
import net.tesseras.tessera.FragmentPlan;
import net.tesseras.tessera.SignedFragmentPlan;
import net.tesseras.tessera.TesseraProgress;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerClient;
import net.tesseras.transport.PeerException;
import net.tesseras.transport.PeerMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Places fragments on peers (docs/REPLICATION.md): chooses holders with
 * {@link PlacementRules} and {@link Spread}, records each placement PENDING in the
 * {@link PlacementBook}, offers each chosen peer its part of the signed plan (PLAN_OFFER), gives
 * the fragments a refusing peer was offered to further candidates (backfill), and sends the
 * accepted fragments from the local store with {@link PeerClient#put} through one
 * {@link BatchWriter} per peer (bounded concurrency per peer, a global semaphore for all).
 * An acknowledged PUT is ACKED in the book and credited to the peer in the ledger; a failed one
 * is retried later with exponential backoff and jitter ({@link #resumeDue}) and becomes LOST
 * after {@link Settings#maxAttempts} tries, for repair to place elsewhere. A peer's refusal (an
 * ERROR other than a passing condition) makes its placements LOST at once.
 */
public final class PeerPublisher implements Publisher {

    private static final Logger LOG = LoggerFactory.getLogger(PeerPublisher.class);

    /** Errors that say nothing about the peer's will: the request is retried later. */
    private static final Set<ErrorCode> TRANSIENT = EnumSet.of(ErrorCode.TIMEOUT, ErrorCode.CONNECTION, ErrorCode.OVERLOADED,
            ErrorCode.UNAVAILABLE, ErrorCode.INTERNAL,
            // A node whose replication bundle is stopped serves no PLAN_OFFER for now: ask again later.
            ErrorCode.UNKNOWN_TYPE);
    /** Errors raised here without any answer from the peer. */
    private static final Set<ErrorCode> UNANSWERED = EnumSet.of(ErrorCode.TIMEOUT, ErrorCode.CONNECTION, ErrorCode.UNAUTHENTICATED);

    /**
     * How transfers run.
     *
     * @param perPeer PUTs to one peer at once (batches of one fragment of its BatchWriter)
     * @param total PUTs to all peers at once
     * @param maxAttempts tries of a placement before it is LOST
     * @param firstRetry the wait after the first failure; doubled after each next one
     * @param maxRetry the longest wait between tries
     * @param lease how long a placement being worked on is not due for {@link #resumeDue} (covers a crash mid-transfer)
     * @param batchBytes fragments up to this size are read into memory by the writer and sent in its batches; larger ones are sent alone
     */
    public record Settings(int perPeer, int total, int maxAttempts, Duration firstRetry, Duration maxRetry, Duration lease,
            long batchBytes) {

        /**
         * 4 PUTs per peer (the original's max_concurrent_transfers), 32 in all, 8 tries from 30 s to 6 h
         * apart, 10 minutes' lease, 16 MiB batches.
         */
        public static final Settings DEFAULT = new Settings(4, 32, 8, Duration.ofSeconds(30), Duration.ofHours(6),
                Duration.ofMinutes(10), 16L << 20);

        public Settings {
            if (perPeer < 1 || total < 1 || maxAttempts < 1 || batchBytes < 1) {
                throw new IllegalArgumentException("transfer limits must be at least 1: " + perPeer + " per peer, " + total
                        + " in all, " + maxAttempts + " attempts, " + batchBytes + " batch bytes");
            }
            for (Duration d : List.of(firstRetry, maxRetry, lease)) {
                if (d.isNegative()) {
                    throw new IllegalArgumentException("retry and lease durations must not be negative: " + d);
                }
            }
        }
    }

    private final PeerLookup lookup;
    private final PeerClient client;
    private final Supplier<FragmentStore> localStore;
    private final PlanSource plans;
    private final PlacementBook book;
    private final Ledger ledger;
    private final PlacementRules rules;
    private final Spread spread;
    private final Settings settings;
    private final ReplicationMetrics metrics;
    private final Clock clock;
    private final Executor executor;
    private final RandomGenerator random;
    private final Semaphore permits;
    // Fragments larger than a batch are read whole into the heap to be sent: at most this many at once.
    private final Semaphore largeInMemory = new Semaphore(LARGE_IN_MEMORY);
    static final int LARGE_IN_MEMORY = 2;
    /** Placements a call is working on: resumeDue leaves them alone. */
    private final Set<Key> inFlight = ConcurrentHashMap.newKeySet();

    /**
     * @param localStore the store the fragments are read from (null while none is available)
     * @param plans the plans of the tesseras this node places, for {@link #resumeDue}
     * @param executor runs the writers' batches; a batch blocks its thread while its PUT is under way
     * @param random the jitter of the backoff
     */
    public PeerPublisher(PeerLookup lookup, PeerClient client, Supplier<FragmentStore> localStore, PlanSource plans,
            PlacementBook book, Ledger ledger, PlacementRules rules, Spread spread, Settings settings, ReplicationMetrics metrics,
            Clock clock, Executor executor, RandomGenerator random) {
        this.lookup = lookup;
        this.client = client;
        this.localStore = localStore;
        this.plans = plans;
        this.book = book;
        this.ledger = ledger;
        this.rules = rules;
        this.spread = spread;
        this.settings = settings;
        this.metrics = metrics;
        this.clock = clock;
        this.executor = executor;
        this.random = random;
        this.permits = new Semaphore(settings.total());
    }

    @Override
    public PlaceResult place(SignedFragmentPlan signed, Set<Integer> indices, Set<NodeId> avoid, TesseraProgress progress) {
        FragmentPlan plan = signed.plan();
        ContentHash tessera = plan.tessera();
        boolean small = plan.totalShards() == 1;
        Tally tally = new Tally();
        Map<NodeId, Set<Integer>> held = holding(book.of(tessera), avoid);
        Set<Integer> covered = new TreeSet<>();
        held.values().forEach(covered::addAll);
        Set<Integer> toPlace = new TreeSet<>();
        if (small) {
            if (held.size() < spread.replicationFactor()) {
                toPlace.add(0);
            }
        } else {
            for (int index : indices) {
                if (index < 0 || index >= plan.totalShards()) {
                    throw new IllegalArgumentException("tessera " + tessera + " has fragments 0.." + (plan.totalShards() - 1)
                            + ", not " + index);
                }
                if (!covered.contains(index)) {
                    toPlace.add(index);
                }
            }
        }
        if (toPlace.isEmpty()) {
            return tally.result();
        }
        List<Peer> kept = new ArrayList<>();
        for (NodeId holder : held.keySet()) {
            lookup.find(holder).ifPresent(kept::add);
        }
        // Fresh holders are chosen among peers that hold nothing of it yet and are not avoided.
        Set<NodeId> used = new HashSet<>(avoid);
        used.addAll(held.keySet());
        Set<NodeId> refusing = new HashSet<>();
        int wanted = spread.holdersWanted(small, toPlace.size(), held.size());
        List<Peer> candidates = lookup.closest(PlacementRules.target(tessera), wanted * 4 + 16);

        Map<Peer, List<Integer>> accepted = new LinkedHashMap<>();
        Set<Integer> open = toPlace;
        while (!open.isEmpty()) {
            List<Peer> fresh = rules.choose(candidates.stream().filter(p -> !used.contains(p.nodeId())).toList(), tessera,
                    spread.holdersWanted(small, open.size(), held.size()), kept);
            Map<Peer, List<Integer>> assignment;
            if (small) {
                assignment = spread.copies(fresh, held.keySet());
            } else {
                List<Peer> holders = new ArrayList<>(fresh);
                kept.stream().filter(p -> !refusing.contains(p.nodeId())).forEach(holders::add);
                assignment = spread.fragments(holders, open, held);
            }
            if (assignment.isEmpty()) {
                tally.note("no further peer can take fragment(s) " + open + " of tessera " + tessera.toShortHex(12)
                        + " (candidates exhausted under the placement rules)");
                break;
            }
            fresh.forEach(p -> used.add(p.nodeId()));
            Set<Integer> refused = new TreeSet<>();
            Map<Peer, List<Integer>> offered = offer(signed, assignment, tally, refused, true);
            offered.forEach((peer, mine) -> {
                accepted.computeIfAbsent(peer, k -> new ArrayList<>()).addAll(mine);
                held.computeIfAbsent(peer.nodeId(), k -> new TreeSet<>()).addAll(mine);
                if (!kept.contains(peer)) {
                    kept.add(peer);
                }
            });
            assignment.keySet().stream().filter(p -> !offered.containsKey(p)).forEach(p -> refusing.add(p.nodeId()));
            // Backfill: what a peer refused goes to further candidates (a small tessera: copies until r peers hold it).
            open = small ? (held.size() < spread.replicationFactor() && !refused.isEmpty() ? Set.of(0) : Set.of()) : refused;
        }
        send(signed, accepted, tally, progress);
        return tally.result();
    }

    /**
     * Retries the placements that are due (PENDING with their next attempt passed), oldest first:
     * the offer again (a peer accepts an offer it accepted before), then the fragments. Called
     * periodically and at start, so a restart or a stopped bundle resumes where it was.
     *
     * @param limit placements taken in this call at most
     */
    // One resume at a time: two would both find the same due placements before either marks them in flight.
    public synchronized PlaceResult resumeDue(int limit) {
        Tally tally = new Tally();
        Map<ContentHash, Map<NodeId, List<Integer>>> due = new TreeMap<>();
        for (Placement p : book.due(clock.instant(), limit)) {
            if (!inFlight.contains(new Key(p.tessera(), p.index(), p.peer()))) {
                due.computeIfAbsent(p.tessera(), k -> new TreeMap<>()).computeIfAbsent(p.peer(), k -> new ArrayList<>()).add(p.index());
            }
        }
        for (Map.Entry<ContentHash, Map<NodeId, List<Integer>>> tessera : due.entrySet()) {
            Optional<SignedFragmentPlan> signed = plans.plan(tessera.getKey());
            if (signed.isEmpty()) {
                tessera.getValue().forEach((peer, indices) -> indices.forEach(i -> book.lost(tessera.getKey(), i, peer,
                        "this node no longer knows the plan of the tessera")));
                continue;
            }
            Map<Peer, List<Integer>> assignment = new LinkedHashMap<>();
            for (Map.Entry<NodeId, List<Integer>> e : tessera.getValue().entrySet()) {
                Optional<Peer> peer = lookup.find(e.getKey());
                if (peer.isEmpty() || peer.get().addresses().isEmpty()) {
                    for (int index : e.getValue()) {
                        retryLater(tessera.getKey(), index, e.getKey(), "peer " + e.getKey().toHex() + " is not known with an address",
                                ErrorCode.CONNECTION, tally);
                    }
                    continue;
                }
                assignment.put(peer.get(), e.getValue());
            }
            Map<Peer, List<Integer>> accepted = offer(signed.get(), assignment, tally, new TreeSet<>(), false);
            send(signed.get(), accepted, tally, TesseraProgress.NONE);
        }
        return tally.result();
    }

    /** Placements a call is working on now (for tests and the operator view). */
    public int inFlight() {
        return inFlight.size();
    }

    /** Peers holding (or being sent) fragments: PENDING, or ACKED and not proven missing; peers in {@code avoid} left out. */
    private static Map<NodeId, Set<Integer>> holding(List<Placement> placements, Set<NodeId> avoid) {
        Map<NodeId, Set<Integer>> held = new TreeMap<>();
        for (Placement p : placements) {
            boolean holds = p.state() == State.PENDING || p.state() == State.ACKED && (p.live() || p.proof() == Proof.NONE);
            if (holds && !avoid.contains(p.peer())) {
                held.computeIfAbsent(p.peer(), k -> new TreeSet<>()).add(p.index());
            }
        }
        return held;
    }

    /**
     * Records the assignment PENDING (when {@code plan}) and offers each peer its indices at once.
     *
     * @param refused collects the indices refused by a peer (their placements are LOST)
     * @return the peers that accepted, with their indices (marked in flight)
     */
    private Map<Peer, List<Integer>> offer(SignedFragmentPlan signed, Map<Peer, List<Integer>> assignment, Tally tally,
            Set<Integer> refused, boolean plan) {
        ContentHash tessera = signed.plan().tessera();
        Instant now = clock.instant();
        if (plan) {
            List<Placement> pending = new ArrayList<>();
            // Not due for resumeDue while this call works on them; due after the lease if the node stops meanwhile.
            Instant notBefore = now.plus(settings.lease());
            assignment.forEach((peer, indices) -> indices.forEach(i -> pending.add(
                    new Placement(tessera, i, peer.nodeId(), State.PENDING, 0, notBefore, Optional.empty(), Proof.NONE, false, ""))));
            book.plan(tessera, pending);
        }
        Map<Peer, CompletableFuture<PeerMessage>> answers = new LinkedHashMap<>();
        byte[] planBytes = signed.toBytes();
        assignment.forEach((peer, indices) -> {
            indices.forEach(i -> inFlight.add(new Key(tessera, i, peer.nodeId())));
            CompletableFuture<PeerMessage> answer;
            try {
                answer = client.request(peer.address(), new PlanOffer(planBytes, indices).toMessage()).toCompletableFuture();
            } catch (RuntimeException e) {
                answer = CompletableFuture.failedFuture(e);
            }
            answers.put(peer, answer);
        });
        Map<Peer, List<Integer>> accepted = new LinkedHashMap<>();
        answers.forEach((peer, answer) -> {
            List<Integer> indices = assignment.get(peer);
            try {
                List<Integer> acceptedIndices = PlanOffer.readAccepted(answer.join());
                lookup.contacted(peer.nodeId(), true);
                if (!acceptedIndices.containsAll(indices)) {
                    throw new PeerException(ErrorCode.MALFORMED, "the peer accepted " + acceptedIndices + " of the offered " + indices);
                }
                accepted.put(peer, indices);
            } catch (RuntimeException e) {
                PeerException failure = PeerStore.asPeerException(e);
                lookup.contacted(peer.nodeId(), !UNANSWERED.contains(failure.code()));
                String reason = "plan offer to " + peer.nodeId().toHex() + " failed: " + failure.code() + " " + fromPeer(failure.getMessage());
                for (int index : indices) {
                    if (TRANSIENT.contains(failure.code())) {
                        retryLater(tessera, index, peer.nodeId(), reason, failure.code(), tally);
                    } else {
                        book.failed(tessera, index, peer.nodeId(), reason, clock.instant(), true);
                        refused.add(index);
                    }
                    inFlight.remove(new Key(tessera, index, peer.nodeId()));
                    metrics.sendFailed();
                }
                tally.note(reason);
            }
        });
        return accepted;
    }

    /** Sends the accepted fragments: one BatchWriter per peer, fed in turns so that a slow peer holds back only itself. */
    private void send(SignedFragmentPlan signed, Map<Peer, List<Integer>> accepted, Tally tally, TesseraProgress progress) {
        if (accepted.isEmpty()) {
            return;
        }
        FragmentPlan plan = signed.plan();
        ContentHash tessera = plan.tessera();
        long total = accepted.values().stream().mapToLong(List::size).sum() * plan.shardSize();
        SerialProgress reported = new SerialProgress(progress);
        reported.phase("place", total);
        Map<Key, PeerException> failures = new ConcurrentHashMap<>();
        Set<Key> acked = ConcurrentHashMap.newKeySet();
        PeerStore.Outcomes outcomes = new PeerStore.Outcomes() {
            @Override
            public void acked(Peer peer, FragmentId id, long bytes) {
                book.acked(tessera, id.index(), peer.nodeId(), clock.instant());
                ledger.peerStoresForUs(peer.nodeId(), bytes);
                metrics.fragmentSent(bytes);
                lookup.contacted(peer.nodeId(), true);
                acked.add(new Key(tessera, id.index(), peer.nodeId()));
                tally.acked(bytes);
                reported.advanced(bytes);
            }

            @Override
            public void failed(Peer peer, FragmentId id, PeerException failure) {
                lookup.contacted(peer.nodeId(), !UNANSWERED.contains(failure.code()));
                failures.put(new Key(tessera, id.index(), peer.nodeId()), failure);
            }
        };
        BatchWriter.Limits limits = new BatchWriter.Limits(settings.perPeer(), settings.perPeer() * settings.batchBytes(), 1,
                settings.batchBytes());
        Map<Peer, BatchWriter> writers = new LinkedHashMap<>();
        Map<Peer, Iterator<Integer>> queues = new LinkedHashMap<>();
        Map<Peer, String> stopped = new HashMap<>();
        accepted.forEach((peer, indices) -> {
            writers.put(peer, new BatchWriter(new PeerStore(peer, client, permits, outcomes, clock, largeInMemory), executor, limits));
            queues.put(peer, indices.iterator());
        });
        try {
            boolean more = true;
            while (more) {
                more = false;
                for (Map.Entry<Peer, Iterator<Integer>> queue : queues.entrySet()) {
                    Peer peer = queue.getKey();
                    if (!queue.getValue().hasNext() || stopped.containsKey(peer)) {
                        continue;
                    }
                    more = true;
                    int index = queue.getValue().next();
                    String problem = feed(writers.get(peer), plan, index);
                    if (problem != null) {
                        stopped.put(peer, problem);
                    }
                }
            }
            writers.forEach((peer, writer) -> {
                try {
                    writer.finish();
                } catch (FragmentStoreException e) {
                    stopped.putIfAbsent(peer, e.getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    stopped.putIfAbsent(peer, "interrupted");
                }
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            writers.values().forEach(BatchWriter::abort);
            accepted.keySet().forEach(p -> stopped.putIfAbsent(p, "interrupted"));
        } finally {
            writers.values().forEach(BatchWriter::close);
        }
        accepted.forEach((peer, indices) -> {
            for (int index : indices) {
                Key key = new Key(tessera, index, peer.nodeId());
                if (!acked.contains(key)) {
                    PeerException failure = failures.get(key);
                    String reason = failure != null ? "PUT to " + peer.nodeId().toHex() + " failed: " + failure.code() + " " + fromPeer(failure.getMessage())
                            : "not sent to " + peer.nodeId().toHex() + ": " + fromPeer(stopped.getOrDefault(peer, "the transfer stopped"));
                    ErrorCode code = failure != null ? failure.code() : ErrorCode.CONNECTION;
                    if (TRANSIENT.contains(code)) {
                        retryLater(tessera, index, peer.nodeId(), reason, code, tally);
                    } else {
                        book.failed(tessera, index, peer.nodeId(), reason, clock.instant(), true);
                        tally.note(reason);
                    }
                    metrics.sendFailed();
                }
                inFlight.remove(key);
            }
        });
    }

    /** The longest text from a peer kept in a placement's detail, logged or printed. */
    static final int MAX_PEER_TEXT = 300;

    /**
     * A peer's error text made fit for the operator's screen and logs: the peer chooses it (up to 64
     * KiB, any characters), so control and invisible format characters (which could rewrite a
     * terminal line or forge a log line) become spaces and it is cut to {@value #MAX_PEER_TEXT} characters.
     */
    static String fromPeer(String text) {
        if (text == null) {
            return "(no reason given)";
        }
        StringBuilder clean = new StringBuilder(Math.min(text.length(), MAX_PEER_TEXT + 1));
        int i = 0;
        while (i < text.length() && clean.length() < MAX_PEER_TEXT) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            int type = Character.getType(c);
            boolean unfit = Character.isISOControl(c) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE || type == Character.UNASSIGNED;
            clean.appendCodePoint(unfit ? ' ' : c);
        }
        if (i < text.length()) {
            clean.append("... (cut)");
        }
        return clean.toString();
    }

    /** Hands one fragment from the local store to the peer's writer; the reason it cannot, or null. */
    private String feed(BatchWriter writer, FragmentPlan plan, int index) throws InterruptedException {
        FragmentStore store = localStore.get();
        if (store == null) {
            return "the local fragment store is not available";
        }
        FragmentId id = plan.fragmentId(index);
        Optional<SeekableByteChannel> opened;
        try {
            opened = store.open(plan.tessera(), index);
        } catch (RuntimeException e) {
            return "fragment " + index + " cannot be read from the local store: " + e.getMessage();
        }
        if (opened.isEmpty()) {
            return "fragment " + index + " is not in the local store (repair rebuilds it first)";
        }
        try (SeekableByteChannel channel = opened.get()) {
            writer.write(id, channel, channel.size());
            return null;
        } catch (FragmentStoreException e) {
            return e.getMessage();
        } catch (IOException e) {
            return "fragment " + index + " cannot be read from the local store: " + e;
        }
    }

    /** A try failed for a passing reason: PENDING with backoff, or LOST after the last attempt. */
    private void retryLater(ContentHash tessera, int index, NodeId peer, String reason, ErrorCode code, Tally tally) {
        int attempts = book.of(tessera).stream().filter(p -> p.index() == index && p.peer().equals(peer))
                .mapToInt(Placement::attempts).findFirst().orElse(0);
        boolean giveUp = attempts + 1 >= settings.maxAttempts();
        Instant retryAt = clock.instant().plus(backoff(attempts));
        book.failed(tessera, index, peer, reason, retryAt, giveUp);
        if (giveUp) {
            tally.note(reason + " (attempt " + (attempts + 1) + " of " + settings.maxAttempts() + ": given up, LOST)");
        } else {
            tally.pending();
            tally.note(reason + " (attempt " + (attempts + 1) + " of " + settings.maxAttempts() + ", next at " + retryAt + ")");
        }
        LOG.debug("placement {}/{} on {}: {} ({})", tessera.toShortHex(12), index, peer, reason, code);
    }

    /**
     * The wait after the {@code attempts}+1-th failure: firstRetry x 2^attempts, at most maxRetry,
     * with "equal jitter" (half of it fixed, half random) so that peers failed together do not retry together.
     */
    Duration backoff(int attempts) {
        long first = settings.firstRetry().toMillis();
        long max = settings.maxRetry().toMillis();
        long full = attempts >= 62 ? max : Math.min(max, first << Math.min(attempts, 30));
        full = Math.max(0, Math.min(full, max));
        long half = full / 2;
        return Duration.ofMillis(half + (half > 0 ? random.nextLong(half + 1) : 0));
    }

    /** A tessera, a fragment index and a peer: one placement. */
    private record Key(ContentHash tessera, int index, NodeId peer) {
    }

    /** What one call did. */
    private static final class Tally {
        private int placed;
        private int pending;
        private long bytes;
        private final List<String> notes = new ArrayList<>();

        synchronized void acked(long size) {
            placed++;
            bytes += size;
        }

        synchronized void pending() {
            pending++;
        }

        synchronized void note(String line) {
            notes.add(line);
        }

        synchronized PlaceResult result() {
            return new PlaceResult(placed, pending, bytes, notes);
        }
    }

    /** The caller's progress, told from the one thread at a time the interface expects. */
    private static final class SerialProgress implements TesseraProgress {
        private final TesseraProgress target;

        SerialProgress(TesseraProgress target) {
            this.target = target;
        }

        @Override
        public synchronized void phase(String label, long totalBytes) {
            target.phase(label, totalBytes);
        }

        @Override
        public synchronized void advanced(long bytes) {
            target.advanced(bytes);
        }
    }
}
