package net.tesseras.transport.quic.internal.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConnectionPoolTest {

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final List<String> events = new ArrayList<>();
    private final PoolListener listener = new PoolListener() {
        @Override
        public void hit() {
            events.add("hit");
        }

        @Override
        public void miss() {
            events.add("miss");
        }

        @Override
        public void evicted(String reason) {
            events.add("evicted:" + reason);
        }
    };

    private final class FakeConnection implements Pooled {
        final InetSocketAddress address;
        String closedBecause;
        int inFlight;

        FakeConnection(InetSocketAddress address) {
            this.address = address;
        }

        @Override
        public int inFlight() {
            return inFlight;
        }

        @Override
        public boolean isOpen() {
            return closedBecause == null;
        }

        @Override
        public void close(String reason) {
            closedBecause = reason;
        }
    }

    private ConnectionPool<FakeConnection> pool(int max, Duration idle) {
        return new ConnectionPool<>(clock::get, max, idle, listener);
    }

    private static InetSocketAddress peer(int n) {
        return new InetSocketAddress("127.0.0.1", 4000 + n);
    }

    private FakeConnection connect(ConnectionPool<FakeConnection> pool, InetSocketAddress address) {
        return pool.acquire(address, a -> {
            FakeConnection c = new FakeConnection(a);
            pool.register(c, a, true);
            return CompletableFuture.completedFuture(c);
        }).join();
    }

    private void advance(Duration d) {
        clock.addAndGet(d.toNanos());
    }

    @Test
    void reusesOneConnectionPerPeer() {
        ConnectionPool<FakeConnection> pool = pool(4, Duration.ofSeconds(300));
        FakeConnection first = connect(pool, peer(1));
        assertSame(first, connect(pool, peer(1)));
        connect(pool, peer(2));
        assertEquals(2, pool.size());
        assertEquals(List.of("miss", "hit", "miss"), events);
    }

    @Test
    void concurrentRequestsToANewPeerShareOneOpening() {
        ConnectionPool<FakeConnection> pool = pool(4, Duration.ofSeconds(300));
        CompletableFuture<FakeConnection> opening = new CompletableFuture<>();
        AtomicInteger opened = new AtomicInteger();
        CompletableFuture<FakeConnection> a = pool.acquire(peer(1), x -> {
            opened.incrementAndGet();
            return opening;
        });
        CompletableFuture<FakeConnection> b = pool.acquire(peer(1), x -> {
            opened.incrementAndGet();
            return opening;
        });
        FakeConnection c = new FakeConnection(peer(1));
        pool.register(c, peer(1), true);
        opening.complete(c);
        assertSame(a.join(), b.join());
        assertEquals(1, opened.get());
    }

    @Test
    void aFailedOpeningIsRetriedNextTime() {
        ConnectionPool<FakeConnection> pool = pool(4, Duration.ofSeconds(300));
        CompletableFuture<FakeConnection> failed = pool.acquire(peer(1), x -> CompletableFuture.failedFuture(new RuntimeException("refused")));
        assertTrue(failed.isCompletedExceptionally());
        assertTrue(connect(pool, peer(1)).isOpen());
    }

    @Test
    void atCapacityTheLeastRecentlyUsedIsClosedAsPoolFull() {
        ConnectionPool<FakeConnection> pool = pool(2, Duration.ofSeconds(300));
        FakeConnection one = connect(pool, peer(1));
        advance(Duration.ofSeconds(1));
        FakeConnection two = connect(pool, peer(2));
        advance(Duration.ofSeconds(1));
        connect(pool, peer(1)); // a hit moves peer 1 ahead of peer 2
        advance(Duration.ofSeconds(1));
        FakeConnection three = connect(pool, peer(3));
        assertEquals(ConnectionPool.POOL_FULL, two.closedBecause);
        assertTrue(one.isOpen());
        assertTrue(three.isOpen());
        assertEquals(2, pool.size());
        assertTrue(events.contains("evicted:pool-full"));
    }

    @Test
    void inboundConnectionsCountAgainstTheSameLimit() {
        ConnectionPool<FakeConnection> pool = pool(1, Duration.ofSeconds(300));
        FakeConnection out = connect(pool, peer(1));
        advance(Duration.ofSeconds(1));
        FakeConnection in = new FakeConnection(peer(9));
        pool.register(in, peer(9), false);
        assertEquals(ConnectionPool.POOL_FULL, out.closedBecause);
        assertEquals(1, pool.size());
    }

    @Test
    void reaperClosesOnlyConnectionsIdleLongerThanTheTimeout() {
        ConnectionPool<FakeConnection> pool = pool(4, Duration.ofSeconds(300));
        FakeConnection quiet = connect(pool, peer(1));
        FakeConnection busy = connect(pool, peer(2));
        ConnectionPool.Entry<FakeConnection> busyEntry = pool.entries().stream().filter(e -> e.connection() == busy).findFirst().orElseThrow();
        advance(Duration.ofSeconds(200));
        busyEntry.touch(); // inbound traffic only: a frame the peer sent
        advance(Duration.ofSeconds(150));
        assertEquals(1, pool.reap());
        assertEquals(ConnectionPool.IDLE, quiet.closedBecause);
        assertTrue(busy.isOpen(), "traffic from the peer keeps a connection alive");
        assertFalse(connect(pool, peer(1)) == quiet, "a reaped peer gets a new connection");
    }

    @Test
    void requestsInFlightKeepAConnectionFromTheReaper() {
        ConnectionPool<FakeConnection> pool = pool(4, Duration.ofSeconds(1));
        FakeConnection waiting = connect(pool, peer(1));
        waiting.inFlight = 1;
        advance(Duration.ofSeconds(10));
        assertEquals(0, pool.reap());
        waiting.inFlight = 0;
        assertEquals(1, pool.reap());
    }

    @Test
    void loweringTheLimitEvictsAtOnce() {
        ConnectionPool<FakeConnection> pool = pool(3, Duration.ofSeconds(300));
        connect(pool, peer(1));
        advance(Duration.ofSeconds(1));
        connect(pool, peer(2));
        advance(Duration.ofSeconds(1));
        connect(pool, peer(3));
        pool.resize(1, Duration.ofSeconds(300));
        assertEquals(1, pool.size());
        assertEquals(peer(3), pool.entries().get(0).address());
    }

    @Test
    void aClosedConnectionLeavesThePool() {
        ConnectionPool<FakeConnection> pool = pool(3, Duration.ofSeconds(300));
        FakeConnection c = connect(pool, peer(1));
        c.close("peer went away");
        pool.closed(c);
        assertEquals(0, pool.size());
        assertTrue(connect(pool, peer(1)).isOpen());
        assertEquals(List.of("miss", "miss"), events);
    }

    @Test
    void aConnectionFoundDeadIsEvictedAtOnceAndTheNextAcquireOpensAnother() {
        ConnectionPool<FakeConnection> pool = pool(4, Duration.ofMinutes(5));
        FakeConnection dead = connect(pool, peer(1));
        events.clear();
        pool.evict(dead, ConnectionPool.UNRESPONSIVE);
        assertEquals(ConnectionPool.UNRESPONSIVE, dead.closedBecause);
        assertEquals(0, pool.size());
        assertEquals(List.of("evicted:unresponsive"), events);

        pool.evict(dead, ConnectionPool.UNRESPONSIVE);
        assertEquals(List.of("evicted:unresponsive"), events, "a connection already gone is not counted twice");
        FakeConnection next = connect(pool, peer(1));
        assertFalse(next == dead);
        assertEquals(List.of("evicted:unresponsive", "miss"), events);
    }
}
