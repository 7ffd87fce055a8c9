package net.tesseras.replication.internal.proof;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import net.tesseras.core.Blake3Tree;
import net.tesseras.core.Blake3Tree.ChunkProof;
import net.tesseras.core.ContentHash;
import net.tesseras.replication.internal.ReplicationMetrics;
import net.tesseras.replication.internal.proof.ChallengeProof.FragmentAnswer;
import net.tesseras.replication.internal.proof.ChallengeProof.Status;
import net.tesseras.replication.internal.wire.MessageTypes;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.FragmentStoreException;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.MessageHandler;
import net.tesseras.transport.PeerException;
import net.tesseras.transport.PeerMessage;
import net.tesseras.transport.PeerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers CHALLENGE (holder side): streams each challenged fragment once from the store ({@link
 * FragmentStore#open}, bounded memory whatever its size) and answers the chunks the nonce selects
 * ({@link ChunkSelection}) with their BLAKE3 tree proofs, checking in the same pass that the bytes
 * hash to the index's checksum. A fragment the index does not list is answered NOT_HELD, one that
 * cannot be read whole or is damaged (missing file, a hash other than the index's checksum, an I/O
 * error) UNREADABLE: the rest of the answer stands.
 *
 * <p>The work is bounded: at most {@code maxConcurrent} challenges at once (more are answered
 * OVERLOADED) and at most {@code maxBytesPerChallenge} fragment bytes hashed per challenge (more
 * is refused TOO_LARGE before a byte is read), on top of the request's own limits ({@link
 * ChallengeRequest#MAX_FRAGMENTS} fragments, {@link ChallengeRequest#MAX_CHUNKS_PER_FRAGMENT}
 * chunks each).
 */
public final class ChallengeHandler implements MessageHandler {

    /** Challenges answered at once by default. */
    public static final int DEFAULT_MAX_CONCURRENT = 2;

    /** Fragment bytes hashed per challenge by default: 1 GiB (a few seconds of hashing). */
    public static final long DEFAULT_MAX_BYTES_PER_CHALLENGE = 1L << 30;

    private static final Logger LOG = LoggerFactory.getLogger(ChallengeHandler.class);

    private final Supplier<FragmentStore> store;
    private final ReplicationMetrics metrics;
    private final Semaphore running;
    private final int maxConcurrent;
    private final long maxBytesPerChallenge;

    /** With the default limits. */
    public ChallengeHandler(Supplier<FragmentStore> store, ReplicationMetrics metrics) {
        this(store, metrics, DEFAULT_MAX_CONCURRENT, DEFAULT_MAX_BYTES_PER_CHALLENGE);
    }

    /**
     * @param store the node's fragment store, or a supplier of null while there is none
     * @param metrics counts challenges served ({@link ReplicationMetrics#NONE} in tests)
     * @param maxConcurrent challenges answered at once, at least 1
     * @param maxBytesPerChallenge fragment bytes one challenge may make this node hash, at least 1
     */
    public ChallengeHandler(Supplier<FragmentStore> store, ReplicationMetrics metrics, int maxConcurrent, long maxBytesPerChallenge) {
        this.store = Objects.requireNonNull(store, "store");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        if (maxConcurrent < 1 || maxBytesPerChallenge < 1) {
            throw new IllegalArgumentException("challenge limits are at least 1: maxConcurrent " + maxConcurrent
                    + ", maxBytesPerChallenge " + maxBytesPerChallenge);
        }
        this.maxConcurrent = maxConcurrent;
        this.maxBytesPerChallenge = maxBytesPerChallenge;
        this.running = new Semaphore(maxConcurrent);
    }

    @Override
    public PeerMessage handle(PeerRequest request) {
        long started = System.nanoTime();
        ChallengeRequest challenge = ChallengeRequest.parse(request.payload());
        ByteBuffer answer = prove(challenge).toBuffer();
        metrics.challengeServed(answer.remaining(), System.nanoTime() - started);
        return new PeerMessage(MessageTypes.CHALLENGE_PROOF, answer);
    }

    /**
     * The answer to {@code challenge}.
     *
     * @throws PeerException UNAVAILABLE without a store or when its index cannot be read,
     *     OVERLOADED when {@code maxConcurrent} challenges are being answered, TOO_LARGE when the
     *     challenged fragments hold more than {@code maxBytesPerChallenge} bytes
     */
    public ChallengeProof prove(ChallengeRequest challenge) {
        FragmentStore fragments = store.get();
        if (fragments == null) {
            throw new PeerException(ErrorCode.UNAVAILABLE, "this node has no fragment store right now, so it cannot answer a"
                    + " challenge on tessera " + challenge.tessera() + "; ask again later");
        }
        if (!running.tryAcquire()) {
            throw new PeerException(ErrorCode.OVERLOADED, "this node is answering " + maxConcurrent
                    + " challenges already; challenge tessera " + challenge.tessera() + " again later");
        }
        try {
            Map<Integer, FragmentInfo> held = index(fragments, challenge.tessera());
            long bytes = challenge.indices().stream().map(held::get).filter(Objects::nonNull).mapToLong(FragmentInfo::size).sum();
            if (bytes > maxBytesPerChallenge) {
                throw new PeerException(ErrorCode.TOO_LARGE, "a challenge of fragments " + challenge.indices() + " of tessera "
                        + challenge.tessera() + " would make this node hash " + bytes + " bytes; it hashes at most "
                        + maxBytesPerChallenge + " per challenge: challenge fewer fragments at once");
            }
            List<FragmentAnswer> answers = new ArrayList<>(challenge.indices().size());
            for (int index : challenge.indices()) {
                FragmentInfo info = held.get(index);
                answers.add(info == null ? FragmentAnswer.without(index, Status.NOT_HELD) : answer(fragments, challenge, info));
            }
            return new ChallengeProof(challenge.tessera(), challenge.nonce(), answers);
        } finally {
            running.release();
        }
    }

    private static Map<Integer, FragmentInfo> index(FragmentStore fragments, ContentHash tessera) {
        try {
            Map<Integer, FragmentInfo> held = new HashMap<>();
            fragments.fragments(tessera).forEach(info -> held.put(info.id().index(), info));
            return held;
        } catch (FragmentStoreException e) {
            // The store's message may name local paths: it goes to the log, not to the peer.
            LOG.warn("Cannot list tessera {} for a challenge: {}", tessera, e.getMessage());
            throw new PeerException(ErrorCode.UNAVAILABLE, "this node cannot read its index of tessera " + tessera
                    + " right now; ask again later", e);
        }
    }

    private static FragmentAnswer answer(FragmentStore fragments, ChallengeRequest challenge, FragmentInfo info) {
        int index = info.id().index();
        long[] chunks = ChunkSelection.select(challenge.nonce(), index, info.size(), challenge.chunksPerFragment());
        try {
            Optional<SeekableByteChannel> opened = fragments.open(challenge.tessera(), index);
            if (opened.isEmpty()) {
                LOG.warn("Fragment {} of tessera {} is in the index but its bytes are gone; answering a challenge on it as unreadable"
                        + " (repair will replace it)", index, challenge.tessera());
                return FragmentAnswer.without(index, Status.UNREADABLE);
            }
            try (SeekableByteChannel channel = opened.get()) {
                // The tree pass checks the bytes against the index's checksum itself. Moving the
                // position away and back makes the read a range read, which FragmentStore#open
                // does not check, so the fragment is hashed once, not twice.
                if (info.size() > 0) {
                    channel.position(1).position(0);
                }
                List<ChunkProof> proofs = Blake3Tree.prove(channel, info.size(), chunks,
                        info.id().checksum());
                return new FragmentAnswer(index, Status.HELD, info.size(), proofs);
            }
        } catch (IOException | FragmentStoreException e) {
            // The bytes do not hash to the index's checksum, or the read failed: they are not there to prove.
            LOG.warn("Fragment {} of tessera {} is damaged or cannot be read ({}); answering a challenge on it as unreadable"
                    + " (repair will replace it)", index, challenge.tessera(), e.getMessage());
            return FragmentAnswer.without(index, Status.UNREADABLE);
        }
    }
}
