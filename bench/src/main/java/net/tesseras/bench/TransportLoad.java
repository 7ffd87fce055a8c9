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
 * line: ops/s, MB/s, the latency percentiles in milliseconds and, given the server's pid
 * ({@code -Dserver.pid}), the server's CPU time (user + system) per request over the measured period.
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
            long startCpu = serverCpuTicks();
            long start = System.nanoTime();
            Thread.sleep(measure * 1000L);
            long ops = completed.get() - startCount;
            long moved = bytes.get() - startBytes;
            long cpuTicks = serverCpuTicks() - startCpu;
            double seconds = (System.nanoTime() - start) / 1e9;
            Histogram h = latencies.getIntervalHistogram();
            running.set(false);
            drained.await(30, TimeUnit.SECONDS);
            String cpu = startCpu < 0 || ops == 0 ? "" : String.format(Locale.ROOT, "  server cpu %7.1f us/req",
                    cpuTicks * 1e6 / TICKS_PER_SECOND / ops);
            System.out.printf(Locale.ROOT, "%-28s %10.0f ops/s %9.1f MB/s  p50 %7.3f  p95 %7.3f  p99 %7.3f ms  failures %d%s%n", label,
                    ops / seconds, moved / seconds / 1e6, h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(95) / 1e6,
                    h.getValueAtPercentile(99) / 1e6, failures.get(), cpu);
            if (failures.get() > 0) {
                System.err.println(label + ": first failure: " + FIRST_FAILURE.get());
            }
        }
    }

    /** The server process to charge CPU time to (-Dserver.pid), and the kernel's clock ticks per second (-Dclk.tck, getconf CLK_TCK). */
    private static final String SERVER_PID = System.getProperty("server.pid", "");
    private static final java.util.concurrent.atomic.AtomicReference<String> FIRST_FAILURE = new java.util.concurrent.atomic.AtomicReference<>("");
    private static final long TICKS_PER_SECOND = Long.getLong("clk.tck", 100);

    /**
     * User plus system CPU time of the server process so far, in clock ticks (fields 14 and 15 of
     * /proc/pid/stat), or -1 without a pid: CPU per request then does not depend on how much of the
     * shared cores this load generator took.
     */
    static long serverCpuTicks() throws java.io.IOException {
        if (SERVER_PID.isEmpty()) {
            return -1;
        }
        String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", SERVER_PID, "stat"));
        // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
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
                if (failures.incrementAndGet() == 1) {
                    FIRST_FAILURE.set(String.valueOf(failure.getCause() != null ? failure.getCause() : failure));
                }
            } else {
                latencies.recordValue(System.nanoTime() - sent);
                completed.incrementAndGet();
                bytes.addAndGet(size);
            }
            loop(raw, connection, tessera, index, latencies, completed, bytes, failures, running, drained);
        });
    }
}
