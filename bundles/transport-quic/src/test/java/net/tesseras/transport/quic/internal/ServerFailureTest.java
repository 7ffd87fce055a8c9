package net.tesseras.transport.quic.internal;

import static net.tesseras.transport.quic.internal.TwoNodesTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.core.FragmentId;
import net.tesseras.identity.internal.KeyPairIdentity;
import net.tesseras.storage.FragmentStore;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a peer is told when serving its request fails on this node: a reason naming what it asked
 * for, never this node's paths or exception text, and always an answer, even when the worker dies
 * of an Error (out of memory, say) instead of an exception.
 */
@Timeout(120)
class ServerFailureTest {

    /** The requester's timeout: a request left unanswered fails TIMEOUT after it, never INTERNAL. */
    private static final TransportSettings REQUESTER = TransportSettings.builder()
            .timeouts(Duration.ofSeconds(10), Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    /** The node's store as its peers see it, with {@code open} and {@code fragments} replaced where given. */
    private static UnaryOperator<FragmentStore> serving(OpenFn open, Runnable onFragments) {
        return store -> (FragmentStore) Proxy.newProxyInstance(FragmentStore.class.getClassLoader(), new Class<?>[] {FragmentStore.class},
                (p, m, a) -> {
                    if (m.getName().equals("open") && open != null) {
                        return open.open(store, a);
                    }
                    if (m.getName().equals("fragments") && onFragments != null) {
                        onFragments.run();
                    }
                    try {
                        return m.invoke(store, a);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private interface OpenFn {
        Object open(FragmentStore store, Object[] args) throws Exception;
    }

    @Test
    void aDamagedFragmentIsAnsweredWithItsTesseraAndIndexButNoPathOfTheServingNode() throws Exception {
        Path aDir = dir.resolve("a");
        try (TestNode a = new TestNode(aDir, TransportSettings.defaults()); TestNode b = new TestNode(dir.resolve("b"), REQUESTER)) {
            FragmentId id = a.holdRandom(7, 3, 300_000);
            try (var files = Files.walk(aDir.resolve("fragments"))) {
                Path shard = files.filter(f -> f.getFileName().toString().endsWith(".shard")).findFirst().orElseThrow();
                byte[] bytes = Files.readAllBytes(shard);
                bytes[bytes.length / 2] ^= 1;
                Files.write(shard, bytes);
            }
            for (boolean toFile : new boolean[] {false, true}) {
                PeerException failed = assertThrows(PeerException.class, () -> {
                    if (toFile) {
                        await(b.client.fetch(a.address(), id.tessera(), id.index(), dir.resolve("fetched.shard")));
                    } else {
                        await(b.client.get(a.address(), id));
                    }
                });
                // The requester's own target file may be named; nothing of the serving node's.
                String reason = failed.getMessage().replace(dir.resolve("fetched.shard").toString(), "<target>");
                assertEquals(ErrorCode.INTERNAL, failed.code(), failed.toString());
                assertTrue(reason.contains("fragment " + id.tessera().toHex() + "/" + id.index()), reason);
                assertTrue(reason.contains("damaged or unreadable"), reason);
                assertFalse(reason.contains(aDir.toString()), "no path of the serving node: " + reason);
                assertFalse(reason.contains(".shard"), "no file of the serving node: " + reason);
                assertFalse(reason.contains("hashes to"), "no internal exception text: " + reason);
            }
        }
    }

    @Test
    void anErrorOpeningAFragmentIsAnsweredInternal() throws Exception {
        OpenFn oom = (store, a) -> {
            throw new OutOfMemoryError("test: no memory left to open the fragment");
        };
        try (TestNode a = new TestNode(dir.resolve("a"), TransportSettings.defaults(), KeyPairIdentity.generate(), serving(oom, null),
                TransportMetrics.NONE); TestNode b = new TestNode(dir.resolve("b"), REQUESTER)) {
            FragmentId id = a.holdRandom(8, 0, 100_000);
            PeerException failed = assertThrows(PeerException.class, () -> await(b.client.get(a.address(), id)));
            assertEquals(ErrorCode.INTERNAL, failed.code(), failed.toString());
            assertFalse(failed.getMessage().contains("no memory left"), failed.getMessage());

            // The connection and the workers go on serving.
            assertEquals(List.of(), await(b.client.list(a.address(), id.tessera())).stream()
                    .filter(f -> !f.id().equals(id)).toList());
        }
    }

    @Test
    void anErrorServingAListIsAnsweredInternal() throws Exception {
        Runnable oom = () -> {
            throw new OutOfMemoryError("test: no memory left to list");
        };
        try (TestNode a = new TestNode(dir.resolve("a"), TransportSettings.defaults(), KeyPairIdentity.generate(), serving(null, oom),
                TransportMetrics.NONE); TestNode b = new TestNode(dir.resolve("b"), REQUESTER)) {
            FragmentId id = a.holdRandom(9, 0, 1000);
            PeerException failed = assertThrows(PeerException.class, () -> await(b.client.list(a.address(), id.tessera())));
            assertEquals(ErrorCode.INTERNAL, failed.code(), failed.toString());
            assertEquals(id.checksum(), Blake3Hashing.hash(await(b.client.get(a.address(), id))), "the node goes on serving");
        }
    }

    @Test
    void aStreamedGetThatFailsMidwayEndsWithAnError() throws Exception {
        for (boolean error : new boolean[] {false, true}) {
            OpenFn failing = (store, a) -> {
                @SuppressWarnings("unchecked")
                Optional<SeekableByteChannel> opened = (Optional<SeekableByteChannel>) store.open((net.tesseras.core.ContentHash) a[0],
                        (Integer) a[1]);
                return opened.map(channel -> failingAfter(channel, 1024 * 1024, error));
            };
            Path aDir = dir.resolve("a" + error);
            try (TestNode a = new TestNode(aDir, TransportSettings.defaults(), KeyPairIdentity.generate(), serving(failing, null),
                    TransportMetrics.NONE); TestNode b = new TestNode(dir.resolve("b" + error), REQUESTER)) {
                FragmentId id = a.holdRandom(10, 0, 3 * 1024 * 1024);
                Path target = dir.resolve("midway" + error + ".shard");
                PeerException failed = assertThrows(PeerException.class,
                        () -> await(b.client.fetch(a.address(), id.tessera(), 0, target)));
                assertEquals(ErrorCode.INTERNAL, failed.code(), failed.toString());
                assertTrue(failed.getMessage().contains("fragment " + id.tessera().toHex() + "/0"), failed.getMessage());
                assertFalse(failed.getMessage().contains("test:"), failed.getMessage());
                assertFalse(Files.exists(target), "no file for a fragment that failed");
            }
        }
    }

    /** A channel that fails once {@code limit} bytes were read: with an IOException, or an Error. */
    private static SeekableByteChannel failingAfter(SeekableByteChannel channel, long limit, boolean error) {
        return (SeekableByteChannel) Proxy.newProxyInstance(SeekableByteChannel.class.getClassLoader(),
                new Class<?>[] {SeekableByteChannel.class}, (p, m, a) -> {
                    if (m.getName().equals("read") && channel.position() >= limit) {
                        if (error) {
                            throw new OutOfMemoryError("test: no memory left to read");
                        }
                        throw new IOException("test: /some/local/path is unreadable");
                    }
                    try {
                        return m.invoke(channel, a);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
