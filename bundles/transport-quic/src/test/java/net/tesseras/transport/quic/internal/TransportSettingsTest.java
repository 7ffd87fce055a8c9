package net.tesseras.transport.quic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Set;
import net.tesseras.identity.NodeId;
import net.tesseras.identity.internal.KeyPairIdentity;
import net.tesseras.transport.quic.internal.TransportSettings.WritePolicy;
import org.junit.jupiter.api.Test;

class TransportSettingsTest {

    @Test
    void writesFromPeersAreRefusedUnlessThePolicySaysOtherwise() {
        NodeId peer = KeyPairIdentity.generate().nodeId();
        NodeId other = KeyPairIdentity.generate().nodeId();
        TransportSettings defaults = TransportSettings.defaults();
        assertEquals(WritePolicy.NONE, defaults.writePolicy());
        assertFalse(defaults.mayWrite(peer));
        assertTrue(defaults.toBuilder().writePolicy(WritePolicy.ANY, Set.of()).build().mayWrite(peer));
        TransportSettings listed = defaults.toBuilder().writePolicy(WritePolicy.ALLOW_LIST, Set.of(peer)).build();
        assertTrue(listed.mayWrite(peer));
        assertFalse(listed.mayWrite(other));
        assertFalse(defaults.toBuilder().writePolicy(WritePolicy.NONE, Set.of(peer)).build().mayWrite(peer),
                "none refuses even a peer named in write.allow");
    }

    @Test
    void policiesAreReadFromTheirConfigurationValues() {
        assertEquals(WritePolicy.NONE, WritePolicy.of(" None "));
        assertEquals(WritePolicy.ALLOW_LIST, WritePolicy.of("allow-list"));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> WritePolicy.of("anyone"));
        assertTrue(unknown.getMessage().contains("write.policy") && unknown.getMessage().contains("none, any, allow-list")
                && unknown.getMessage().contains("anyone"), unknown.getMessage());
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> TransportSettings.builder().writePolicy(WritePolicy.ALLOW_LIST, Set.of()).build());
        assertTrue(empty.getMessage().contains("write.allow"), empty.getMessage());
    }

    @Test
    void thePeerTimeoutSetsTheKeepAliveIntervalAndNeedsANewTransport() {
        TransportSettings defaults = TransportSettings.defaults();
        assertEquals(Duration.ofSeconds(15), defaults.peerTimeout());
        assertEquals(Duration.ofSeconds(5), defaults.keepAliveInterval());
        assertTrue(defaults.needRestartFor(defaults.toBuilder().peerTimeout(Duration.ofSeconds(30)).build()));
        assertFalse(defaults.needRestartFor(defaults.toBuilder().writePolicy(WritePolicy.ANY, Set.of()).build()));
        assertThrows(IllegalArgumentException.class, () -> defaults.toBuilder().peerTimeout(Duration.ZERO).build());
    }
}
