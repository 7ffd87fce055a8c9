package net.tesseras.replication.internal.peers;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import net.tesseras.identity.NodeIdentity;

/**
 * How this node describes itself to peers (the lead builds it from the identity service, the
 * transport's listen address and port, and the configuration).
 *
 * @param identity this node's identity
 * @param advertised where peers can reach it, preferred first; IP literals only (a wildcard such
 *        as {@code 0.0.0.0:4433} is fine: the receiver puts the IP it reached this node at in its
 *        place); empty means "where you see me"
 * @param institutional whether this node claims to be institutional
 */
public record SelfDescription(NodeIdentity identity, List<InetSocketAddress> advertised, boolean institutional) {

    public SelfDescription {
        Objects.requireNonNull(identity, "identity");
        advertised = List.copyOf(advertised);
        if (advertised.size() > PeerWire.MAX_ADDRESSES) {
            throw new IllegalArgumentException("at most " + PeerWire.MAX_ADDRESSES + " advertised addresses, got "
                    + advertised.size() + ": " + advertised);
        }
        for (InetSocketAddress address : advertised) {
            if (address.isUnresolved() || address.getPort() == 0) {
                throw new IllegalArgumentException("an advertised address must be an IP address with a port, got " + address);
            }
        }
    }

    /** The description sent on the wire. */
    public PeerDescription describe() {
        return new PeerDescription(identity.publicKey(), identity.nonce(), institutional, advertised);
    }
}
