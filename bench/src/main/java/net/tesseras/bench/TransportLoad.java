package net.tesseras.bench;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import net.tesseras.core.ContentHash;
import net.tesseras.identity.internal.KeyPairIdentity;
import net.tesseras.transport.quic.internal.QuicTransport;
import net.tesseras.transport.quic.internal.RawRequests;
import net.tesseras.transport.quic.internal.TransportMetrics;
import net.tesseras.transport.quic.internal.TransportSettings;
import org.HdrHistogram.Recorder;
import org.HdrHistogram.Histogram;

/**
 * Load generator for the transport (its own JVM): {@code connections} connections to one node,
 * each keeping {@code inFlight} GETs of one cached fragment outstanding (pipelined on one stream, or
 * a stream per request in the naive mode), for a warm-up and then a measured period. Prints one
 * line: ops/s, MB/s and the latency percentiles in milliseconds.
 *
 * <p>Usage: {@code TransportLoad <label> <host:port> <tessera hex> <index> <connections> <inFlight>
 * <pipelined|naive> <warmup s> <measure s> [max UDP payload]}
 */
public final class TransportLoad {

    public static void main(String[] args) throws Exception {
        String label = args[0];
        String[] hostPort = args[1].split(":");
        InetSocketAddress server = new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
        ContentHash tessera = ContentHash.parse(args[2]);
        int index = Integer.parseInt(args[3]);
        int connections = Integer.parseInt(args[4]);
        int inFlight = Integer.parseInt(args[5]);
        boolean pipelined = !"naive".equals(args[6]);
        int warmup = Integer.parseInt(args[7]);
        int measure = Integer.parseInt(args[8]);
        int udpPayload = args.length > 9 ? Integer.parseInt(args[9]) : TransportSettings.DEFAULT_UDP_PAYLOAD;

        TransportSettings settings = TransportSettings.builder().pipelined(pipelined)
                .pool(connections + 8, Duration.ofSeconds(300), Duration.ofSeconds(30))
                .limits(64 * 1024, 64L * 1024 * 1024, 4096, 1, 16).maxUdpPayload(udpPayload).build();
        try (QuicTransport client = new QuicTransport(KeyPairIdentity.generate(), () -> null, settings, TransportMetrics.NONE).start()) {
            RawRequests raw = new RawRequests(client);
            List<Object> opened = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                opened.add(raw.connect(server).get(10, TimeUnit.SECONDS));
            }
            Recorder latencies = new Recorder(3);
            AtomicLong completed = new AtomicLong();
            AtomicLong bytes = new AtomicLong();
            AtomicLong failures = new AtomicLong();
            AtomicBoolean running = new AtomicBoolean(true);
            CountDownLatch drained = new CountDownLatch(connections * inFlight);
            for (Object connection : opened) {
                for (int i = 0; i < inFlight; i++) {
                    loop(raw, connection, tessera, index, latencies, completed, bytes, failures, running, drained);
                }
            }
            Thread.sleep(warmup * 1000L);
            latencies.reset();
            long startCount = completed.get();
            long startBytes = bytes.get();
            long start = System.nanoTime();
            Thread.sleep(measure * 1000L);
            long ops = completed.get() - startCount;
            long moved = bytes.get() - startBytes;
            double seconds = (System.nanoTime() - start) / 1e9;
            Histogram h = latencies.getIntervalHistogram();
            running.set(false);
            drained.await(30, TimeUnit.SECONDS);
            System.out.printf(Locale.ROOT, "%-28s %10.0f ops/s %9.1f MB/s  p50 %7.3f  p95 %7.3f  p99 %7.3f ms  failures %d%n", label,
                    ops / seconds, moved / seconds / 1e6, h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(95) / 1e6,
                    h.getValueAtPercentile(99) / 1e6, failures.get());
        }
    }

    private static void loop(RawRequests raw, Object connection, ContentHash tessera, int index, Recorder latencies, AtomicLong completed,
            AtomicLong bytes, AtomicLong failures, AtomicBoolean running, CountDownLatch drained) {
        if (!running.get()) {
            drained.countDown();
            return;
        }
        long sent = System.nanoTime();
        raw.get(connection, tessera, index).whenComplete((size, failure) -> {
            if (failure != null) {
                failures.incrementAndGet();
            } else {
                latencies.recordValue(System.nanoTime() - sent);
                completed.incrementAndGet();
                bytes.addAndGet(size);
            }
            loop(raw, connection, tessera, index, latencies, completed, bytes, failures, running, drained);
        });
    }
}
