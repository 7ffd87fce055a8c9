package net.tesseras.transport.quic.internal;

import static net.tesseras.transport.quic.internal.TwoNodesTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.core.FragmentId;
import net.tesseras.identity.NodeId;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerException;
import net.tesseras.transport.WriteGuard;
import net.tesseras.transport.quic.internal.TransportSettings.WritePolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code write.policy = replication}: the bound WriteGuard admits each PUT and hears of each stored fragment. */
class ReplicationWritePolicyTest {

    @TempDir
    Path dir;

    private TestNode a;
    private TestNode b;
    private final RecordingGuard guard = new RecordingGuard();

    @BeforeEach
    void start() throws Exception {
        TransportSettings replication = TransportSettings.builder().writePolicy(WritePolicy.REPLICATION, Set.of()).build();
        a = new TestNode(dir.resolve("a"), replication);
        b = new TestNode(dir.resolve("b"), TransportSettings.defaults());
    }

    @AfterEach
    void stop() {
        b.close();
        a.close();
    }

    @Test
    void anAdmittedPutIsStoredAndTheGuardHearsOfItWithTheSendersNodeId() throws Exception {
        a.transport.writeGuard(guard);
        byte[] data = TestNode.random(21, 300_000);
        FragmentId id = new FragmentId(Blake3Hashing.hash(new byte[] {21}), 3, false, Blake3Hashing.hash(data));

        await(b.client.put(a.address(), id, ByteBuffer.wrap(data)));

        assertTrue(a.store.read(id.tessera(), 3).isPresent());
        assertEquals(List.of(new Admitted(b.identity.nodeId(), id, data.length)), guard.admitted);
        assertEquals(1, guard.stored.size(), "stored() once the store acknowledged");
        assertEquals(b.identity.nodeId(), guard.stored.get(0).sender());
        assertEquals(id, guard.stored.get(0).info().id());
        assertEquals(data.length, guard.stored.get(0).info().size());
    }

    @Test
    void aPutTheGuardRefusesCarriesItsCodeAndReasonToTheSenderAndStoresNothing() throws Exception {
        guard.refusal = new PeerException(ErrorCode.CHECKSUM_MISMATCH, "the plan lists another checksum for this fragment");
        a.transport.writeGuard(guard);
        byte[] data = TestNode.random(22, 200_000);
        FragmentId id = new FragmentId(Blake3Hashing.hash(new byte[] {22}), 0, false, Blake3Hashing.hash(data));

        PeerException refused = assertThrows(PeerException.class, () -> await(b.client.put(a.address(), id, ByteBuffer.wrap(data))));

        assertEquals(ErrorCode.CHECKSUM_MISMATCH, refused.code());
        assertTrue(refused.getMessage().contains("the plan lists another checksum"), refused.getMessage());
        assertTrue(a.store.read(id.tessera(), 0).isEmpty(), "nothing stored");
        assertEquals(List.of(), guard.stored, "no credit for a refused fragment");
        assertEquals(a.identity.nodeId(), await(b.client.ping(a.address())).nodeId(), "the connection still serves");
    }

    @Test
    void withoutAGuardEveryPutIsUnavailableWithTheReason() throws Exception {
        byte[] data = {1, 2, 3};
        FragmentId id = new FragmentId(Blake3Hashing.hash(new byte[] {23}), 0, false, Blake3Hashing.hash(data));

        PeerException refused = assertThrows(PeerException.class, () -> await(b.client.put(a.address(), id, ByteBuffer.wrap(data))));

        assertEquals(ErrorCode.UNAVAILABLE, refused.code());
        assertTrue(refused.getMessage().contains("write.policy = replication but no replication service is running on this node"),
                refused.getMessage());
        assertTrue(a.store.read(id.tessera(), 0).isEmpty());

        a.transport.writeGuard(guard);
        await(b.client.put(a.address(), id, ByteBuffer.wrap(data)));
        a.transport.writeGuard(null);
        FragmentId next = new FragmentId(id.tessera(), 1, false, id.checksum());
        assertEquals(ErrorCode.UNAVAILABLE,
                assertThrows(PeerException.class, () -> await(b.client.put(a.address(), next, ByteBuffer.wrap(data)))).code(),
                "an unbound guard refuses again");
    }

    @Test
    void aStoreThatFailsIsNotReportedAsStored() throws Exception {
        a.transport.writeGuard(guard);
        byte[] data = TestNode.random(24, 100_000);
        FragmentId lying = new FragmentId(Blake3Hashing.hash(new byte[] {24}), 0, false, Blake3Hashing.hash(new byte[] {9}));

        PeerException refused = assertThrows(PeerException.class, () -> await(b.client.put(a.address(), lying, ByteBuffer.wrap(data))));

        assertEquals(ErrorCode.CHECKSUM_MISMATCH, refused.code(), "the store's own verification still runs");
        assertEquals(1, guard.admitted.size(), "admitted first");
        assertEquals(List.of(), guard.stored, "stored() only for fragments the store acknowledged");
    }

    @Test
    void theNodeAnnouncesPutUnderTheReplicationPolicy() throws Exception {
        assertTrue(await(b.client.ping(a.address())).capabilities().contains("put"));
    }

    private record Admitted(NodeId sender, FragmentId id, long size) {
    }

    private record Stored(NodeId sender, FragmentInfo info) {
    }

    private static final class RecordingGuard implements WriteGuard {
        final List<Admitted> admitted = new CopyOnWriteArrayList<>();
        final List<Stored> stored = new CopyOnWriteArrayList<>();
        volatile PeerException refusal;

        @Override
        public void admit(NodeId sender, FragmentId id, long size) {
            admitted.add(new Admitted(sender, id, size));
            if (refusal != null) {
                throw refusal;
            }
        }

        @Override
        public void stored(NodeId sender, FragmentInfo info) {
            stored.add(new Stored(sender, info));
        }
    }
}
