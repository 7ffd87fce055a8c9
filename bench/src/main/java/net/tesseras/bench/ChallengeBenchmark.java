package net.tesseras.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.core.Blake3Tree;
import net.tesseras.core.Blake3Tree.ChunkProof;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.replication.internal.ReplicationMetrics;
import net.tesseras.replication.internal.proof.ChallengeHandler;
import net.tesseras.replication.internal.proof.ChallengeProof;
import net.tesseras.replication.internal.proof.ChallengeRequest;
import net.tesseras.replication.internal.proof.ChunkSelection;
import net.tesseras.storage.internal.db.DatabaseConfig;
import net.tesseras.storage.internal.db.SqliteDatabase;
import net.tesseras.storage.internal.fs.FsFragmentStore;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A possession challenge of 4 chunks of one fragment held in the fs store (warm page cache), side
 * by side with the full re-read it replaces:
 * <ul>
 *   <li>{@code holderProof}: the holder's answer (stream the fragment once, build the 4 proofs,
 *       encode the CHALLENGE_PROOF payload);
 *   <li>{@code requesterVerify}: the requester's check of that answer (decode, selection, 4 proofs);
 *   <li>{@code fullReread}: reading the whole fragment from the store and hashing it, which is what
 *       checking a holder by fetching the fragment costs on top of moving it over the network.
 * </ul>
 * The bytes that cross the network per check (the CHALLENGE_PROOF payload, or the whole fragment)
 * are printed once per trial as {@code wire bytes}; no network is in the timings.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ChallengeBenchmark {

    private static final int CHUNKS = 4;

    /** 640 KiB, and 5 MiB. */
    @Param({"655360", "5242880"})
    public int fragmentSize;

    private Path dir;
    private SqliteDatabase database;
    private FsFragmentStore fs;
    private ChallengeHandler handler;
    private ContentHash tessera;
    private ContentHash checksum;
    private ChallengeRequest request;
    private ByteBuffer answer;

    @Setup(Level.Trial)
    public void store() throws IOException {
        dir = Files.createTempDirectory("challenge-bench");
        database = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("db/tesseras.db")));
        fs = FsFragmentStore.open("fs", dir.resolve("fragments"), database, 0, true);
        Random random = new Random(2);
        byte[] name = new byte[32];
        random.nextBytes(name);
        tessera = Blake3Hashing.hash(name);
        byte[] bytes = new byte[fragmentSize];
        random.nextBytes(bytes);
        checksum = Blake3Hashing.hash(bytes);
        fs.store(new FragmentId(tessera, 0, false, checksum), ByteBuffer.wrap(bytes));
        handler = new ChallengeHandler(() -> fs, ReplicationMetrics.NONE);
        byte[] nonce = new byte[32];
        random.nextBytes(nonce);
        request = new ChallengeRequest(tessera, nonce, CHUNKS, List.of(0));
        answer = handler.prove(request).toBuffer();
        // Printed, not a JMH counter: the size is fixed per trial and a counter would sum it over operations.
        System.out.println("wire bytes for " + fragmentSize + "-byte fragment: challenge " + request.toBuffer().remaining()
                + " + proof " + answer.remaining() + ", full re-read " + fragmentSize);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        fs.close();
        database.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    @Benchmark
    public ByteBuffer holderProof() {
        return handler.prove(request).toBuffer();
    }

    @Benchmark
    public boolean requesterVerify() {
        ChallengeProof proof = ChallengeProof.parse(answer.duplicate());
        long[] selected = ChunkSelection.select(request.nonce(), 0, fragmentSize, CHUNKS);
        boolean ok = true;
        List<ChunkProof> chunks = proof.fragments().get(0).chunks();
        for (int i = 0; i < chunks.size(); i++) {
            ok &= chunks.get(i).chunk() == selected[i] && Blake3Tree.verify(checksum, fragmentSize, chunks.get(i));
        }
        if (!ok) {
            throw new IllegalStateException("the benchmark's own proof does not verify");
        }
        return ok;
    }

    @Benchmark
    public ContentHash fullReread() throws IOException {
        try (SeekableByteChannel channel = fs.open(tessera, 0).orElseThrow()) {
            return Blake3Hashing.hash(channel);
        }
    }
}
