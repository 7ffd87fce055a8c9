package net.tesseras.replication.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** etc/net.tesseras.replication.cfg under the one configuration rule: every bad value refused, the last good kept. */
class ReplicationConfigTest {

    private static final String NODE = "00180c19dc4c28430103e0db729d1deff3773f40";

    @Test
    void theShippedDefaultsAreClean() {
        var checked = ReplicationConfig.RULES.check(props(Map.of()));
        assertTrue(checked.clean());
        assertEquals(7, checked.config().replication_factor());
        assertEquals(List.of(), ReplicationConfig.Settings.bootstrap(checked.config()));
    }

    @Test
    void bootstrapPeersAreHostAndPortListsAndABadEntryIsRefusedKeepingTheLastGoodList() {
        String pid = "net.tesseras.replication-test" + System.nanoTime();
        var good = ReplicationConfig.RULES.check(props(pid, Map.of("bootstrap", "127.0.1.1:4433, [::1]:4434,node.example:4435")));
        assertTrue(good.clean());
        good.accepted();
        List<InetSocketAddress> seeds = ReplicationConfig.Settings.bootstrap(good.config());
        assertEquals(List.of("127.0.1.1:4433", "::1:4434", "node.example:4435"),
                seeds.stream().map(a -> a.getHostString() + ":" + a.getPort()).toList());

        for (String bad : new String[] {"127.0.1.1", "127.0.1.1:0", "127.0.1.1:70000", "127.0.1.1:port", "[::1:4433", ":4433"}) {
            var refused = ReplicationConfig.RULES.check(props(pid, Map.of("bootstrap", bad)));
            assertFalse(refused.clean(), bad);
            assertTrue(refused.usable(), bad);
            assertEquals(3, ReplicationConfig.Settings.bootstrap(refused.config()).size(), "the last good list is kept for " + bad);
        }
    }

    @Test
    void everyNumberOutOfRangeAndEveryBadNodeIdIsRefused() {
        String pid = "net.tesseras.replication-test" + System.nanoTime();
        Map<String, Object> bad = new HashMap<>();
        bad.put("replication.factor", "0");
        bad.put("repair.interval.seconds", "5");
        bad.put("ledger.deficit.limit.mb", "-1");
        bad.put("challenge.chunks", "0");
        bad.put("institutional", NODE + ", not-a-node-id");
        bad.put("advertise.address", "127.0.0.1:99999");
        var checked = ReplicationConfig.RULES.check(props(pid, bad));
        assertFalse(checked.clean());
        ReplicationConfig config = checked.config();
        assertEquals(7, config.replication_factor());
        assertEquals(3600, config.repair_interval_seconds());
        assertEquals(256, config.ledger_deficit_limit_mb());
        assertEquals(4, config.challenge_chunks());
        assertEquals(List.of(), ReplicationConfig.Settings.nonBlank(config.institutional()));
        assertEquals("", config.advertise_address());
    }

    @Test
    void anAdvertisedAddressMayOmitItsPort() {
        assertNull(ReplicationConfig.Settings.addressProblem("192.0.2.7", true));
        assertEquals(0, ReplicationConfig.Settings.address("192.0.2.7", false).getPort());
        assertThrows(IllegalArgumentException.class, () -> ReplicationConfig.Settings.address("192.0.2.7", true));
        assertTrue(ReplicationConfig.Settings.nodeIdsProblem(new String[] {"xyz"}).contains("not a NodeId"));
    }

    private static Map<String, Object> props(Map<String, Object> values) {
        return props("net.tesseras.replication-test" + System.nanoTime(), values);
    }

    private static Map<String, Object> props(String pid, Map<String, Object> values) {
        Map<String, Object> p = new HashMap<>(values);
        p.put("service.pid", pid);
        return p;
    }
}
