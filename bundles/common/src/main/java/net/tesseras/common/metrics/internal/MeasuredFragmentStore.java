package net.tesseras.common.metrics.internal;

import java.nio.ByteBuffer;
import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import net.tesseras.common.internal.ForwardingFragmentStore;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.storage.FragmentBytes;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.VerifyResult;

/**
 * A backend as its component registers it: every call forwarded to the store and reported to
 * {@link StoreMetrics} ({@link StoreMetrics#NONE} until a registry exists), so the stores
 * themselves hold no measuring code.
 */
public final class MeasuredFragmentStore extends ForwardingFragmentStore implements InstrumentedStore {

    private final String name;
    private final FragmentStore store;
    private volatile StoreMetrics metrics = StoreMetrics.NONE;

    public MeasuredFragmentStore(String name, FragmentStore store) {
        this.name = name;
        this.store = store;
    }

    @Override
    protected FragmentStore delegate() {
        return store;
    }

    @Override
    public String storeName() {
        return name;
    }

    @Override
    public void instrument(StoreMetrics next) {
        metrics = next;
    }

    @Override
    public FragmentInfo store(FragmentId id, ByteBuffer data) {
        return measuredWrite(() -> store.store(id, data));
    }

    @Override
    public FragmentInfo store(FragmentId id, ReadableByteChannel source, long size) {
        return measuredWrite(() -> store.store(id, source, size));
    }

    private FragmentInfo measuredWrite(Supplier<FragmentInfo> write) {
        long start = System.nanoTime();
        try {
            FragmentInfo info = write.get();
            metrics.write(System.nanoTime() - start, info.size());
            return info;
        } catch (RuntimeException e) {
            metrics.error("write");
            throw e;
        }
    }

    @Override
    public Optional<ByteBuffer> read(ContentHash tessera, int index) {
        long start = System.nanoTime();
        try {
            Optional<ByteBuffer> read = store.read(tessera, index);
            metrics.read(System.nanoTime() - start, read.map(b -> (long) b.remaining()).orElse(-1L));
            return read;
        } catch (IllegalArgumentException e) {
            throw e; // the caller's mistake, not the store's
        } catch (RuntimeException e) {
            metrics.error("read");
            throw e;
        }
    }

    /**
     * Counted as a read: the time to open the fragment and its length (what is handed out); the
     * bytes themselves flow later, through the caller's reads of the channel.
     */
    @Override
    public Optional<SeekableByteChannel> open(ContentHash tessera, int index) {
        long start = System.nanoTime();
        try {
            Optional<SeekableByteChannel> opened = store.open(tessera, index);
            long size = -1;
            if (opened.isPresent()) {
                try {
                    size = opened.get().size();
                } catch (IOException e) {
                    size = 0;
                }
            }
            metrics.read(System.nanoTime() - start, size);
            return opened;
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            metrics.error("read");
            throw e;
        }
    }

    /** Each fragment of a batch counts as one write, the batch's time shared between them. */
    @Override
    public List<FragmentInfo> storeAll(List<FragmentBytes> fragments) {
        long start = System.nanoTime();
        try {
            List<FragmentInfo> stored = store.storeAll(fragments);
            long each = stored.isEmpty() ? 0 : (System.nanoTime() - start) / stored.size();
            for (FragmentInfo info : stored) {
                metrics.write(each, info.size());
            }
            return stored;
        } catch (RuntimeException e) {
            metrics.error("write");
            throw e;
        }
    }

    @Override
    public boolean delete(ContentHash tessera, int index) {
        long start = System.nanoTime();
        try {
            boolean deleted = store.delete(tessera, index);
            metrics.delete(System.nanoTime() - start);
            return deleted;
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            metrics.error("delete");
            throw e;
        }
    }

    @Override
    public List<VerifyResult> verify(ContentHash tessera) {
        long start = System.nanoTime();
        List<VerifyResult> results = store.verify(tessera);
        metrics.verify(System.nanoTime() - start, results.size(),
                (int) results.stream().filter(r -> r.status() == VerifyResult.Status.CORRUPT).count(),
                (int) results.stream().filter(r -> r.status() == VerifyResult.Status.MISSING).count());
        return results;
    }
}
