package net.tesseras.transport;

import net.tesseras.core.FragmentId;
import net.tesseras.identity.NodeId;
import net.tesseras.storage.FragmentInfo;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Decides which fragments peers may store on this node under the transport's
 * {@code write.policy = replication}: the replication bundle registers one, admitting only fragments
 * of plans it accepted. The transport calls {@link #admit} on its request executor before it reads
 * any byte of a PUT, and {@link #stored} once the store acknowledged the fragment. Under any other
 * write policy no guard is consulted.
 */
@ConsumerType
public interface WriteGuard {

    /**
     * Admits or refuses a PUT before its bytes are read. The store still verifies the bytes against
     * {@code id}'s checksum afterwards.
     *
     * @param sender the authenticated NodeId of the peer sending the fragment
     * @param id the fragment as the PUT announces it (tessera, index, checksum)
     * @param size the announced size in bytes
     * @throws PeerException to refuse: its code and message travel to the sender in an ERROR
     */
    void admit(NodeId sender, FragmentId id, long size);

    /** The fragment {@link #admit admitted} for {@code sender} is now stored (credit it). */
    void stored(NodeId sender, FragmentInfo stored);
}
