package net.tesseras.replication.internal.repair;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import net.tesseras.core.ContentHash;
import net.tesseras.identity.NodeId;
import net.tesseras.replication.Peer;
import net.tesseras.replication.PeerLookup;
import net.tesseras.replication.RepairReport;
import net.tesseras.replication.RepairReport.TesseraRepair;
import net.tesseras.replication.TesseraStatus.Health;
import net.tesseras.replication.TesseraStatus.Proof;
import net.tesseras.replication.internal.PlanSource;
import net.tesseras.replication.internal.ReplicationMetrics;
import net.tesseras.replication.internal.placement.PlacementBook;
import net.tesseras.replication.internal.placement.PlacementBook.Placement;
import net.tesseras.replication.internal.placement.Publisher;
import net.tesseras.replication.internal.proof.Proofs;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.VerifyResult;
import net.tesseras.tessera.FragmentPlan;
import net.tesseras.tessera.SignedFragmentPlan;
import net.tesseras.tessera.TesseraException;
import net.tesseras.tessera.TesseraProgress;
import net.tesseras.tessera.TesseraService;
import net.tesseras.transport.PeerClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One repair pass over the tesseras this node places: for each, proves its holders (a signed
 * attestation, then a challenge on a sample of real bytes), records the proofs, checks this node's
 * own fragments, fetches from live holders what it lacks to rebuild, rebuilds, and places the lost
 * fragments on new holders. docs/REPLICATION.md tells it step by step. Not thread safe: the
 * {@link RepairScheduler} runs one pass at a time.
 */
public final class RepairPass {

    private static final Logger LOG = LoggerFactory.getLogger(RepairPass.class);

    /** Local fragments all verified within this long are not re-read on a pass (the store records when). */
    static final Duration VERIFIED_FRESH = Duration.ofDays(1);

    /**
     * @param replicationFactor r
     * @param challengeFragments fragments of each holder challenged per pass (a random sample of those it attests)
     * @param challengeChunks 1 KiB chunks asked of each challenged fragment
     * @param unreachableGrace how long a holder may go without a passed proof before its fragments count as lost
     * @param bandwidthBytesPerSecond cap on repair traffic (fetches and placements), 0: none
     */
    public record Settings(int replicationFactor, int challengeFragments, int challengeChunks, Duration unreachableGrace,
            long bandwidthBytesPerSecond) {
        public Settings {
            if (replicationFactor < 1 || challengeFragments < 0 || challengeChunks < 1) {
                throw new IllegalArgumentException("repair settings out of range: r " + replicationFactor
                        + ", challenged fragments " + challengeFragments + ", chunks " + challengeChunks);
            }
        }
    }

    private final PlacementBook book;
    private final Proofs proofs;
    private final PeerLookup peers;
    private final FragmentStore store;
    private final TesseraService tesseras;
    private final Publisher publisher;
    private final PlanSource plans;
    private final ReplicationMetrics metrics;
    private final Clock clock;
    private final Settings settings;
    private final RepairPlanner planner;
    private final FragmentFetcher fetcher;
    private final Bandwidth bandwidth;
    private final Random random;
    private final Duration verifiedFresh;

    public RepairPass(PlacementBook book, Proofs proofs, PeerLookup peers, PeerClient client, FragmentStore store,
            TesseraService tesseras, Publisher publisher, PlanSource plans, ReplicationMetrics metrics, Clock clock,
            Settings settings, Path workDirectory) {
        this(book, proofs, peers, client, store, tesseras, publisher, plans, metrics, clock, settings, workDirectory,
                Bandwidth.of(settings.bandwidthBytesPerSecond()), new Random(), VERIFIED_FRESH);
    }

