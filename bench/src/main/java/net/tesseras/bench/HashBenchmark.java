package net.tesseras.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import net.tesseras.core.Blake3;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** The node's BLAKE3 side by side with commons-codec's, the reference it is tested against. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HashBenchmark {

    @Param({"4096", "65536", "1048576"})
    public int size;

    private byte[] data;

    @Setup
    public void data() {
        data = new byte[size];
        new Random(1).nextBytes(data);
    }

    @Benchmark
    public byte[] tesseras() {
        return Blake3.hash(data);
    }

    @Benchmark
    public byte[] commonsCodec() {
        return org.apache.commons.codec.digest.Blake3.hash(data);
    }
}
