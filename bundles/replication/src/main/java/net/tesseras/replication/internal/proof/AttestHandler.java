package net.tesseras.replication.internal.proof;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import net.tesseras.core.ContentHash;
import net.tesseras.identity.NodeIdentity;
import net.tesseras.replication.internal.ReplicationMetrics;
import net.tesseras.replication.internal.wire.MessageTypes;
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
 * Answers ATTEST (holder side) with an {@link Attestation} signed by this node's key, built from
 * the store's index alone: {@link FragmentStore#fragments} and nothing else, so not one fragment
 * byte is read however many fragments are held. A tessera of which nothing is held is attested
 * with no entries (signed all the same: the requester learns it for certain).
 *
 * <p>ERRORs: MALFORMED for a payload that is not exactly tessera 32 + nonce 32; UNAVAILABLE when
 * there is no store or identity right now, or the index cannot be read.
 */
public final class AttestHandler implements MessageHandler {

    private static final Logger LOG = LoggerFactory.getLogger(AttestHandler.class);

    private final Supplier<FragmentStore> store;
    private final Supplier<NodeIdentity> identity;
    private final Clock clock;
    private final ReplicationMetrics metrics;

    /**
     * @param store the node's fragment store, or a supplier of null while there is none
     * @param identity this node's identity, or a supplier of null while there is none
     * @param clock gives the attestation's timestamp
     * @param metrics counts attestations served ({@link ReplicationMetrics#NONE} in tests)
     */
    public AttestHandler(Supplier<FragmentStore> store, Supplier<NodeIdentity> identity, Clock clock, ReplicationMetrics metrics) {
        this.store = Objects.requireNonNull(store, "store");
        this.identity = Objects.requireNonNull(identity, "identity");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    @Override
    public PeerMessage handle(PeerRequest request) {
        long started = System.nanoTime();
        AttestRequest ask = AttestRequest.parse(request.payload());
        Attestation attestation = attest(ask.tessera(), ask.nonce());
        metrics.attestationServed(System.nanoTime() - started);
        return new PeerMessage(MessageTypes.ATTESTATION, ByteBuffer.wrap(attestation.toBytes()));
    }

    /**
     * Builds and signs the attestation of {@code tessera} for {@code nonce} from the index.
     *
     * @throws PeerException UNAVAILABLE when there is no store or identity, or the index cannot be read
     */
    public Attestation attest(ContentHash tessera, byte[] nonce) {
        FragmentStore fragments = store.get();
        if (fragments == null) {
            throw new PeerException(ErrorCode.UNAVAILABLE, "this node has no fragment store right now, so it cannot attest tessera "
                    + tessera + "; ask again later");
        }
        NodeIdentity signer = identity.get();
        if (signer == null) {
            throw new PeerException(ErrorCode.UNAVAILABLE, "this node has no identity right now, so it cannot sign an attestation"
                    + " of tessera " + tessera + "; ask again later");
        }
        List<Attestation.Entry> entries;
        try {
            entries = fragments.fragments(tessera).stream().map(Attestation.Entry::of)
                    .sorted(Comparator.comparingInt(Attestation.Entry::index)).toList();
        } catch (FragmentStoreException e) {
            // The store's message may name local paths: it goes to the log, not to the peer.
            LOG.warn("Cannot list tessera {} for an attestation: {}", tessera, e.getMessage());
            throw new PeerException(ErrorCode.UNAVAILABLE, "this node cannot read its index of tessera " + tessera
                    + " right now; ask again later", e);
        }
        return Attestation.sign(signer, tessera, nonce, clock.millis(), entries);
    }
}
