package net.tesseras.storage.internal.fs;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.StoreStats;
import net.tesseras.storage.StoreUnavailableException;
import org.junit.jupiter.api.Test;

/** A store being re-opened lets calls in flight finish and refuses later ones with a retryable error. */
class DrainingStoreTest {

    @Test
    void aCallInFlightCompletesBeforeTheDrainEndsAndLaterCallsAreRefusedRetryably() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        StoreStats stats = new StoreStats(1, 2, 3);
        FragmentStore slow = (FragmentStore) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {FragmentStore.class},
                (p, m, a) -> {
                    if (m.getName().equals("stats")) {
                        entered.countDown();
                        release.await();
                        return stats;
                    }
                    throw new UnsupportedOperationException(m.getName());
                });
        DrainingStore gate = new DrainingStore(slow);
        CompletableFuture<StoreStats> inFlight = CompletableFuture.supplyAsync(gate::stats);
        assertTrue(entered.await(30, TimeUnit.SECONDS));

        assertFalse(gate.drain("fs store 'fs' is re-opening", 0, TimeUnit.SECONDS), "one call is still in flight");
        StoreUnavailableException refused = assertThrows(StoreUnavailableException.class, gate::stats);
        assertTrue(refused.getMessage().contains("is re-opening") && refused.getMessage().contains("retry"), refused.getMessage());

        release.countDown();
        assertSame(stats, inFlight.get(30, TimeUnit.SECONDS), "the call in flight completes normally");
        assertTrue(gate.drain("fs store 'fs' is re-opening", 30, TimeUnit.SECONDS));
    }
}
