package net.tesseras.transport.quic.internal.pool;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongSupplier;
import net.tesseras.identity.NodeId;

/**
 * The node's connections, inbound and outbound, under one limit. Outbound connections are keyed
 * by the peer's address and reused (a hit), opened on a miss; concurrent requests to the same new
 * peer share one opening. At capacity the least recently used connection is closed ("pool-full")
 * before another is admitted; {@link #reap()} closes those idle longer than the idle timeout
 * ("idle"), unless requests are still in flight on them. Any frame in either direction moves a
 * connection's last use ({@link Entry#touch()}). A connection found dead is evicted at once
 * ({@link #evict(Pooled, String)}, "unresponsive"), so the next acquire opens a new one.
 *
 * @param <C> the connection type
 */
public final class ConnectionPool<C extends Pooled> {

    public static final String POOL_FULL = "pool-full";
    public static final String IDLE = "idle";
    /** The peer stopped answering: a request timed out with nothing heard since, or QUIC's idle timeout passed. */
    public static final String UNRESPONSIVE = "unresponsive";

    private final LongSupplier nanoClock;
    private final PoolListener listener;
    private final Map<C, Entry<C>> entries = new ConcurrentHashMap<>();
    private final Map<InetSocketAddress, CompletableFuture<C>> outbound = new ConcurrentHashMap<>();
    /** Admissions not yet matched by a registered entry (connections being opened). */
    private final AtomicInteger opening = new AtomicInteger();
    private volatile int maxConnections;
    private volatile long idleTimeoutNanos;

    public ConnectionPool(LongSupplier nanoClock, int maxConnections, Duration idleTimeout, PoolListener listener) {
        this.nanoClock = nanoClock;
        this.listener = listener;
        resize(maxConnections, idleTimeout);
    }

    /** Applies new limits; a smaller maximum evicts the least recently used at once. */
    public void resize(int maxConnections, Duration idleTimeout) {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("max connections must be at least 1: " + maxConnections);
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idle timeout must be positive: " + idleTimeout);
        }
        this.maxConnections = maxConnections;
        this.idleTimeoutNanos = idleTimeout.toNanos();
        while (entries.size() > maxConnections && evictLeastRecentlyUsed()) {
            // keep evicting
        }
    }

    /**
     * The pooled connection to {@code address}, or a new one from {@code opener} (which must
     * {@link #register} it once open). A failed opening is forgotten so the next call retries.
     */
    public CompletableFuture<C> acquire(InetSocketAddress address, Function<InetSocketAddress, CompletableFuture<C>> opener) {
        while (true) {
            CompletableFuture<C> existing = outbound.get(address);
            if (existing != null) {
                C connection = existing.getNow(null);
                if (connection == null && !existing.isDone()) {
                    listener.hit();
                    return existing;
                }
                if (connection != null && connection.isOpen()) {
                    listener.hit();
                    Entry<C> entry = entries.get(connection);
                    if (entry != null) {
                        entry.touch();
                    }
                    return existing;
                }
                outbound.remove(address, existing);
                continue;
            }
            CompletableFuture<C> created = new CompletableFuture<>();
            if (outbound.putIfAbsent(address, created) != null) {
                continue;
            }
            listener.miss();
            makeRoom();
            opening.incrementAndGet();
            opener.apply(address).whenComplete((connection, failure) -> {
                opening.decrementAndGet();
                if (failure != null) {
                    outbound.remove(address, created);
                    created.completeExceptionally(failure);
                } else {
                    created.complete(connection);
                }
            });
            return created;
        }
    }

    /** Admits a connection (inbound, or outbound once open), evicting the least recently used at capacity. */
    public Entry<C> register(C connection, SocketAddress address, boolean isOutbound) {
        if (!isOutbound) {
            makeRoom();
        }
        Entry<C> entry = new Entry<>(connection, address, isOutbound, nanoClock);
        entries.put(connection, entry);
        return entry;
    }

    /** Forgets a connection that closed, for whatever reason. */
    public void closed(C connection) {
        Entry<C> entry = entries.remove(connection);
        if (entry != null && entry.address instanceof InetSocketAddress address && entry.outbound) {
            outbound.computeIfPresent(address, (key, future) -> future.getNow(null) == connection ? null : future);
        }
    }

    /**
     * Closes a connection and forgets it at once, counted as an eviction for {@code reason} if it
     * was still pooled: the next {@link #acquire} to its address opens a new one.
     */
    public void evict(C connection, String reason) {
        Entry<C> entry = entries.get(connection);
        if (entry != null) {
            evict(entry, reason);
        } else {
            closed(connection);
            connection.close(reason);
        }
    }

    /** Closes the connections idle for longer than the idle timeout; returns how many. */
    public int reap() {
        long now = nanoClock.getAsLong();
        int closed = 0;
        for (Entry<C> entry : List.copyOf(entries.values())) {
            if (now - entry.lastUsed >= idleTimeoutNanos && entry.connection.inFlight() == 0) {
                evict(entry, IDLE);
                closed++;
            }
        }
        return closed;
    }

    public int size() {
        return entries.size();
    }

    /** The entries, most recently used first. */
    public List<Entry<C>> entries() {
        List<Entry<C>> list = new ArrayList<>(entries.values());
        list.sort(Comparator.comparingLong((Entry<C> e) -> e.lastUsed).reversed());
        return list;
    }

    /** Closes every connection (the transport is stopping). */
    public void closeAll(String reason) {
        for (Entry<C> entry : List.copyOf(entries.values())) {
            entries.remove(entry.connection);
            entry.connection.close(reason);
        }
        outbound.clear();
    }

    private void makeRoom() {
        while (entries.size() + opening.get() >= maxConnections && evictLeastRecentlyUsed()) {
            // one eviction per admission normally; more after the maximum was lowered
        }
    }

    private boolean evictLeastRecentlyUsed() {
        Entry<C> oldest = null;
        for (Entry<C> entry : entries.values()) {
            if (oldest == null || entry.lastUsed - oldest.lastUsed < 0) {
                oldest = entry;
            }
        }
        if (oldest == null) {
            return false;
        }
        evict(oldest, POOL_FULL);
        return true;
    }

    private void evict(Entry<C> entry, String reason) {
        if (entries.remove(entry.connection, entry)) {
            closed(entry.connection);
            listener.evicted(reason);
            entry.connection.close(reason);
        }
    }

    /** One pooled connection and its bookkeeping. */
    public static final class Entry<C> {

        private final C connection;
        private final SocketAddress address;
        private final boolean outbound;
        private final LongSupplier nanoClock;
        private volatile long lastUsed;
        private volatile NodeId peer;

        Entry(C connection, SocketAddress address, boolean outbound, LongSupplier nanoClock) {
            this.connection = connection;
            this.address = address;
            this.outbound = outbound;
            this.nanoClock = nanoClock;
            this.lastUsed = nanoClock.getAsLong();
        }

        /** Traffic in either direction. */
        public void touch() {
            lastUsed = nanoClock.getAsLong();
        }

        public C connection() {
            return connection;
        }

        public SocketAddress address() {
            return address;
        }

        public boolean outbound() {
            return outbound;
        }

        public Optional<NodeId> peer() {
            return Optional.ofNullable(peer);
        }

        public void peer(NodeId nodeId) {
            this.peer = nodeId;
        }

        public Duration idle() {
            return Duration.ofNanos(Math.max(0, nanoClock.getAsLong() - lastUsed));
        }
    }
}
