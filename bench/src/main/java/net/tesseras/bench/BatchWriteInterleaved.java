package net.tesseras.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The operations of {@link BatchWriteBenchmark} run round-robin in one process: each round runs
 * every operation once, in a rotating order, so that load from other processes on a shared machine
 * falls on all of them alike. JMH runs one benchmark after the other, and on a busy disk the load
 * moves between them; ratios taken here are steadier.
 *
 * <pre>java -cp target/benchmarks.jar net.tesseras.bench.BatchWriteInterleaved [rounds] [warm-up rounds]</pre>
 */
public final class BatchWriteInterleaved {

    private static final int ROUNDS_PER_DIRECTORY = 50;

    private BatchWriteInterleaved() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int warmUp = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        BatchWriteBenchmark bench = new BatchWriteBenchmark();
        bench.fragments = 24;
        bench.fragmentSize = 65536;
        bench.payloads();
        Map<String, Callable<?>> operations = new LinkedHashMap<>();
        operations.put("batchNormal", bench::batchNormal);
        operations.put("writerNormal", bench::writerNormal);
        operations.put("singleNormal", bench::singleNormal);
        operations.put("rawNormal", bench::rawNormal);
        operations.put("batchFull", bench::batchFull);
        operations.put("singleFull", bench::singleFull);
        operations.put("rawFull", bench::rawFull);
        Map<String, Long> nanos = new LinkedHashMap<>();
        operations.keySet().forEach(name -> nanos.put(name, 0L));
        List<String> order = new ArrayList<>(operations.keySet());
        bench.open();
        try {
            for (int round = 0; round < warmUp + rounds; round++) {
                if (round > 0 && round % ROUNDS_PER_DIRECTORY == 0) {
                    bench.close(); // removes the files written so far
                    bench.open();
                }
                Collections.rotate(order, 1);
                for (String name : order) {
                    long start = System.nanoTime();
                    operations.get(name).call();
                    long took = System.nanoTime() - start;
                    if (round >= warmUp) {
                        nanos.merge(name, took, Long::sum);
                    }
                }
            }
        } finally {
            bench.close();
            bench.stopWriterThreads();
        }
        double megabytes = bench.fragments * (double) bench.fragmentSize / 1e6;
        System.out.printf("%d rounds of %d x %d bytes after %d warm-up rounds%n", rounds, bench.fragments,
                bench.fragmentSize, warmUp);
        Map<String, Double> opsPerSecond = new LinkedHashMap<>();
        for (Map.Entry<String, Long> e : nanos.entrySet()) {
            double ops = rounds * 1e9 / e.getValue();
            opsPerSecond.put(e.getKey(), ops);
            System.out.printf("%-13s %8.1f groups/s %8.1f MB/s%n", e.getKey(), ops, ops * megabytes);
        }
        for (String durability : List.of("Normal", "Full")) {
            double batch = opsPerSecond.get("batch" + durability);
            double single = opsPerSecond.get("single" + durability);
            double raw = opsPerSecond.get("raw" + durability);
            System.out.printf("%-6s batch/single %.2fx (goal 2x), single/raw %.2fx (goal 0.8x), batch/raw %.2fx%n",
                    durability, batch / single, single / raw, batch / raw);
        }
        System.out.printf("writer/batch %.2fx%n", opsPerSecond.get("writerNormal") / opsPerSecond.get("batchNormal"));
    }
}
