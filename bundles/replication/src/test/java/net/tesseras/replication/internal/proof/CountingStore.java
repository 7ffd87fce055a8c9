package net.tesseras.replication.internal.proof;

import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.StoreStats;
import net.tesseras.storage.VerifyResult;

/** Passes every call to a real store and counts the ones that touch fragment bytes. */
class CountingStore implements FragmentStore {

    final AtomicInteger reads = new AtomicInteger();
    final AtomicInteger opens = new AtomicInteger();
    final AtomicInteger inMemoryReads = new AtomicInteger();
    final AtomicInteger verifies = new AtomicInteger();
    final AtomicInteger listings = new AtomicInteger();
    private final FragmentStore delegate;

    CountingStore(FragmentStore delegate) {
        this.delegate = delegate;
    }

    /** Calls that read or re-hash fragment bytes. */
    int byteReads() {
        return reads.get() + opens.get() + inMemoryReads.get() + verifies.get();
    }

    @Override
    public FragmentInfo store(FragmentId id, ByteBuffer data) {
        return delegate.store(id, data);
    }

    @Override
    public Optional<ByteBuffer> read(ContentHash tessera, int index) {
        reads.incrementAndGet();
        return delegate.read(tessera, index);
    }

    @Override
    public Optional<SeekableByteChannel> open(ContentHash tessera, int index) {
        opens.incrementAndGet();
        return delegate.open(tessera, index);
    }

    @Override
    public Optional<ByteBuffer> readIfInMemory(ContentHash tessera, int index) {
        inMemoryReads.incrementAndGet();
        return delegate.readIfInMemory(tessera, index);
    }

    @Override
    public boolean delete(ContentHash tessera, int index) {
        return delegate.delete(tessera, index);
    }

    @Override
    public List<FragmentInfo> fragments(ContentHash tessera) {
        listings.incrementAndGet();
        return delegate.fragments(tessera);
    }

    @Override
    public List<ContentHash> tesseras() {
        return delegate.tesseras();
    }

    @Override
    public List<VerifyResult> verify(ContentHash tessera) {
        verifies.incrementAndGet();
        return delegate.verify(tessera);
    }

    @Override
    public StoreStats stats() {
        return delegate.stats();
    }
}
