package net.tesseras.replication.internal.wire;

/**
 * The extension message types replication uses (range 0x20..0x2F, allocated in docs/PROTOCOL.md).
 * Every request is answered by its answer type below or by an ERROR (code and reason).
 */
public final class MessageTypes {

    /** Request: a signed fragment plan and the fragment indices offered to the peer. */
    public static final int PLAN_OFFER = 0x20;
    /** Answer to PLAN_OFFER: the indices the peer accepts (it refuses with an ERROR). */
    public static final int PLAN_ACCEPTED = 0x21;
    /** Request: a tessera hash and the requester's fresh nonce. */
    public static final int ATTEST = 0x22;
    /** Answer to ATTEST: the holder's signed attestation. */
    public static final int ATTESTATION = 0x23;
    /** Request: a tessera hash, a nonce and the fragments whose chunks the nonce selects. */
    public static final int CHALLENGE = 0x24;
    /** Answer to CHALLENGE: the selected chunks with their BLAKE3 tree proofs. */
    public static final int CHALLENGE_PROOF = 0x25;
    /** Request: a 20-byte target and the sender's own description (key, nonce, addresses). */
    public static final int FIND_PEERS = 0x26;
    /** Answer to FIND_PEERS: the peers the answerer knows closest to the target. */
    public static final int PEERS = 0x27;
    /** Request: a tessera hash. */
    public static final int GET_PLAN = 0x28;
    /** Answer to GET_PLAN: the signed fragment plan the node holds for that tessera. */
    public static final int PLAN = 0x29;

    private MessageTypes() {
    }
}
