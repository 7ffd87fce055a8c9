package net.tesseras.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.replication.internal.ReplicationMetrics;
import net.tesseras.replication.internal.proof.AttestHandler;
import net.tesseras.replication.internal.proof.Attestation;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.internal.db.DatabaseConfig;
import net.tesseras.storage.internal.db.SqliteDatabase;
import net.tesseras.storage.internal.fs.FsFragmentStore;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * An attestation of 100 fragments of 256 KiB held in the fs store, warm: built from the index and
 * signed (ours, {@link AttestHandler#attest}) side by side with the original's old path, which
 * re-read and re-hashed every fragment to list its checksum (then signed, for a fair comparison).
 * The {@code blobReads} counter is the fragment opens per attestation (summed over an iteration's
 * operations); {@code indexOnly} and {@code signOnly} split ours into its two costs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AttestationBenchmark {

    private static final int FRAGMENTS = 100;
    private static final int FRAGMENT_SIZE = 256 * 1024;

    private Path dir;
    private SqliteDatabase database;
    private FsFragmentStore fs;
    private CountingOpens store;
    private final BenchIdentity identity = new BenchIdentity();
    private AttestHandler handler;
    private ContentHash tessera;
    private final byte[] nonce = new byte[32];
    private byte[] signedBytes;
    private final byte[] bcSecretKey = new byte[32];

    /** Fragment bytes read per attestation, reported next to the time. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Reads {
        public long blobReads;
    }

    /** Counts the fs store's opens (the only byte reads either path could make). */
    static final class CountingOpens extends DelegatingStore {
        final AtomicLong opens = new AtomicLong();

        CountingOpens(FsFragmentStore delegate) {
            super(delegate);
        }

        @Override
        public Optional<SeekableByteChannel> open(ContentHash tessera, int index) {
            opens.incrementAndGet();
            return super.open(tessera, index);
        }

        @Override
        public Optional<ByteBuffer> read(ContentHash tessera, int index) {
            opens.incrementAndGet();
            return super.read(tessera, index);
        }
    }

    @Setup(Level.Trial)
    public void store() throws IOException {
        dir = Files.createTempDirectory("attestation-bench");
        database = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("db/tesseras.db")));
        fs = FsFragmentStore.open("fs", dir.resolve("fragments"), database, 0, true);
        Random random = new Random(1);
        byte[] name = new byte[32];
        random.nextBytes(name);
        tessera = Blake3Hashing.hash(name);
        byte[] bytes = new byte[FRAGMENT_SIZE];
        for (int index = 0; index < FRAGMENTS; index++) {
            random.nextBytes(bytes);
            fs.store(new FragmentId(tessera, index, false, Blake3Hashing.hash(bytes)), ByteBuffer.wrap(bytes));
        }
        store = new CountingOpens(fs);
        handler = new AttestHandler(() -> store, () -> identity, Clock.systemUTC(), ReplicationMetrics.NONE);
        random.nextBytes(nonce);
        signedBytes = handler.attest(tessera, nonce).signedBytes();
        random.nextBytes(bcSecretKey);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        fs.close();
        database.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    /** Ours: the index's entries, signed; zero fragment bytes read. */
    @Benchmark
    public byte[] fromIndex(Reads reads) {
        long before = store.opens.get();
        byte[] answer = handler.attest(tessera, nonce).toBytes();
        reads.blobReads += store.opens.get() - before;
        return answer;
    }

    /** Part of {@link #fromIndex}: the index query alone. */
    @Benchmark
    public List<FragmentInfo> indexOnly() {
        return store.fragments(tessera);
    }

    /** Part of {@link #fromIndex}: the Ed25519 signature alone (the JDK's), over the same bytes. */
    @Benchmark
    public byte[] signOnly() {
        return identity.sign(signedBytes);
    }

    /**
     * Not the node's code: the same signature with BouncyCastle's Ed25519 (already in the
     * distribution for TLS), to show what the JDK's signer costs in {@link #signOnly}.
     */
    @Benchmark
    public byte[] signBouncyCastle() {
        byte[] signature = new byte[org.bouncycastle.math.ec.rfc8032.Ed25519.SIGNATURE_SIZE];
        org.bouncycastle.math.ec.rfc8032.Ed25519.sign(bcSecretKey, 0, signedBytes, 0, signedBytes.length, signature, 0);
        return signature;
    }

    /** The original's old path: re-read and re-hash every fragment held, then sign. */
    @Benchmark
    public byte[] rereadAndRehash(Reads reads) throws IOException {
        long before = store.opens.get();
        List<Attestation.Entry> entries = new ArrayList<>(FRAGMENTS);
        for (FragmentInfo info : store.fragments(tessera)) {
            try (SeekableByteChannel channel = store.open(tessera, info.id().index()).orElseThrow()) {
                entries.add(new Attestation.Entry(info.id().index(), Blake3Hashing.hash(channel), info.size()));
            }
        }
        byte[] answer = Attestation.sign(identity, tessera, nonce, System.currentTimeMillis(), entries).toBytes();
        reads.blobReads += store.opens.get() - before;
        return answer;
    }
}
