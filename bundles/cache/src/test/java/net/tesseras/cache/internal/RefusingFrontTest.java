package net.tesseras.cache.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.tesseras.core.Blake3;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.storage.FragmentBytes;
import net.tesseras.storage.StoreUnavailableException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class RefusingFrontTest {

    private static final ContentHash T = ContentHash.of(Blake3.hash(new byte[] {9}));
    private static final String SQLITE = "(&(store.role=backend)(store.name=sqlite))";

    @Test
    void everyCallIsRefusedNamingTheBackendAndTheKey() {
        RefusingFront front = new RefusingFront(SQLITE);
        byte[] bytes = {1, 2, 3};
        FragmentId id = new FragmentId(T, 0, false, ContentHash.of(Blake3.hash(bytes)));
        List<Executable> calls = List.of(
                () -> front.store(id, ByteBuffer.wrap(bytes)),
                () -> front.store(id, Channels.newChannel(new java.io.ByteArrayInputStream(bytes)), bytes.length),
                () -> front.storeAll(List.of(new FragmentBytes(id, ByteBuffer.wrap(bytes)))),
                () -> front.read(T, 0),
                () -> front.open(T, 0),
                () -> front.delete(T, 0),
                () -> front.fragments(T),
                () -> front.tesseras(),
                () -> front.tesseras(null, 10),
                () -> front.verify(T),
                () -> front.stats());
        for (Executable call : calls) {
            StoreUnavailableException e = assertThrows(StoreUnavailableException.class, call);
            assertTrue(e.getMessage().contains(SQLITE), e.getMessage());
            assertTrue(e.getMessage().contains("delegate.target"), e.getMessage());
            assertTrue(e.getMessage().contains("etc/net.tesseras.cache.cfg"), e.getMessage());
        }
        // Nothing in memory: the caller goes on to read, which refuses.
        assertEquals(Optional.empty(), front.readIfInMemory(T, 0));
    }

    @Test
    void theMessageFollowsTheCachesConfiguration() {
        RefusingFront front = new RefusingFront(RefusingFrontComponent.delegateTarget(Map.of()));
        assertTrue(front.message().contains(CacheComponent.DEFAULT_DELEGATE), front.message());
        front.delegateTarget(RefusingFrontComponent.delegateTarget(Map.of("delegate.target", SQLITE)));
        assertTrue(front.message().contains(SQLITE), front.message());
    }
}
