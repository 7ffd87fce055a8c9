package net.tesseras.replication.internal.proof;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import net.tesseras.core.ContentHash;
import net.tesseras.replication.Peer;
import net.tesseras.replication.TesseraStatus.Proof;
import net.tesseras.replication.internal.ReplicationMetrics;
import net.tesseras.replication.internal.proof.ChallengeProof.FragmentAnswer;
import net.tesseras.replication.internal.proof.ChallengeProof.Status;
import net.tesseras.replication.internal.proof.Proofs.ChallengeCheck;
import net.tesseras.replication.internal.wire.MessageTypes;
import net.tesseras.storage.internal.db.DatabaseConfig;
import net.tesseras.storage.internal.db.SqliteDatabase;
import net.tesseras.storage.internal.fs.FsFragmentStore;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerException;
import net.tesseras.transport.PeerMessage;
import net.tesseras.transport.PeerRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The holder's side on the real fs store, checked by the requester's side. */
class ChallengeHandlerTest {

    private static final TestTessera TESSERA = TestTessera.of(4, (4L << 20) + 4000);

    @TempDir
    Path dir;

    private SqliteDatabase db;
    private FsFragmentStore fs;
    private final Peer holder = TestHolders.peer(TestHolders.identity());
    private final LoopbackClient client = new LoopbackClient(TestHolders.identity().nodeId());

    @BeforeEach
    void open() {
        db = SqliteDatabase.open(DatabaseConfig.file(dir.resolve("db/tesseras.db")));
        fs = FsFragmentStore.open("fs", dir.resolve("fragments"), db, 0, true);
    }

    @AfterEach
    void close() {
        fs.close();
        db.close();
    }

    @Test
    void anHonestHolderPassesWithAFewKibPerFragment() {
        TESSERA.storeAllIn(fs);
        long[] served = new long[2];
        client.handle(MessageTypes.CHALLENGE, new ChallengeHandler(() -> fs, new ReplicationMetrics() {
            @Override
            public void challengeServed(long bytes, long nanos) {
                served[0]++;
                served[1] += bytes;
            }
        }));
        ChallengeCheck check = new PeerProofs(client, Duration.ofSeconds(30), ReplicationMetrics.NONE).challenge(holder, TESSERA.plan(),
                IntStream.range(0, 24).boxed().toList(), 4);
        assertEquals(Proof.PASSED, check.outcome(), check.detail());
        assertEquals(IntStream.range(0, 24).boxed().collect(Collectors.toCollection(TreeSet::new)), check.passed());
        assertEquals(Set.of(), check.failed());
        assertEquals(1, served[0]);
        assertEquals(served[1], check.bytesReceived());
        // Per fragment 12 bytes and 4 chunks of 1 KiB with at most 9 sibling values (257 chunks): about
        // 5 KiB, not the 256 KiB fragment.
        assertTrue(check.bytesReceived() <= 66 + 24 * (12 + 4 * (4 + 2 + 1024 + 1 + 9 * 32)), "bytes " + check.bytesReceived());
    }

    @Test
    void aByteFlippedOnDiskFailsExactlyThatFragment() throws IOException {
        TESSERA.storeAllIn(fs);
        // The nonce the requester will draw, so the flip lands in a chunk it selects.
        byte[] nonce = new byte[32];
        new Random(77).nextBytes(nonce);
        long chunk = ChunkSelection.select(nonce, 7, TESSERA.plan().plan().shardSize(), 2)[1];
        Path shard = dir.resolve("fragments").resolve(TESSERA.tessera().toHex()).resolve("007.shard");
        flip(shard, chunk * 1024 + 100);

        client.handle(MessageTypes.CHALLENGE, new ChallengeHandler(() -> fs, ReplicationMetrics.NONE));
        ChallengeCheck check = new PeerProofs(client, Duration.ofSeconds(30), ReplicationMetrics.NONE, new Random(77), 64)
                .challenge(holder, TESSERA.plan(), List.of(5, 6, 7, 8), 2);

        assertEquals(Proof.FAILED, check.outcome());
        assertEquals(new TreeSet<>(Set.of(7)), check.failed());
        assertEquals(new TreeSet<>(Set.of(5, 6, 8)), check.passed());
        // The fs store notices the damage itself when the read reaches the end.
        assertTrue(check.detail().contains("fragment 7 is listed but unreadable"), check.detail());
    }

