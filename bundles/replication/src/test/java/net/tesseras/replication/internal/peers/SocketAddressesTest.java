package net.tesseras.replication.internal.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How addresses are stored, and which announced addresses are made dialable or dropped. */
class SocketAddressesTest {

    private static InetSocketAddress at(String ip, int port) {
        return new InetSocketAddress(ip, port);
    }

    @Test
    void addressesRoundTripThroughTheirText() throws Exception {
        List<InetSocketAddress> addresses = List.of(at("192.0.2.1", 4433), at("2001:db8::7", 443),
                InetSocketAddress.createUnresolved("seed.example.org", 4433));
        String text = SocketAddresses.formatList(addresses);
        assertEquals("192.0.2.1:4433\n[2001:db8:0:0:0:0:0:7]:443\nseed.example.org:4433", text);
        List<InetSocketAddress> parsed = SocketAddresses.parseList(text);
        assertEquals(addresses.subList(0, 2), parsed.subList(0, 2));
        assertTrue(parsed.get(2).isUnresolved(), "a name stays a name: reading the table asks no DNS");
        assertEquals("seed.example.org", parsed.get(2).getHostString());
        assertEquals(List.of(), SocketAddresses.parseList(""));
        assertThrows(IllegalArgumentException.class, () -> SocketAddresses.parse("no-port"));
    }

    @Test
    void wildcardsAndRemoteLoopbacksBecomeTheObservedIp() throws Exception {
        InetAddress observed = InetAddress.getByName("203.0.113.9");
        assertEquals(List.of(at("203.0.113.9", 4433), at("203.0.113.9", 4434), at("198.51.100.1", 1)),
                SocketAddresses.resolveAnnounced(List.of(at("0.0.0.0", 4433), at("::", 4434), at("127.0.0.1", 4433),
                        at("198.51.100.1", 1)), observed));
        InetAddress local = InetAddress.getByName("127.0.0.1");
        assertEquals(List.of(at("127.0.0.1", 4433)), SocketAddresses.resolveAnnounced(List.of(at("127.0.0.1", 4433)), local),
                "a loopback address is right for a peer on this machine");
        assertEquals(List.of(), SocketAddresses.resolveAnnounced(List.of(at("0.0.0.0", 4433)), null), "nothing to put in its place");
    }

    @Test
    void hearsayKeepsOnlyAddressesUsableSecondHand() throws Exception {
        List<InetSocketAddress> heard = List.of(at("0.0.0.0", 1), at("127.0.0.1", 2), at("198.51.100.1", 3));
        assertEquals(List.of(at("198.51.100.1", 3)), SocketAddresses.usableHearsay(heard, InetAddress.getByName("203.0.113.9")));
        assertEquals(List.of(at("127.0.0.1", 2), at("198.51.100.1", 3)),
                SocketAddresses.usableHearsay(heard, InetAddress.getByName("127.0.0.1")));
    }
}
