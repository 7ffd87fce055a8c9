package net.tesseras.replication.internal.proof;

import java.util.Collection;
import java.util.SortedSet;
import net.tesseras.replication.Peer;
import net.tesseras.replication.TesseraStatus.Proof;
import net.tesseras.tessera.SignedFragmentPlan;

/**
 * Asks holders to prove what they hold (requester side). Never throws for a failed or unanswered
 * proof: the result says how it went. Thread safe; blocks the caller until the answer or the
 * transport's timeout.
 */
public interface Proofs {

    /**
     * Asks {@code holder} for a signed attestation of the plan's tessera with a fresh nonce, and
     * verifies it: signed by the holder's key over the exact bytes of docs/PROTOCOL.md, carrying our
     * nonce, and listing entries that match the plan.
     *
     * @return {@code proven}: the indices whose entry matches the plan's checksum and shard size
     */
    AttestationCheck attest(Peer holder, SignedFragmentPlan plan);

    /**
     * Challenges {@code holder} on real bytes: a fresh nonce selects {@code chunksPerFragment} 1 KiB
     * chunks of each fragment of {@code fragments}; the answer's chunks and BLAKE3 tree proofs are
     * verified against the plan's checksums.
     */
    ChallengeCheck challenge(Peer holder, SignedFragmentPlan plan, Collection<Integer> fragments, int chunksPerFragment);

    /** @param proven indices attested as the plan says; {@code detail} says why not PASSED */
    record AttestationCheck(Proof outcome, SortedSet<Integer> proven, String detail) {
    }

    /**
     * @param passed indices whose every chunk verified
     * @param failed indices with a chunk that did not verify or was not answered
     * @param bytesReceived payload bytes of the answer
     */
    record ChallengeCheck(Proof outcome, SortedSet<Integer> passed, SortedSet<Integer> failed, long bytesReceived,
            String detail) {
    }
}