    @Test
    void fragmentsNotHeldAreReportedAndTheRestProven() {
        TESSERA.storeIn(fs, 0, 1, 2);
        client.handle(MessageTypes.CHALLENGE, new ChallengeHandler(() -> fs, ReplicationMetrics.NONE));
        ChallengeCheck check = new PeerProofs(client, Duration.ofSeconds(30), ReplicationMetrics.NONE)
                .challenge(holder, TESSERA.plan(), List.of(0, 1, 2, 3, 20), 3);
        assertEquals(Proof.FAILED, check.outcome());
        assertEquals(new TreeSet<>(Set.of(0, 1, 2)), check.passed());
        assertEquals(new TreeSet<>(Set.of(3, 20)), check.failed());
        assertTrue(check.detail().contains("fragment 3 is not held") && check.detail().contains("fragment 20 is not held"),
                check.detail());
    }

    @Test
    void aFragmentWhoseBytesAreGoneIsUnreadable() {
        TESSERA.storeIn(fs, 0);
        CountingStore lost = new CountingStore(fs) {
            @Override
            public Optional<SeekableByteChannel> open(ContentHash tessera, int index) {
                return Optional.empty();
            }
        };
        ChallengeProof answer = new ChallengeHandler(() -> lost, ReplicationMetrics.NONE)
                .prove(new ChallengeRequest(TESSERA.tessera(), new byte[32], 1, List.of(0, 1)));
        assertEquals(List.of(FragmentAnswer.without(0, Status.UNREADABLE), FragmentAnswer.without(1, Status.NOT_HELD)),
                answer.fragments());
    }

    @Test
    void challengesBeyondTheByteBudgetAreRefusedBeforeReading() {
        TESSERA.storeAllIn(fs);
        CountingStore counting = new CountingStore(fs);
        ChallengeHandler handler = new ChallengeHandler(() -> counting, ReplicationMetrics.NONE, 2, 3 * TESSERA.plan().plan().shardSize());
        PeerException e = assertThrows(PeerException.class, () -> handler.handle(request(List.of(0, 1, 2, 3))));
        assertEquals(ErrorCode.TOO_LARGE, e.code());
        assertTrue(e.getMessage().contains("challenge fewer fragments"), e.getMessage());
        assertEquals(0, counting.byteReads());
        handler.handle(request(List.of(0, 1, 2)));
        assertEquals(3, counting.opens.get());
    }

    @Test
    void moreChallengesAtOnceThanAllowedAreOverloaded() throws Exception {
        TESSERA.storeIn(fs, 0);
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountingStore slow = new CountingStore(fs) {
            @Override
            public Optional<SeekableByteChannel> open(ContentHash tessera, int index) {
                inside.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.open(tessera, index);
            }
        };
        ChallengeHandler handler = new ChallengeHandler(() -> slow, ReplicationMetrics.NONE, 1, 1L << 30);
        CompletableFuture<PeerMessage> first = CompletableFuture.supplyAsync(() -> handler.handle(request(List.of(0))));
        assertTrue(inside.await(10, TimeUnit.SECONDS));
        PeerException e = assertThrows(PeerException.class, () -> handler.handle(request(List.of(0))));
        assertEquals(ErrorCode.OVERLOADED, e.code());
        release.countDown();
        assertEquals(MessageTypes.CHALLENGE_PROOF, first.get(10, TimeUnit.SECONDS).type());
        assertEquals(MessageTypes.CHALLENGE_PROOF, handler.handle(request(List.of(0))).type(), "the slot is free again");
    }

    @Test
    void withoutAStoreTheAnswerIsUnavailable() {
        PeerException e = assertThrows(PeerException.class,
                () -> new ChallengeHandler(() -> null, ReplicationMetrics.NONE).handle(request(List.of(0))));
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
    }

    private PeerRequest request(List<Integer> indices) {
        return new PeerRequest(TestHolders.identity().nodeId(), new InetSocketAddress("127.0.0.1", 5000), new PeerMessage(
                MessageTypes.CHALLENGE, new ChallengeRequest(TESSERA.tessera(), new byte[32], 4, indices).toBuffer()));
    }

    private static void flip(Path file, long offset) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, offset);
            one.put(0, (byte) (one.get(0) ^ 0x01)).rewind();
            channel.write(one, offset);
        }
    }
}
