package net.tesseras.metrics.internal;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class HttpEndpointComponentTest {

    @Test
    void aPortAnotherSocketListensOnCannotBeListenedOnAndIsFreeOnceClosed() throws Exception {
        int port;
        try (ServerSocket held = new ServerSocket()) {
            held.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            port = held.getLocalPort();
            String problem = HttpEndpointComponent.cannotListen("127.0.0.1", port);
            assertTrue(problem != null && problem.contains("127.0.0.1:" + port), String.valueOf(problem));
        }
        assertNull(HttpEndpointComponent.cannotListen("127.0.0.1", port));
    }

    @Test
    void onlyAddressesOfThisHostAreLocal() {
        assertNull(HttpEndpointComponent.notLocal("127.0.0.1"));
        assertNull(HttpEndpointComponent.notLocal("0.0.0.0"));
        assertNull(HttpEndpointComponent.notLocal("::1"));
        // TEST-NET-1 (RFC 5737): never an interface's address.
        String problem = HttpEndpointComponent.notLocal("192.0.2.1");
        assertTrue(problem != null && problem.contains("not an address of this host"), String.valueOf(problem));
    }
}
