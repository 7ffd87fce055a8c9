package net.tesseras.replication.internal.proof;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.tesseras.core.Blake3Tree;
import net.tesseras.core.Blake3Tree.ChunkProof;
import net.tesseras.core.ContentHash;
import net.tesseras.replication.Peer;
import net.tesseras.replication.TesseraStatus.Proof;
import net.tesseras.replication.internal.ReplicationMetrics;
import net.tesseras.replication.internal.proof.ChallengeProof.FragmentAnswer;
import net.tesseras.replication.internal.proof.ChallengeProof.Status;
import net.tesseras.replication.internal.wire.MessageTypes;
import net.tesseras.tessera.FragmentPlan;
import net.tesseras.tessera.SignedFragmentPlan;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerClient;
import net.tesseras.transport.PeerException;
import net.tesseras.transport.PeerMessage;

/**
 * Asks holders for attestations and challenges over {@link PeerClient#request} and checks the
 * answers against the holder's key and the signed plan (rules in docs/PROTOCOL.md ("Attestations and challenges")).
 *
 * <p>Outcomes: {@link Proof#UNREACHABLE} when no answer could be had (the transport's CONNECTION,
 * TIMEOUT, UNAUTHENTICATED, the holder's OVERLOADED, UNAVAILABLE or INTERNAL, no known address,
 * the asking thread interrupted): no evidence either way. An interrupted caller finds its
 * interrupt flag set again and must record nothing from the check. {@link Proof#FAILED} for any answer that does not prove what was asked:
 * another ERROR, a malformed or unexpected answer, a bad signature, a replayed nonce, a foreign
 * holder or tessera, nothing proven. {@link Proof#PASSED} otherwise, see each method.
 */
public final class PeerProofs implements Proofs {

    private final PeerClient client;
    private final Duration timeout;
    private final ReplicationMetrics metrics;
    private final Random random;
    private final int fragmentsPerRequest;

    /**
     * @param client the node's transport
     * @param timeout how long to wait for one answer
     * @param metrics counts checks ({@link ReplicationMetrics#NONE} in tests)
     */
    public PeerProofs(PeerClient client, Duration timeout, ReplicationMetrics metrics) {
        this(client, timeout, metrics, new SecureRandom(), ChallengeRequest.MAX_FRAGMENTS);
    }

