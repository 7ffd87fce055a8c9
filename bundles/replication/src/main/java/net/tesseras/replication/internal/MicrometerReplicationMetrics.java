package net.tesseras.replication.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Replication's meters (docs/METRICS.md). Counters with a label (refusal reason, proof outcome) are
 * created on first use, so only what happened shows.
 */
final class MicrometerReplicationMetrics implements ReplicationMetrics, AutoCloseable {

    /** What the gauges read: the node's ledger and placement totals, computed when scraped. */
    interface Totals {
        long deficitPeers();

        long worstBalanceBytes();

        long pendingPlacements();
    }

    private final MeterRegistry registry;
    private final List<Meter> meters = new CopyOnWriteArrayList<>();
    private final Counter sentFragments;
    private final Counter sentBytes;
    private final Counter receivedFragments;
    private final Counter receivedBytes;
    private final Counter sendFailures;
    private final Timer attestationsServed;
    private final Timer challengesServed;
    private final Counter challengeBytesServed;
    private final Timer repairPasses;
    private final Counter rebuilt;
    private final Counter repairPlacedFragments;
    private final Counter repairPlacedBytes;
    private final Counter fetchedFragments;
    private final Counter fetchedBytes;
    private final Map<String, Counter> refusals = new ConcurrentHashMap<>();
    private final Map<String, Counter> attestationsChecked = new ConcurrentHashMap<>();
    private final Map<String, Counter> challengesChecked = new ConcurrentHashMap<>();
    private final Map<String, Counter> challengeBytesChecked = new ConcurrentHashMap<>();

    MicrometerReplicationMetrics(MeterRegistry registry, Totals totals) {
        this.registry = registry;
        sentFragments = counter("tesseras.replication.sent.fragments", "Fragments placed on peers and acknowledged", null);
        sentBytes = counter("tesseras.replication.sent", "Bytes of fragments placed on peers and acknowledged", "bytes");
        receivedFragments = counter("tesseras.replication.received.fragments", "Peers' fragments stored here", null);
        receivedBytes = counter("tesseras.replication.received", "Bytes of peers' fragments stored here", "bytes");
        sendFailures = counter("tesseras.replication.send.failures", "Transfers to peers that failed (retried with backoff)", null);
        attestationsServed = keep(Timer.builder("tesseras.attestation.served").description("Attestations built and signed for peers")
                .register(registry));
        challengesServed = keep(Timer.builder("tesseras.challenge.served").description("Challenges answered for peers")
                .register(registry));
        challengeBytesServed = counter("tesseras.challenge.proofs.sent", "Bytes of challenge proofs sent to peers", "bytes");
        repairPasses = keep(Timer.builder("tesseras.repair.passes").description("Repair passes").register(registry));
        rebuilt = counter("tesseras.repair.rebuilt.fragments", "Fragments rebuilt with Reed-Solomon by repair", null);
        repairPlacedFragments = counter("tesseras.repair.placed.fragments", "Fragments placed on new holders by repair", null);
        repairPlacedBytes = counter("tesseras.repair.placed", "Bytes placed on new holders by repair", "bytes");
        fetchedFragments = counter("tesseras.replication.fetched.fragments", "Fragments fetched from peers (repair, restore)", null);
        fetchedBytes = counter("tesseras.replication.fetched", "Bytes fetched from peers (repair, restore)", "bytes");
        gauge("tesseras.replication.deficit.peers", "Peers in deficit in the reciprocity ledger (they take more than they give)",
                null, totals, t -> t.deficitPeers());
        gauge("tesseras.replication.worst.balance", "The lowest balance in the reciprocity ledger (negative: a deficit)",
                "bytes", totals, t -> t.worstBalanceBytes());
        gauge("tesseras.replication.pending.placements", "Placements waiting for a (re)try", null, totals, t -> t.pendingPlacements());
    }

    private Counter counter(String name, String description, String unit) {
        Counter.Builder builder = Counter.builder(name).description(description);
        if (unit != null) {
            builder.baseUnit(unit);
        }
        return keep(builder.register(registry));
    }

    private void gauge(String name, String description, String unit, Totals totals, ToDoubleFunction<Totals> value) {
        Gauge.Builder<Totals> builder = Gauge.builder(name, totals, t -> {
            try {
                return value.applyAsDouble(t);
            } catch (RuntimeException e) {
                // A scrape while the database is closing: no value rather than a failed scrape.
                return Double.NaN;
            }
        }).description(description);
        if (unit != null) {
            builder.baseUnit(unit);
        }
        keep(builder.register(registry));
    }

    private <M extends Meter> M keep(M meter) {
        meters.add(meter);
        return meter;
    }

    private Counter labelled(Map<String, Counter> counters, String name, String description, String label, String value,
            String unit) {
        return counters.computeIfAbsent(value.toLowerCase(Locale.ROOT), v -> {
            Counter.Builder builder = Counter.builder(name).description(description).tag(label, v);
            if (unit != null) {
                builder.baseUnit(unit);
            }
            return keep(builder.register(registry));
        });
    }

    @Override
    public void fragmentSent(long bytes) {
        sentFragments.increment();
        sentBytes.increment(bytes);
    }

    @Override
    public void fragmentReceived(long bytes) {
        receivedFragments.increment();
        receivedBytes.increment(bytes);
    }

    @Override
    public void refused(String reason) {
        labelled(refusals, "tesseras.replication.refused", "Plan offers and fragments from peers refused, by reason", "reason",
                reason, null).increment();
    }

    @Override
    public void sendFailed() {
        sendFailures.increment();
    }

    @Override
    public void attestationServed(long nanos) {
        attestationsServed.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void attestationChecked(String outcome) {
        labelled(attestationsChecked, "tesseras.attestation.checked", "Attestations asked of holders, by outcome", "outcome",
                outcome, null).increment();
    }

    @Override
    public void challengeServed(long bytes, long nanos) {
        challengesServed.record(nanos, TimeUnit.NANOSECONDS);
        challengeBytesServed.increment(bytes);
    }

    @Override
    public void challengeChecked(String outcome, long bytes) {
        labelled(challengesChecked, "tesseras.challenge.checked", "Challenges asked of holders, by outcome", "outcome", outcome,
                null).increment();
        labelled(challengeBytesChecked, "tesseras.challenge.received", "Bytes of challenge proofs received, by outcome",
                "outcome", outcome, "bytes").increment(bytes);
    }

    @Override
    public void repairPass(long nanos) {
        repairPasses.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void rebuilt(int fragments) {
        rebuilt.increment(fragments);
    }

    @Override
    public void repairPlaced(int fragments, long bytes) {
        repairPlacedFragments.increment(fragments);
        repairPlacedBytes.increment(bytes);
    }

    @Override
    public void fetched(int fragments, long bytes) {
        fetchedFragments.increment(fragments);
        fetchedBytes.increment(bytes);
    }

    @Override
    public void close() {
        for (Meter meter : meters) {
            registry.remove(meter);
        }
        meters.clear();
    }
}
