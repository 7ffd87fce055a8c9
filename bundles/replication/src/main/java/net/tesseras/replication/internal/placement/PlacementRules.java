package net.tesseras.replication.internal.placement;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.tesseras.core.ContentHash;
import net.tesseras.identity.NodeId;
import net.tesseras.replication.Peer;
import net.tesseras.replication.internal.peers.XorDistance;

/**
 * Which peers hold a tessera: the candidates closest to it by XOR distance, with at most
 * {@value #PER_SUBNET} peers per subnet (/24 for IPv4, /48 for IPv6; a constructor parameter) and at most
 * ceil(n / 3.5) institutional peers among n chosen, so that neither one network nor one institution
 * holds most of it. Unlike the original, a candidate a rule drops is replaced by the next one that
 * passes (backfill), so the set does not shrink while candidates remain. Pure and thread safe.
 */
public final class PlacementRules {

    /** Peers of one subnet among the holders of one tessera: the original's rule. */
    public static final int PER_SUBNET = 2;

    private final int perSubnet;

    /** The original's rule: at most {@value #PER_SUBNET} holders per subnet. */
    public PlacementRules() {
        this(PER_SUBNET);
    }

    /**
     * @param perSubnet holders of one subnet at most. Nodes on one machine share a subnet (all of
     *     127.0.0.1 is one /24): a loopback network should listen on distinct 127.x.y.z /24s
     *     rather than raise this
     */
    public PlacementRules(int perSubnet) {
        if (perSubnet < 1) {
            throw new IllegalArgumentException("at least 1 holder per subnet must be allowed, not " + perSubnet);
        }
        this.perSubnet = perSubnet;
    }

    /** Bytes of a tessera hash that form the XOR target (a NodeId's length). */
    public static final int TARGET_LENGTH = NodeId.LENGTH;

    /** The XOR target of a tessera: the first 20 bytes of its hash (not a NodeId: it need not meet the difficulty). */
    public static byte[] target(ContentHash tessera) {
        return Arrays.copyOf(tessera.toBytes(), TARGET_LENGTH);
    }

    /** The candidates ordered by XOR distance of their NodeId to {@code target}, closest first (ties by NodeId). */
    public static List<Peer> byDistance(List<Peer> candidates, byte[] target) {
        Comparator<Peer> distance = (a, b) -> XorDistance.compare(a.nodeId().toBytes(), b.nodeId().toBytes(), target);
        List<Peer> ordered = new ArrayList<>(candidates);
        ordered.sort(distance.thenComparing(Peer::nodeId));
        return ordered;
    }

    /** At most ceil(n / 3.5) = ceil(2n / 7) institutional peers among n holders: 2 of 7. */
    public static int institutionalCap(int holders) {
        return (2 * holders + 6) / 7;
    }

    /**
     * Chooses up to {@code count} new holders for {@code tessera}: candidates in XOR order, each
     * taken unless it would break a rule, counted together with the holders {@code kept} (which
     * stay). Candidates without an address, duplicates and kept peers are skipped. The
     * institutional cap is computed on the intended size: {@code kept.size() + count}.
     *
     * @return the chosen peers, closest first; fewer than {@code count} only when the candidates ran out
     */
    public List<Peer> choose(List<Peer> candidates, ContentHash tessera, int count, List<Peer> kept) {
        if (count < 0) {
            throw new IllegalArgumentException("the number of holders to choose must not be negative: " + count);
        }
        Map<String, Integer> bySubnet = new HashMap<>();
        Set<NodeId> taken = new HashSet<>();
        int institutional = 0;
        for (Peer peer : kept) {
            taken.add(peer.nodeId());
            if (!peer.addresses().isEmpty()) {
                bySubnet.merge(subnet(peer.address()), 1, Integer::sum);
            }
            institutional += peer.institutional() ? 1 : 0;
        }
        int institutionalCap = institutionalCap(kept.size() + count);
        List<Peer> chosen = new ArrayList<>(count);
        for (Peer peer : byDistance(candidates, target(tessera))) {
            if (chosen.size() == count) {
                break;
            }
            if (peer.addresses().isEmpty() || taken.contains(peer.nodeId())) {
                continue;
            }
            String subnet = subnet(peer.address());
            if (bySubnet.getOrDefault(subnet, 0) >= perSubnet) {
                continue; // backfilled by a further candidate
            }
            if (peer.institutional() && institutional >= institutionalCap) {
                continue;
            }
            taken.add(peer.nodeId());
            bySubnet.merge(subnet, 1, Integer::sum);
            institutional += peer.institutional() ? 1 : 0;
            chosen.add(peer);
        }
        return chosen;
    }

    /**
     * The subnet of an address: the first 3 bytes of an IPv4 address (/24), the first 6 of an
     * IPv6 address (/48); an unresolved host name is its own subnet.
     */
    public static String subnet(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            return "host:" + address.getHostString();
        }
        byte[] bytes = ip.getAddress();
        int prefix = bytes.length == 4 ? 3 : 6;
        StringBuilder key = new StringBuilder(bytes.length == 4 ? "v4:" : "v6:");
        for (int i = 0; i < prefix; i++) {
            key.append(String.format("%02x", bytes[i] & 0xFF));
        }
        return key.toString();
    }
}