    /** For tests: nonces from {@code random}, at most {@code fragmentsPerRequest} fragments per CHALLENGE. */
    PeerProofs(PeerClient client, Duration timeout, ReplicationMetrics metrics, Random random, int fragmentsPerRequest) {
        this.client = Objects.requireNonNull(client, "client");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.random = Objects.requireNonNull(random, "random");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("a proof timeout is positive, not " + timeout);
        }
        if (fragmentsPerRequest < 1 || fragmentsPerRequest > ChallengeRequest.MAX_FRAGMENTS) {
            throw new IllegalArgumentException("a challenge names 1.." + ChallengeRequest.MAX_FRAGMENTS + " fragments, not "
                    + fragmentsPerRequest);
        }
        this.fragmentsPerRequest = fragmentsPerRequest;
    }

    /**
     * {@inheritDoc}
     *
     * <p>PASSED when the attestation is signed by the holder's key over our nonce for the plan's
     * tessera and at least one entry matches the plan (index, checksum, shard size); entries that
     * do not match are named in {@code detail} and not proven. FAILED when it holds none of them.
     */
    @Override
    public AttestationCheck attest(Peer holder, SignedFragmentPlan plan) {
        AttestationCheck check = checkAttestation(holder, plan.plan());
        metrics.attestationChecked(check.outcome().name().toLowerCase(Locale.ROOT));
        return check;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Fragments are challenged in requests of at most {@link ChallengeRequest#MAX_FRAGMENTS}
     * fragments and {@link ChallengeHandler#DEFAULT_MAX_BYTES_PER_CHALLENGE} bytes, each with its
     * own nonce. PASSED when every fragment's selected chunks verify against the plan's checksum;
     * FAILED when any fragment fails (named in {@code failed} and {@code detail}); UNREACHABLE
     * when a request got no answer (the sets then hold what earlier requests proved).
     *
     * @throws IllegalArgumentException when {@code fragments} is empty or names an index the plan
     *     does not have, or {@code chunksPerFragment} is not 1..{@value ChallengeRequest#MAX_CHUNKS_PER_FRAGMENT}
     */
    @Override
    public ChallengeCheck challenge(Peer holder, SignedFragmentPlan plan, Collection<Integer> fragments, int chunksPerFragment) {
        FragmentPlan facts = plan.plan();
        if (chunksPerFragment < 1 || chunksPerFragment > ChallengeRequest.MAX_CHUNKS_PER_FRAGMENT) {
            throw new IllegalArgumentException("a challenge selects 1.." + ChallengeRequest.MAX_CHUNKS_PER_FRAGMENT
                    + " chunks per fragment, not " + chunksPerFragment);
        }
        TreeSet<Integer> indices = new TreeSet<>(fragments);
        if (indices.isEmpty() || indices.first() < 0 || indices.last() >= facts.totalShards()) {
            throw new IllegalArgumentException("challenge fragments of tessera " + facts.tessera() + " among 0.."
                    + (facts.totalShards() - 1) + ", not " + fragments);
        }
        ChallengeTally tally = new ChallengeTally();
        int perRequest = (int) Math.max(1, Math.min(fragmentsPerRequest,
                ChallengeHandler.DEFAULT_MAX_BYTES_PER_CHALLENGE / Math.max(1, facts.shardSize())));
        List<Integer> batch = new ArrayList<>();
        for (int index : indices) {
            batch.add(index);
            if (batch.size() == perRequest || index == indices.last()) {
                if (!challengeBatch(holder, facts, batch, chunksPerFragment, tally)) {
                    break;
                }
                batch.clear();
            }
        }
        ChallengeCheck check = tally.result();
        metrics.challengeChecked(check.outcome().name().toLowerCase(Locale.ROOT), check.bytesReceived());
        return check;
    }

    private AttestationCheck checkAttestation(Peer holder, FragmentPlan plan) {
        byte[] nonce = nonce();
        PeerMessage answer;
        try {
            answer = call(holder, new PeerMessage(MessageTypes.ATTEST, new AttestRequest(plan.tessera(), nonce).toBuffer()));
        } catch (NoAnswer e) {
            return new AttestationCheck(Proof.UNREACHABLE, new TreeSet<>(), e.getMessage());
        } catch (PeerException e) {
            return attestationFailed("answered ERROR " + e.code() + ": " + e.getMessage());
        }
        if (answer.type() != MessageTypes.ATTESTATION) {
            return attestationFailed("answered message type 0x" + Integer.toHexString(answer.type()) + " to ATTEST instead of"
                    + " ATTESTATION (0x" + Integer.toHexString(MessageTypes.ATTESTATION) + ")");
        }
        Attestation attestation;
        try {
            attestation = Attestation.parse(answer.payload());
        } catch (PeerException e) {
            return attestationFailed(e.getMessage());
        }
        if (!attestation.holder().equals(holder.nodeId())) {
            return attestationFailed("the attestation names holder " + attestation.holder().toHex() + ", not "
                    + holder.nodeId().toHex() + " who was asked");
        }
        if (!attestation.signedBy(holder.publicKey())) {
            return attestationFailed("the attestation's signature does not verify with holder " + holder.nodeId().toHex()
                    + "'s key: it was altered or signed by another key");
        }
        if (!Arrays.equals(attestation.nonce(), nonce)) {
            return attestationFailed("the attestation carries nonce " + HexFormat.of().formatHex(attestation.nonce())
                    + ", not the one just sent: a replayed attestation");
        }
        if (!attestation.tessera().equals(plan.tessera())) {
            return attestationFailed("the attestation is of tessera " + attestation.tessera() + ", not " + plan.tessera()
                    + " which was asked");
        }
        SortedSet<Integer> proven = new TreeSet<>();
        List<String> mismatches = new ArrayList<>();
        for (Attestation.Entry entry : attestation.entries()) {
            String mismatch = mismatch(entry, plan);
            if (mismatch == null) {
                proven.add(entry.index());
            } else {
                mismatches.add(mismatch);
            }
        }
        String detail = attestation.entries().size() + " entries, " + proven.size() + " as the plan says"
                + (mismatches.isEmpty() ? "" : "; " + String.join("; ", mismatches));
        if (proven.isEmpty()) {
            return attestationFailed("holder attests none of the plan's fragments (" + detail + ")");
        }
        return new AttestationCheck(Proof.PASSED, proven, detail);
    }

    private static String mismatch(Attestation.Entry entry, FragmentPlan plan) {
        if (entry.index() >= plan.totalShards()) {
            return "entry " + entry.index() + " is not in the plan (fragments 0.." + (plan.totalShards() - 1) + ")";
        }
        ContentHash expected = plan.checksums().get(entry.index());
        if (!entry.checksum().equals(expected)) {
            return "entry " + entry.index() + " has checksum " + entry.checksum() + ", the plan says " + expected;
        }
        if (entry.size() != plan.shardSize()) {
            return "entry " + entry.index() + " has " + entry.size() + " bytes, the plan says " + plan.shardSize();
        }
        return null;
    }

    private static AttestationCheck attestationFailed(String detail) {
        return new AttestationCheck(Proof.FAILED, new TreeSet<>(), detail);
    }

    /** Challenges one batch; false when the holder could not be asked (stop there). */
    private boolean challengeBatch(Peer holder, FragmentPlan plan, List<Integer> batch, int chunksPerFragment, ChallengeTally tally) {
        byte[] nonce = nonce();
        PeerMessage answer;
        try {
            answer = call(holder, new PeerMessage(MessageTypes.CHALLENGE,
                    new ChallengeRequest(plan.tessera(), nonce, chunksPerFragment, batch).toBuffer()));
        } catch (NoAnswer e) {
            tally.unreachable(e.getMessage());
            return false;
        } catch (PeerException e) {
            tally.failAll(batch, "answered ERROR " + e.code() + ": " + e.getMessage());
            return true;
        }
        tally.bytes += answer.payload().remaining();
        if (answer.type() != MessageTypes.CHALLENGE_PROOF) {
            tally.failAll(batch, "answered message type 0x" + Integer.toHexString(answer.type()) + " to CHALLENGE instead of"
                    + " CHALLENGE_PROOF (0x" + Integer.toHexString(MessageTypes.CHALLENGE_PROOF) + ")");
            return true;
        }
        ChallengeProof proof;
        try {
            proof = ChallengeProof.parse(answer.payload());
        } catch (PeerException e) {
            tally.failAll(batch, e.getMessage());
            return true;
        }
        if (!proof.tessera().equals(plan.tessera()) || !Arrays.equals(proof.nonce(), nonce)) {
            tally.failAll(batch, "the answer is for tessera " + proof.tessera() + " and another nonce than the challenge's"
                    + " (tessera " + plan.tessera() + "): a replayed or misdirected answer");
            return true;
        }
        List<Integer> answered = proof.fragments().stream().map(FragmentAnswer::index).toList();
        if (!answered.equals(batch)) {
            tally.failAll(batch, "the answer covers fragments " + answered + ", the challenge asked " + batch);
            return true;
        }
        for (FragmentAnswer fragment : proof.fragments()) {
            String failure = verify(fragment, plan, nonce, chunksPerFragment);
            if (failure == null) {
                tally.passed.add(fragment.index());
            } else {
                tally.fail(fragment.index(), failure);
            }
        }
        return true;
    }

    /** Why {@code fragment}'s answer does not prove it, or null when it does. */
    private static String verify(FragmentAnswer fragment, FragmentPlan plan, byte[] nonce, int chunksPerFragment) {
        int index = fragment.index();
        if (fragment.status() == Status.NOT_HELD) {
            return "fragment " + index + " is not held";
        }
        if (fragment.status() == Status.UNREADABLE) {
            return "fragment " + index + " is listed but unreadable on the holder (damaged or lost bytes)";
        }
        if (fragment.size() != plan.shardSize()) {
            return "fragment " + index + " has " + fragment.size() + " bytes, the plan says " + plan.shardSize();
        }
        long[] selected = ChunkSelection.select(nonce, index, plan.shardSize(), chunksPerFragment);
        long[] chunks = fragment.chunks().stream().mapToLong(ChunkProof::chunk).toArray();
        if (!Arrays.equals(chunks, selected)) {
            return "fragment " + index + " answered chunks " + Arrays.toString(chunks) + ", the nonce selects "
                    + Arrays.toString(selected);
        }
        ContentHash checksum = plan.checksums().get(index);
        for (ChunkProof chunk : fragment.chunks()) {
            if (!Blake3Tree.verify(checksum, plan.shardSize(), chunk)) {
                return "fragment " + index + ": chunk " + chunk.chunk() + " does not verify against the plan's checksum " + checksum;
            }
        }
        return null;
    }

    private PeerMessage call(Peer holder, PeerMessage request) throws NoAnswer {
        String who = "holder " + holder.nodeId().toHex();
        if (holder.addresses().isEmpty()) {
            throw new NoAnswer(who + " has no known address");
        }
        try {
            return client.request(holder.address(), request).toCompletableFuture().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new NoAnswer(who + " at " + holder.address() + " did not answer within " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NoAnswer("interrupted while waiting for " + who);
        } catch (ExecutionException | CompletionException | PeerException e) {
            Throwable cause = e;
            while ((cause instanceof ExecutionException || cause instanceof CompletionException) && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof PeerException peer) {
                if (isNoAnswer(peer.code())) {
                    throw new NoAnswer(who + " at " + holder.address() + ": " + peer.code() + ", " + peer.getMessage());
                }
                throw peer;
            }
            throw new NoAnswer(who + " at " + holder.address() + " could not be asked: " + cause);
        } catch (RuntimeException e) {
            // The transport refused to send (closed, stopping): nothing was asked.
            throw new NoAnswer(who + " at " + holder.address() + " could not be asked: " + e);
        }
    }

    private static boolean isNoAnswer(ErrorCode code) {
        return switch (code) {
            // INTERNAL is the holder's own trouble (a disk or database error), not evidence that the
            // fragments are gone; treated as transient, as PeerPublisher does for placements.
            case CONNECTION, TIMEOUT, UNAUTHENTICATED, OVERLOADED, UNAVAILABLE, INTERNAL -> true;
            default -> false;
        };
    }

    private byte[] nonce() {
        byte[] nonce = new byte[Attestation.NONCE_LENGTH];
        random.nextBytes(nonce);
        return nonce;
    }

    /** The holder could not be asked or could not answer now: no evidence either way. */
    private static final class NoAnswer extends Exception {
        private static final long serialVersionUID = 1L;

        NoAnswer(String message) {
            super(message, null, false, false);
        }
    }

    /** What a challenge's requests found, batch after batch. */
    private static final class ChallengeTally {
        final SortedSet<Integer> passed = new TreeSet<>();
        final SortedSet<Integer> failed = new TreeSet<>();
        final List<String> details = new ArrayList<>();
        long bytes;
        String unreachable;

        void fail(int index, String why) {
            failed.add(index);
            details.add(why);
        }

        void failAll(List<Integer> batch, String why) {
            failed.addAll(batch);
            details.add("fragments " + batch + ": " + why);
        }

        void unreachable(String why) {
            unreachable = why;
        }

        ChallengeCheck result() {
            Proof outcome = unreachable != null ? Proof.UNREACHABLE : failed.isEmpty() ? Proof.PASSED : Proof.FAILED;
            List<String> all = new ArrayList<>(details);
            if (unreachable != null) {
                all.add(0, unreachable);
            }
            String detail = all.isEmpty() ? passed.size() + " fragments proven" : String.join("; ", all);
            return new ChallengeCheck(outcome, passed, failed, bytes, detail);
        }
    }
}
