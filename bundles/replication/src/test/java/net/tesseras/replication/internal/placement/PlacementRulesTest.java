package net.tesseras.replication.internal.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import net.tesseras.core.ContentHash;
import net.tesseras.replication.Peer;
import org.junit.jupiter.api.Test;

class PlacementRulesTest {

    private final TestPeers peers = new TestPeers(11);
    private final PlacementRules rules = new PlacementRules();

    private static ContentHash hash(long seed) {
        byte[] bytes = new byte[32];
        new Random(seed).nextBytes(bytes);
        return ContentHash.of(bytes);
    }

    private static BigInteger distance(Peer peer, byte[] target) {
        byte[] id = peer.nodeId().toBytes();
        byte[] x = new byte[20];
        for (int i = 0; i < 20; i++) {
            x[i] = (byte) (id[i] ^ target[i]);
        }
        return new BigInteger(1, x);
    }

    /** Distinct subnets for peers that should not be dropped for their subnet. */
    private List<Peer> spreadOut(int n) {
        List<Peer> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(peers.at("10." + (i / 200) + "." + (i % 200) + ".1"));
        }
        return list;
    }

    @Test
    void xorOrderMatchesABruteForceDistanceOverTheFirst20BytesOfTheHash() {
        List<Peer> candidates = spreadOut(60);
        for (long seed = 0; seed < 20; seed++) {
            ContentHash tessera = hash(seed);
            byte[] target = PlacementRules.target(tessera);
            assertEquals(20, target.length);
            List<Peer> expected = new ArrayList<>(candidates);
            expected.sort(Comparator.comparing((Peer p) -> distance(p, target)));
            assertEquals(expected, PlacementRules.byDistance(candidates, target));
            assertEquals(expected.subList(0, 7), rules.choose(candidates, tessera, 7, List.of()),
                    "without rule conflicts the 7 closest are chosen, in order");
        }
    }

    @Test
    void atMostTwoPeersPerIpv4SubnetAndTheDroppedOnesAreBackfilled() {
        List<Peer> candidates = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            candidates.add(peers.at("192.168.7." + (i + 1)));
        }
        candidates.addAll(spreadOut(10));
        List<Peer> chosen = rules.choose(candidates, hash(1), 7, List.of());
        assertEquals(7, chosen.size(), "backfilled from further candidates");
        long sameSubnet = chosen.stream().filter(p -> p.address().getAddress().getHostAddress().startsWith("192.168.7.")).count();
        assertEquals(2, sameSubnet);
        // The two of the crowded subnet are its closest two.
        byte[] target = PlacementRules.target(hash(1));
        List<Peer> crowded = PlacementRules.byDistance(candidates.subList(0, 6), target);
        assertTrue(chosen.containsAll(crowded.subList(0, 2)));
    }

    @Test
    void theSubnetCapIsAParameterAndLoopbackIsOneSubnet() {
        List<Peer> loopback = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            loopback.add(peers.at("127.0.0.1"));
        }
        assertEquals(2, rules.choose(loopback, hash(6), 7, List.of()).size(), "every node on 127.0.0.1 shares one /24");
        assertEquals(3, new PlacementRules(3).choose(loopback, hash(6), 7, List.of()).size());
        List<Peer> ownSubnets = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            ownSubnets.add(peers.at("127.0." + (i + 1) + ".1"));
        }
        assertEquals(7, rules.choose(ownSubnets, hash(6), 7, List.of()).size(), "a loopback network on distinct 127.x.y/24s");
    }

    @Test
    void ipv6PeersShareASubnetByTheirFirst48Bits() {
        Peer a = peers.at("2001:db8:1:1::1");
        Peer b = peers.at("2001:db8:1:2::1");
        Peer c = peers.at("2001:db8:1:ffff::9");
        Peer d = peers.at("2001:db8:2::1");
        assertEquals(PlacementRules.subnet(a.address()), PlacementRules.subnet(c.address()));
        assertNotEquals(PlacementRules.subnet(a.address()), PlacementRules.subnet(d.address()));
        List<Peer> chosen = rules.choose(List.of(a, b, c, d), hash(2), 4, List.of());
        assertEquals(3, chosen.size(), "only two of 2001:db8:1::/48, and no fourth candidate to backfill");
        assertTrue(chosen.contains(d));
    }

    @Test
    void atMostTwoInstitutionalPeersOfSevenBackfilledByOthers() {
        List<Peer> candidates = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            candidates.add(peers.institutional("172.16." + i + ".1"));
        }
        candidates.addAll(spreadOut(10));
        List<Peer> chosen = rules.choose(candidates, hash(3), 7, List.of());
        assertEquals(7, chosen.size());
        assertEquals(2, chosen.stream().filter(Peer::institutional).count());
        assertEquals(2, PlacementRules.institutionalCap(7));
        assertEquals(1, PlacementRules.institutionalCap(3));
        assertEquals(7, PlacementRules.institutionalCap(24));
    }

    @Test
    void keptHoldersCountTowardsTheRulesAndAreNotChosenAgain() {
        Peer kept1 = peers.at("192.168.9.1");
        Peer kept2 = peers.institutional("192.168.9.2");
        List<Peer> candidates = new ArrayList<>(List.of(kept1, peers.at("192.168.9.3"), peers.institutional("172.20.0.1"),
                peers.institutional("172.21.0.1")));
        candidates.addAll(spreadOut(5));
        List<Peer> chosen = rules.choose(candidates, hash(4), 5, List.of(kept1, kept2));
        assertEquals(5, chosen.size());
        assertTrue(chosen.stream().noneMatch(p -> p.address().getAddress().getHostAddress().startsWith("192.168.9.")),
                "the subnet is full with the kept holders");
        assertEquals(1, chosen.stream().filter(Peer::institutional).count(), "2 of 7 institutional, one of them kept");
        assertTrue(!chosen.contains(kept1));
    }

    @Test
    void fewerCandidatesThanWantedGiveFewerHolders() {
        assertEquals(3, rules.choose(spreadOut(3), hash(5), 7, List.of()).size());
        assertEquals(List.of(), rules.choose(List.of(), hash(5), 7, List.of()));
    }
}
