package net.tesseras.itest;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import net.tesseras.core.FragmentId;
import net.tesseras.identity.NodeIdentity;
import net.tesseras.storage.FragmentStore;
import net.tesseras.transport.PeerClient;
import net.tesseras.transport.PeerInfo;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Identity and the QUIC transport in Felix with the real Netty, native QUIC fragment and
 * BouncyCastle bundles: the node answers over QUIC with the NodeId its identity bundle holds, serves
 * a fragment from its store, and the transport follows its identity and its own bundle's restarts.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class TransportIT {

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() {
        return TesserasOptions.node("transport");
    }

    @Test
    public void theNodeAnswersOverQuicWithItsNodeIdAndServesAStoredFragment() throws Exception {
        InetSocketAddress address = TesserasOptions.startTransport(context);
        NodeIdentity identity = await(NodeIdentity.class);
        PeerClient client = await(PeerClient.class);

        PeerInfo info = client.ping(address).toCompletableFuture().get(Await.DEFAULT.toSeconds(), TimeUnit.SECONDS);
        assertEquals("the certificate proves the identity bundle's NodeId", identity.nodeId(), info.nodeId());

        FragmentStore front = await(FragmentStore.class);
        byte[] bytes = StorageServiceIT.randomBytes(50_000, 71);
        FragmentId id = StorageServiceIT.id(bytes, 2);
        front.store(id, ByteBuffer.wrap(bytes));
        ByteBuffer served = client.get(address, id).toCompletableFuture().get(Await.DEFAULT.toSeconds(), TimeUnit.SECONDS);
        assertArrayEquals(bytes, StorageServiceIT.array(served));
    }

    @Test
    public void theTransportLeavesWithItsIdentityAndReturnsWithTheSameNodeId() throws Exception {
        TesserasOptions.startTransport(context);
        String before = await(NodeIdentity.class).nodeId().toHex();
        Bundle identity = TesserasOptions.bundle(context, "net.tesseras.identity");

        identity.stop();
        Await.until("the PeerClient leaves with the identity", () -> context.getServiceReference(PeerClient.class) == null);

        identity.start();
        InetSocketAddress address = TesserasOptions.startTransport(context);
        assertEquals("the key is loaded again, not regenerated", before, await(NodeIdentity.class).nodeId().toHex());
        PeerInfo info = await(PeerClient.class).ping(address).toCompletableFuture().get(Await.DEFAULT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(before, info.nodeId().toHex());
    }

    @Test
    public void aStoppedTransportBundleTakesItsServiceAlongAndComesBackOnANewEndpoint() throws Exception {
        InetSocketAddress first = TesserasOptions.startTransport(context);
        Bundle transport = TesserasOptions.bundle(context, TesserasOptions.TRANSPORT);

        transport.stop();
        assertNull("no PeerClient without the transport", context.getServiceReference(PeerClient.class));

        InetSocketAddress again = TesserasOptions.startTransport(context);
        assertNotNull(again);
        PeerInfo info = await(PeerClient.class).ping(again).toCompletableFuture().get(Await.DEFAULT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(await(NodeIdentity.class).nodeId(), info.nodeId());
        // An ephemeral port each time: nothing of the stopped endpoint is reused.
        assertNotEquals(0, again.getPort());
        assertNotEquals(0, first.getPort());
    }

    private <T> T await(Class<T> type) throws Exception {
        ServiceTracker<T, T> tracker = new ServiceTracker<>(context, type, null);
        tracker.open();
        try {
            T service = tracker.waitForService(Await.DEFAULT.toMillis());
            if (service == null) {
                throw new AssertionError("no " + type.getSimpleName() + " within " + Await.DEFAULT.toSeconds() + " s");
            }
            return service;
        } finally {
            tracker.close();
        }
    }
}
