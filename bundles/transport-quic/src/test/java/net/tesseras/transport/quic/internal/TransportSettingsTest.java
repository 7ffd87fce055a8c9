package net.tesseras.transport.quic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import net.tesseras.identity.NodeId;
import net.tesseras.identity.internal.KeyPairIdentity;
import net.tesseras.storage.FragmentStore;
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

    @Test
    void theFragmentLimitAgreesWithTheStoresLargestFragment() throws Exception {
        assertEquals(FragmentStore.MAX_FRAGMENT_SIZE, TransportSettings.defaults().maxFragmentBytes(),
                "by default every fragment a store accepts can travel");
        assertEquals(TransportSettings.MAX_FRAGMENT_MB, TransportComponent.Config.class.getMethod("max_fragment_mb").getDefaultValue(),
                "the configuration's default is the store's largest fragment");
        Path shipped = Path.of("../../runtime/src/main/dist/etc/net.tesseras.transport.cfg");
        assertTrue(Files.readAllLines(shipped).contains("max.fragment.mb = " + TransportSettings.MAX_FRAGMENT_MB),
                "the shipped " + shipped + " sets max.fragment.mb = " + TransportSettings.MAX_FRAGMENT_MB);
        IllegalArgumentException above = assertThrows(IllegalArgumentException.class, () -> TransportSettings.builder()
                .limits(64 * 1024, FragmentStore.MAX_FRAGMENT_SIZE + 1024 * 1024, 256, 4, 1024).build());
        assertTrue(above.getMessage().contains("max.fragment.mb") && above.getMessage().contains("4096")
                && above.getMessage().contains("4097"), above.getMessage());
        assertEquals(1024L * 1024, TransportSettings.builder().limits(64 * 1024, 1024 * 1024, 256, 4, 1024).build().maxFragmentBytes(),
                "lower limits stay possible");
    }
}
