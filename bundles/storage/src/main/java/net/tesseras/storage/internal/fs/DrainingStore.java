package net.tesseras.storage.internal.fs;

import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import net.tesseras.common.internal.ForwardingFragmentStore;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.storage.FragmentBytes;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.StoreStats;
import net.tesseras.storage.StoreUnavailableException;
import net.tesseras.storage.VerifyResult;

/**
 * The fs store as its service hands it out: counts the calls in flight so that a store being
 * re-opened (a new root or name) is closed only once they finished, and refuses later calls with a
 * {@link StoreUnavailableException}, which callers may retry (the new store is registered a moment
 * later). Without it a put racing the re-open failed on a closed store with an unrelated error.
 */
final class DrainingStore extends ForwardingFragmentStore {

    private final FragmentStore store;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Object drained = new Object();
    private volatile String closing;

    DrainingStore(FragmentStore store) {
        this.store = store;
    }

    @Override
    protected FragmentStore delegate() {
        return store;
    }

    /**
     * Refuses new calls with {@code reason} and waits up to {@code timeout} for those in flight.
     *
     * @return whether every call in flight finished
     */
    boolean drain(String reason, long timeout, TimeUnit unit) throws InterruptedException {
        closing = reason;
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        synchronized (drained) {
            while (inFlight.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(drained, left);
            }
        }
        return true;
    }

    int inFlight() {
        return inFlight.get();
    }

    private <T> T call(Supplier<T> work) {
        enter();
        try {
            return work.get();
        } finally {
            exit();
        }
    }

    private void enter() {
        refuseIfClosing();
        inFlight.incrementAndGet();
        if (closing != null) {
            // drain() may have seen zero before this call counted itself: it must not start.
            exit();
            refuseIfClosing();
        }
    }

    private void refuseIfClosing() {
        String reason = closing;
        if (reason != null) {
            throw new StoreUnavailableException(reason + "; nothing was stored or read here, retry in a moment");
        }
    }

    private void exit() {
        if (inFlight.decrementAndGet() == 0 && closing != null) {
            synchronized (drained) {
                drained.notifyAll();
            }
        }
    }

    @Override
    public FragmentInfo store(FragmentId id, ByteBuffer data) {
        return call(() -> super.store(id, data));
    }

    @Override
    public FragmentInfo store(FragmentId id, ReadableByteChannel source, long size) {
        return call(() -> super.store(id, source, size));
    }

    @Override
    public Optional<ByteBuffer> read(ContentHash tessera, int index) {
        return call(() -> super.read(tessera, index));
    }

    @Override
    public Optional<SeekableByteChannel> open(ContentHash tessera, int index) {
        return call(() -> super.open(tessera, index));
    }

    @Override
    public Optional<ByteBuffer> readIfInMemory(ContentHash tessera, int index) {
        return call(() -> super.readIfInMemory(tessera, index));
    }

    @Override
    public List<FragmentInfo> storeAll(List<FragmentBytes> fragments) {
        return call(() -> super.storeAll(fragments));
    }

    @Override
    public boolean delete(ContentHash tessera, int index) {
        return call(() -> super.delete(tessera, index));
    }

    @Override
    public List<FragmentInfo> fragments(ContentHash tessera) {
        return call(() -> super.fragments(tessera));
    }

    @Override
    public List<ContentHash> tesseras() {
        return call(super::tesseras);
    }

    @Override
    public List<ContentHash> tesseras(ContentHash after, int limit) {
        return call(() -> super.tesseras(after, limit));
    }

    @Override
    public List<VerifyResult> verify(ContentHash tessera) {
        return call(() -> super.verify(tessera));
    }

    @Override
    public StoreStats stats() {
        return call(super::stats);
    }
}
