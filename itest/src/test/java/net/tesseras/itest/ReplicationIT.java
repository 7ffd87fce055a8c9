package net.tesseras.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import javax.inject.Inject;
import net.tesseras.identity.NodeId;
import net.tesseras.identity.NodeIds;
import net.tesseras.replication.Peer;
import net.tesseras.replication.PeerLookup;
import net.tesseras.replication.ReplicationException;
import net.tesseras.replication.ReplicationService;
import net.tesseras.replication.TesseraStatus;
import net.tesseras.tessera.TesseraInfo;
import net.tesseras.tessera.TesseraProgress;
import net.tesseras.tessera.TesseraService;
import net.tesseras.transport.MessageHandler;
import net.tesseras.transport.PeerMessage;
import net.tesseras.transport.PeerRequest;
import net.tesseras.transport.WriteGuard;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * The replication bundle in Felix with the real identity, database, store, tessera and transport
 * bundles: it registers its services and message handlers, learns a peer from a FIND_PEERS built
 * byte by byte from docs/PROTOCOL.md, keeps the placements of a tessera that could not be
 * transferred (the peer does not answer) pending, and finds them again after the bundle is stopped
 * and started.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ReplicationIT {

    private static final String REPLICATION = "net.tesseras.replication";
    private static final int FIND_PEERS = 0x26;

    @Inject
    private BundleContext context;

    @Inject
    private TesseraService tesseras;

    @Configuration
    public Option[] config() {
        return TesserasOptions.node("replication");
    }

    @Test
    public void theBundleServesItsMessagesAndKeepsPendingPlacementsAcrossAStopAndStart() throws Exception {
        TesserasOptions.startTransport(context);
        assertNotNull("the write guard", Await.value("the write guard", () -> context.getServiceReference(WriteGuard.class)));
        Set<Integer> types = new HashSet<>();
        for (ServiceReference<MessageHandler> ref : context.getServiceReferences(MessageHandler.class, null)) {
            types.add((Integer) ref.getProperty(MessageHandler.TYPE_PROPERTY));
        }
        assertEquals(Set.of(0x20, 0x22, 0x24, 0x26, 0x28), types);

        // A peer that exists only on paper: its key and nonce derive its NodeId, its address answers nothing.
        Peer ghost = introduce(unusedLoopbackPort());
        PeerLookup lookup = service(PeerLookup.class);
        assertTrue(lookup.peers().stream().anyMatch(p -> p.nodeId().equals(ghost.nodeId())));

        TesseraInfo info = createTessera();
        ReplicationService replication = service(ReplicationService.class);
        try {
            replication.publish(info.hash(), TesseraProgress.NONE);
            fail("a peer that does not answer accepted nothing, so the publish must fail");
        } catch (ReplicationException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("no peer accepted"));
        }
        TesseraStatus before = replication.status(info.hash());
        assertEquals(TesseraStatus.Health.PUBLISHING, before.health());
        assertEquals("one fragment per placement while the ghost is the only peer", 24, before.pendingPlacements());

        Bundle bundle = TesserasOptions.bundle(context, REPLICATION);
        bundle.stop();
        assertNull("no write guard while replication is stopped", context.getServiceReference(WriteGuard.class));
        assertNull(context.getServiceReference(ReplicationService.class));
        bundle.start();

        ReplicationService again = Await.value("the replication service after a restart",
                () -> Optional.ofNullable(context.getServiceReference(ReplicationService.class)).map(context::getService).orElse(null));
        TesseraStatus after = again.status(info.hash());
        assertEquals(TesseraStatus.Health.PUBLISHING, after.health());
        assertEquals(before.pendingPlacements(), after.pendingPlacements());
        assertEquals(0, after.placedFragments());
    }

    /** Sends this node a FIND_PEERS from a new identity listening (on paper) at {@code port}; returns that peer. */
    private Peer introduce(int port) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
        while (true) {
            byte[] encoded = generator.generateKeyPair().getPublic().getEncoded();
            byte[] key = Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
            for (long nonce = 0; nonce < 4096; nonce++) {
                Optional<NodeId> id = NodeIds.derive(key, nonce);
                if (id.isPresent()) {
                    ByteBuffer request = ByteBuffer.allocate(20 + 1 + 32 + 8 + 1 + 1 + 7);
                    request.put(new byte[20]).put((byte) 20);
                    request.put(key).putLong(nonce).put((byte) 0).put((byte) 1);
                    request.put((byte) 4).put(InetAddress.getByName("127.0.9.1").getAddress()).putShort((short) port);
                    MessageHandler handler = handler(FIND_PEERS);
                    PeerMessage answer = handler.handle(new PeerRequest(id.get(), new InetSocketAddress("127.0.9.1", 40000),
                            new PeerMessage(FIND_PEERS, request.flip())));
                    assertEquals(0x27, answer.type());
                    return service(PeerLookup.class).find(id.get()).orElseThrow();
                }
            }
        }
    }

    private TesseraInfo createTessera() throws Exception {
        Path work = Files.createTempDirectory(Path.of(System.getProperty("itest.work", "target/itest-work")), "replication");
        byte[] film = new byte[5 << 20];
        new Random(11).nextBytes(film);
        Path file = work.resolve("film.mp4");
        Files.write(file, film);
        return Await.value("the identity and the store", () -> {
            try {
                return tesseras.create(List.of(file), TesseraProgress.NONE);
            } catch (RuntimeException e) {
                if (e.getMessage().contains("not available")) {
                    return null;
                }
                throw e;
            }
        });
    }

    private MessageHandler handler(int type) throws Exception {
        for (ServiceReference<MessageHandler> ref : context.getServiceReferences(MessageHandler.class,
                "(" + MessageHandler.TYPE_PROPERTY + "=" + type + ")")) {
            return context.getService(ref);
        }
        throw new AssertionError("no handler of type " + type);
    }

    private <T> T service(Class<T> type) throws Exception {
        return Await.value(type.getSimpleName(), () -> Optional.ofNullable(context.getServiceReference(type))
                .map(context::getService).orElse(null));
    }

    private static int unusedLoopbackPort() throws Exception {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getByName("127.0.9.1"))) {
            return socket.getLocalPort();
        }
    }
}
