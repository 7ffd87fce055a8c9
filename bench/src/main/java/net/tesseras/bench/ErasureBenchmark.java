package net.tesseras.bench;

import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import net.tesseras.tessera.internal.erasure.ReedSolomonCoder;
import org.apache.hadoop.io.erasurecode.ErasureCoderOptions;
import org.apache.hadoop.io.erasurecode.rawcoder.RSRawDecoder;
import org.apache.hadoop.io.erasurecode.rawcoder.RSRawEncoder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reed-Solomon encode and decode of one payload held in memory, the node's coder (with its SIMD
 * kernel, the JVM having the Vector API, and with its scalar kernel) side by side with
 * Hadoop's pure-Java raw RS coder (the same amount of GF(2^8) work per byte; its matrix is a
 * Cauchy one, so its parity bytes differ). Decode loses as many data shards as there are parity
 * shards, the worst case. Scores are operations per second; one operation handles the whole
 * payload, so MB/s = score × payload bytes / 10^6 (bench/erasure.sh prints that).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g", "--add-modules", "jdk.incubator.vector"})
public class ErasureBenchmark {

    @Param({"16+8", "48+24"})
    public String shape;

    /** Payload bytes: 1 MiB or 64 MiB. */
    @Param({"1048576", "67108864"})
    public int payload;

    /** tesseras: the node's coder as the node runs it with the Vector API; tesseras-scalar: its plain-Java kernel. */
    @Param({"tesseras", "tesseras-scalar", "hadoop"})
    public String coder;

    private int dataShards;
    private int parityShards;
    private int shardSize;
    private byte[][] data;
    private byte[][] parity;
    /** Decode input: every shard, with the first {@code parityShards} data shards lost. */
    private byte[][] shards;
    private boolean[] present;
    private byte[][] lost;
    private int[] lostIndices;
    private ReedSolomonCoder ours;
    private RSRawEncoder hadoopEncoder;
    private RSRawDecoder hadoopDecoder;
    private byte[][] hadoopInputs;
    private byte[][] hadoopOutputs;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        String[] counts = shape.split("\\+");
        dataShards = Integer.parseInt(counts[0]);
        parityShards = Integer.parseInt(counts[1]);
        int total = dataShards + parityShards;
        shardSize = (payload + dataShards - 1) / dataShards;
        Random random = new Random(42);
        data = new byte[dataShards][shardSize];
        for (byte[] shard : data) {
            random.nextBytes(shard);
        }
        parity = new byte[parityShards][shardSize];
        ours = coder.equals("tesseras-scalar") ? ReedSolomonCoder.scalar() : new ReedSolomonCoder();
        if (coder.equals("tesseras") && ours.kernel().equals("scalar")) {
            throw new IllegalStateException("the Vector API is missing: the fork must run with --add-modules jdk.incubator.vector");
        }
        hadoopEncoder = new RSRawEncoder(new ErasureCoderOptions(dataShards, parityShards));
        hadoopDecoder = new RSRawDecoder(new ErasureCoderOptions(dataShards, parityShards));

        lostIndices = new int[parityShards];
        for (int i = 0; i < parityShards; i++) {
            lostIndices[i] = i;
        }
        lost = new byte[parityShards][shardSize];
        if (!coder.equals("hadoop")) {
            ours.encode(dataShards, parityShards, data, parity, 0, shardSize);
            shards = new byte[total][];
            present = new boolean[total];
            for (int i = 0; i < total; i++) {
                present[i] = i >= parityShards;
                shards[i] = i < parityShards ? lost[i] : i < dataShards ? data[i] : parity[i - dataShards];
            }
            ours.reconstruct(dataShards, parityShards, shards, present, 0, shardSize);
        } else {
            hadoopEncoder.encode(data, parity);
            // Hadoop's decoder takes data units then parity units, null where erased.
            hadoopInputs = new byte[total][];
            for (int i = 0; i < total; i++) {
                hadoopInputs[i] = i < parityShards ? null : i < dataShards ? data[i] : parity[i - dataShards];
            }
            hadoopOutputs = lost;
            hadoopDecoder.decode(hadoopInputs.clone(), lostIndices, hadoopOutputs);
        }
        for (int i = 0; i < parityShards; i++) {
            if (!Arrays.equals(lost[i], data[i])) {
                throw new IllegalStateException(coder + " did not rebuild data shard " + i);
            }
        }
    }

    @Benchmark
    public byte[][] encode() throws Exception {
        if (coder.equals("hadoop")) {
            hadoopEncoder.encode(data, parity);
        } else {
            ours.encode(dataShards, parityShards, data, parity, 0, shardSize);
        }
        return parity;
    }

    @Benchmark
    public byte[][] decodeMaxMissing() throws Exception {
        if (coder.equals("hadoop")) {
            // A copy of the input array each call (24 or 72 references), so no call depends on what an earlier one did with it.
            hadoopDecoder.decode(hadoopInputs.clone(), lostIndices, hadoopOutputs);
        } else {
            ours.reconstruct(dataShards, parityShards, shards, present, 0, shardSize);
        }
        return lost;
    }
}
