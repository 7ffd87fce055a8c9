package net.tesseras.transport;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionStage;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.storage.FragmentInfo;

/**
 * Requests to other nodes over the node's pooled, mutually authenticated connections. Every
 * method is asynchronous and fails with a {@link PeerException} whose {@link ErrorCode} says why
 * (the peer's ERROR, or TIMEOUT, CONNECTION, UNAUTHENTICATED raised locally). No method deletes
 * anything on a peer: the protocol has no remote delete.
 */
@org.osgi.annotation.versioning.ProviderType
public interface PeerClient {

    /**
     * Service property of the registered PeerClient: the address the node's endpoint listens on
     * (a String, {@code 0.0.0.0} or {@code ::} for every interface), for bundles that tell peers how
     * to reach this node.
     */
    String LISTEN_ADDRESS_PROPERTY = "transport.listen.address";

    /** Service property of the registered PeerClient: the UDP port the node listens on (an Integer). */
    String LISTEN_PORT_PROPERTY = "transport.listen.port";

    /** Asks the peer who it is; the answer carries its authenticated NodeId and the round trip. */
    CompletionStage<PeerInfo> ping(InetSocketAddress peer);

    /**
     * Reads a whole fragment into memory (up to the transport's {@code max.fragment.mb}) and checks it
     * against {@code id}'s checksum (what the caller expects, from a manifest, an attestation or a
     * {@link #list}); a mismatch fails with {@link ErrorCode#CHECKSUM_MISMATCH}. Large fragments
     * are better {@link #fetch fetched}.
     */
    CompletionStage<ByteBuffer> get(InetSocketAddress peer, FragmentId id);

    /**
     * Streams a fragment into {@code target} with bounded memory whatever its size, verified against
     * the checksum the peer's index lists for it (asked first); {@code target} is written through
     * a temporary file and only replaced once complete and verified.
     *
     * @return what the peer's index says about it
     */
    CompletionStage<FragmentInfo> fetch(InetSocketAddress peer, ContentHash tessera, int index, Path target);

    /** Stores a fragment on the peer; the peer verifies the checksum before storing, and credits this node. */
    CompletionStage<Void> put(InetSocketAddress peer, FragmentId id, ByteBuffer data);

    /** The peer's index entries for one tessera (no blob is read on the peer). */
    CompletionStage<List<FragmentInfo>> list(InetSocketAddress peer, ContentHash tessera);

    /** Sends an extension message (see {@link MessageHandler}) and returns the peer's answer. */
    CompletionStage<PeerMessage> request(InetSocketAddress peer, PeerMessage message);

    /** The pool's connections, inbound and outbound, most recently used first. */
    List<PeerConnectionInfo> connections();
}