    RepairPass(PlacementBook book, Proofs proofs, PeerLookup peers, PeerClient client, FragmentStore store,
            TesseraService tesseras, Publisher publisher, PlanSource plans, ReplicationMetrics metrics, Clock clock,
            Settings settings, Path workDirectory, Bandwidth bandwidth, Random random, Duration verifiedFresh) {
        this.book = book;
        this.proofs = proofs;
        this.peers = peers;
        this.store = store;
        this.tesseras = tesseras;
        this.publisher = publisher;
        this.plans = plans;
        this.metrics = metrics;
        this.clock = clock;
        this.settings = settings;
        this.planner = new RepairPlanner(settings.replicationFactor(), settings.unreachableGrace());
        this.fetcher = new FragmentFetcher(client, store, workDirectory);
        this.bandwidth = bandwidth;
        this.random = random;
        this.verifiedFresh = verifiedFresh;
    }

    /**
     * A whole pass: every tessera of {@link PlacementBook#tesseras()}, or only {@code only}.
     * A tessera whose repair fails is reported with the reason; the pass goes on with the next.
     *
     * @throws InterruptedException when the thread is interrupted (the node stops); what is done stays done
     */
    public RepairReport run(Optional<ContentHash> only) throws InterruptedException {
        long started = System.nanoTime();
        List<TesseraRepair> repairs = new ArrayList<>();
        List<ContentHash> hashes = only.map(List::of).orElseGet(book::tesseras);
        for (ContentHash hash : hashes) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("the repair pass was stopped");
            }
            try {
                repairs.add(repair(hash));
            } catch (RuntimeException e) {
                LOG.warn("Repair of tessera {} failed: {}; the pass goes on", hash, e.getMessage(), e);
                repairs.add(failed(hash, e));
            }
        }
        metrics.repairPass(System.nanoTime() - started);
        return new RepairReport(repairs);
    }

    /** The report of a tessera whose repair threw (a store or database gone): the health the book shows. */
    private TesseraRepair failed(ContentHash tessera, RuntimeException e) {
        Health health;
        try {
            List<Placement> placements = book.of(tessera);
            health = plans.plan(tessera).map(p -> planner.health(p.plan(), placements, false))
                    .orElse(placements.isEmpty() ? Health.LOCAL : Health.CRITICAL);
        } catch (RuntimeException again) {
            health = Health.CRITICAL;
        }
        return new TesseraRepair(tessera, 0, 0, 0, 0, 0, health, health, List.of("the repair failed: " + e.getMessage()
                + "; the next pass tries again"));
    }

    /** Repairs one tessera. */
    public TesseraRepair repair(ContentHash tessera) throws InterruptedException {
        Optional<SignedFragmentPlan> signed = plans.plan(tessera);
        List<Placement> known = book.of(tessera);
        if (signed.isEmpty() || !signed.get().verifies()) {
            Health health = known.isEmpty() ? Health.LOCAL : Health.CRITICAL;
            return new TesseraRepair(tessera, 0, 0, 0, 0, 0, health, health, List.of(signed.isEmpty()
                    ? "no signed fragment plan is known for this tessera: nothing can be checked or placed"
                    : "the fragment plan known for this tessera does not verify: nothing can be checked or placed"));
        }
        FragmentPlan plan = signed.get().plan();
        List<String> notes = new ArrayList<>();

        Map<NodeId, RepairPlanner.Verdict> verdicts = prove(signed.get(), known, notes);
        int failed = (int) verdicts.values().stream().filter(v -> v.outcome() != Proof.PASSED).count();
        List<Placement> proved = book.of(tessera);
        Health before = planner.health(plan, proved, false);

        RepairPlanner.Local local = local(plan, notes);
        RepairPlanner.Decision decision = planner.plan(plan, proved, verdicts, local, clock.instant());
        notes.addAll(decision.notes());
        for (Placement expired : decision.expired()) {
            book.lost(tessera, expired.index(), expired.peer(), "unreachable for longer than the grace of "
                    + settings.unreachableGrace());
        }

        Set<Integer> restored = restoreLocal(signed.get(), decision, notes);
        int rebuilt = restored.size();

        int placed = 0;
        if (!decision.lost().isEmpty()) {
            // Held good: verified at the start of the pass, or fetched or rebuilt (both checked) since.
            SortedSet<Integer> placeable = new TreeSet<>(local.good());
            placeable.addAll(restored);
            placeable.retainAll(decision.lost());
            SortedSet<Integer> missing = new TreeSet<>(decision.lost());
            missing.removeAll(placeable);
            if (!missing.isEmpty()) {
                notes.add("fragments " + missing + " are lost and not held here: they cannot be placed on this pass");
            }
            if (!placeable.isEmpty()) {
                Publisher.PlaceResult result = publisher.place(signed.get(), placeable, decision.avoid(), TesseraProgress.NONE);
                placed = result.placed();
                bandwidth.charge(result.bytes());
                metrics.repairPlaced(result.placed(), result.bytes());
                notes.add("placed " + result.placed() + " fragments on new holders (" + result.bytes() + " bytes)"
                        + (result.pending() > 0 ? ", " + result.pending() + " left pending for retries" : "")
                        + (decision.avoid().isEmpty() ? "" : ", avoiding " + hex(decision.avoid())));
                notes.addAll(result.notes());
            }
        }
        Instant now = clock.instant();
        book.repaired(tessera, now);
        Health after = planner.health(plan, book.of(tessera), true);
        TesseraRepair report = new TesseraRepair(tessera, verdicts.size(), failed, decision.lost().size(), rebuilt, placed,
                before, after, notes);
        LOG.info("Repair of tessera {}: {} holders asked, {} failed, {} fragments lost, {} rebuilt here, {} placed; {} -> {}",
                tessera, verdicts.size(), failed, decision.lost().size(), rebuilt, placed, before, after);
        return report;
    }

    /**
     * Attests every holder with ACKED placements and challenges a sample of what it attests.
     *
     * @throws InterruptedException when the node stops mid-pass: nothing is recorded for the holder
     *         being asked, nor for those not asked yet (an interrupt is not the holder's silence)
     */
    private Map<NodeId, RepairPlanner.Verdict> prove(SignedFragmentPlan signed, List<Placement> placements,
            List<String> notes) throws InterruptedException {
        ContentHash tessera = signed.plan().tessera();
        Map<NodeId, SortedSet<Integer>> held = new TreeMap<>();
        Map<NodeId, Instant> graceFrom = new TreeMap<>();
        for (Placement p : placements) {
            if (p.state() == PlacementBook.State.ACKED) {
                held.computeIfAbsent(p.peer(), k -> new TreeSet<>()).add(p.index());
                graceFrom.merge(p.peer(), graceFrom(p), (a, b) -> a.isAfter(b) ? a : b);
            }
        }
        Map<NodeId, RepairPlanner.Verdict> verdicts = new LinkedHashMap<>();
        for (Map.Entry<NodeId, SortedSet<Integer>> holder : held.entrySet()) {
            NodeId id = holder.getKey();
            Optional<Instant> lastProven = Optional.of(graceFrom.get(id));
            Optional<Peer> peer = peers.find(id);
            Proven proven = peer.isEmpty()
                    ? new Proven(new RepairPlanner.Verdict(id, Proof.UNREACHABLE, lastProven, "not in the peer table"),
                            Set.of())
                    : prove(signed, peer.get(), holder.getValue(), lastProven);
            RepairPlanner.Verdict verdict = proven.verdict();
            // Without a proof the record keeps the instant the grace runs from (see graceFrom), so
            // answering without proving never moves it forward.
            Instant at = verdict.outcome() == Proof.PASSED || verdict.outcome() == Proof.FAILED ? clock.instant()
                    : lastProven.get();
            book.proved(tessera, id, proven.live(), verdict.outcome(), verdict.detail(), at);
            if (verdict.outcome() != Proof.PASSED) {
                notes.add("holder " + id.toHex() + ": " + verdict.outcome().name().toLowerCase(Locale.ROOT) + ", "
                        + verdict.detail());
            }
            verdicts.put(id, verdict);
        }
        return verdicts;
    }

    /**
     * When the grace of an ACKED placement runs from: its last proof's time. A placement proven
     * PASSED (or live under a FAILED proof) was proven then; one without proof carries the instant
     * its grace already ran from (recorded so by {@link #prove}); one never proven runs from its
     * acknowledgement, which the book keeps as the ACKED placement's next attempt.
     */
    private static Instant graceFrom(Placement placement) {
        return placement.lastProof().orElse(placement.nextAttempt());
    }

    /** A holder's verdict and the indices it proved live. */
    private record Proven(RepairPlanner.Verdict verdict, Set<Integer> live) {
    }

    private Proven prove(SignedFragmentPlan signed, Peer peer, SortedSet<Integer> placed, Optional<Instant> lastProven)
            throws InterruptedException {
        NodeId id = peer.nodeId();
        Proofs.AttestationCheck attestation = proofs.attest(peer, signed);
        stopIfInterrupted(id);
        metrics.attestationChecked(attestation.outcome().name().toLowerCase(Locale.ROOT));
        if (attestation.outcome() == Proof.UNREACHABLE || attestation.outcome() == Proof.NONE) {
            peers.contacted(id, false);
            return new Proven(new RepairPlanner.Verdict(id, Proof.UNREACHABLE, lastProven,
                    "no answer to the attestation: " + attestation.detail()), Set.of());
        }
        peers.contacted(id, true);
        SortedSet<Integer> live = new TreeSet<>(attestation.proven());
        live.retainAll(placed);
        List<String> problems = new ArrayList<>();
        if (attestation.outcome() == Proof.FAILED) {
            problems.add("attestation failed: " + attestation.detail());
        }
        SortedSet<Integer> missing = new TreeSet<>(placed);
        missing.removeAll(live);
        if (!missing.isEmpty() && attestation.outcome() == Proof.PASSED) {
            problems.add("fragments " + missing + " missing from its attestation");
        }
        List<Integer> sample = sample(live, settings.challengeFragments());
        if (!sample.isEmpty()) {
            Proofs.ChallengeCheck challenge = proofs.challenge(peer, signed, sample, settings.challengeChunks());
            stopIfInterrupted(id);
            metrics.challengeChecked(challenge.outcome().name().toLowerCase(Locale.ROOT), challenge.bytesReceived());
            if (challenge.outcome() == Proof.UNREACHABLE) {
                // It answered the attestation but proved nothing: no proof, so its grace keeps running
                // from its last passed proof (an index without bytes attests as well as a full one).
                peers.contacted(id, false);
                return new Proven(new RepairPlanner.Verdict(id, Proof.UNREACHABLE, lastProven,
                        "attested but did not answer the challenge: " + challenge.detail()), Set.of());
            }
            // A sampled fragment counts as proven only when the challenge says it passed.
            SortedSet<Integer> bad = new TreeSet<>(sample);
            bad.removeAll(challenge.passed());
            bad.addAll(challenge.failed());
            if (!bad.isEmpty()) {
                live.removeAll(bad);
                problems.add("challenge failed on fragments " + bad + ": " + challenge.detail());
            }
        }
        Proof outcome = problems.isEmpty() ? Proof.PASSED : Proof.FAILED;
        return new Proven(new RepairPlanner.Verdict(id, outcome, Optional.of(clock.instant()), problems.isEmpty()
                ? "attested " + live.size() + " fragments, challenged " + sample : String.join("; ", problems)), live);
    }

    /** Proofs answer UNREACHABLE to an interrupted caller; that is the node stopping, not the holder. */
    private static void stopIfInterrupted(NodeId holder) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("the repair pass was stopped while proving holder " + holder.toHex()
                    + "; nothing was recorded for it");
        }
    }

    private List<Integer> sample(SortedSet<Integer> live, int count) {
        List<Integer> all = new ArrayList<>(live);
        Collections.shuffle(all, random);
        return List.copyOf(all.subList(0, Math.min(count, all.size())));
    }

    /**
     * This node's fragments, re-read and re-hashed: the index alone cannot see bit rot, and repair is
     * what must find it (the store records when each fragment was last verified). When every one was
     * verified within {@code verifiedFresh}, the index is trusted instead, so a pass does not re-read
     * every byte each time; the bytes re-read count against the bandwidth cap (they share the disk).
     */
    private RepairPlanner.Local local(FragmentPlan plan, List<String> notes) throws InterruptedException {
        SortedSet<Integer> good = new TreeSet<>();
        SortedSet<Integer> damaged = new TreeSet<>();
        List<FragmentInfo> held = store.fragments(plan.tessera());
        Instant freshAfter = clock.instant().minus(verifiedFresh);
        boolean fresh = !held.isEmpty() && held.stream().allMatch(f -> f.lastVerified().filter(freshAfter::isBefore).isPresent());
        if (fresh) {
            for (FragmentInfo info : held) {
                int index = info.id().index();
                if (index < plan.totalShards()) {
                    (info.id().checksum().equals(plan.checksums().get(index)) ? good : damaged).add(index);
                }
            }
            notes.add("the " + held.size() + " local fragments were all verified within " + verifiedFresh
                    + ": not re-read on this pass");
        } else {
            bandwidth.acquire(held.stream().mapToLong(FragmentInfo::size).sum());
            for (VerifyResult result : store.verify(plan.tessera())) {
                int index = result.id().index();
                if (index >= plan.totalShards()) {
                    continue;
                }
                if (result.ok() && result.id().checksum().equals(plan.checksums().get(index))) {
                    good.add(index);
                } else if (result.status() != VerifyResult.Status.MISSING) {
                    damaged.add(index);
                }
            }
        }
        boolean fullCopy = tesseras.find(plan.tessera()).isPresent();
        return new RepairPlanner.Local(good, damaged, fullCopy);
    }

    /** Fetches what is needed, then rebuilds; returns the local fragments restored (fetched or rebuilt). */
    private Set<Integer> restoreLocal(SignedFragmentPlan signed, RepairPlanner.Decision decision, List<String> notes)
            throws InterruptedException {
        if (decision.rebuild().isEmpty()) {
            return Set.of();
        }
        FragmentPlan plan = signed.plan();
        Set<Integer> restored = new TreeSet<>();
        if (decision.fetchNeeded()) {
            int fetched = 0;
            long bytes = 0;
            for (Map.Entry<Integer, List<NodeId>> source : decision.fetchSources().entrySet()) {
                if (fetched >= decision.fetchCount()) {
                    break;
                }
                for (NodeId holder : source.getValue()) {
                    Optional<Peer> peer = peers.find(holder).filter(p -> !p.addresses().isEmpty());
                    if (peer.isEmpty()) {
                        continue;
                    }
                    bandwidth.acquire(plan.shardSize());
                    try {
                        bytes += fetcher.fetch(peer.get().address(), plan, source.getKey());
                        fetched++;
                        if (decision.rebuild().contains(source.getKey())) {
                            restored.add(source.getKey());
                        }
                        break;
                    } catch (FragmentFetcher.FetchFailed e) {
                        notes.add(e.getMessage());
                    }
                }
            }
            metrics.fetched(fetched, bytes);
            notes.add("fetched " + fetched + " fragments (" + bytes + " bytes) from peers");
            if (fetched < decision.fetchCount()) {
                notes.add("could fetch only " + fetched + " of the " + decision.fetchCount() + " fragments needed:"
                        + " the local fragments " + decision.rebuild() + " stay unrestored until a later pass");
                return restored;
            }
        }
        Set<Integer> toRebuild = new TreeSet<>(decision.rebuild());
        toRebuild.removeAll(restored);
        if (toRebuild.isEmpty()) {
            return restored;
        }
        try {
            SortedSet<Integer> rebuilt = tesseras.rebuild(signed, toRebuild, TesseraProgress.NONE);
            metrics.rebuilt(rebuilt.size());
            notes.add("rebuilt fragments " + rebuilt + " with Reed-Solomon, checked against the plan");
            restored.addAll(rebuilt);
        } catch (TesseraException e) {
            notes.add("rebuilding fragments " + toRebuild + " failed: " + e.getMessage());
        }
        return restored;
    }

    private static String hex(Set<NodeId> ids) {
        return ids.stream().map(NodeId::toHex).sorted().toList().toString();
    }
}
