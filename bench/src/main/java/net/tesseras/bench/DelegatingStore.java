package net.tesseras.bench;

import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.util.List;
import java.util.Optional;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.StoreStats;
import net.tesseras.storage.VerifyResult;

/** Passes every call to another store; benchmarks override what they count. */
class DelegatingStore implements FragmentStore {

    private final FragmentStore delegate;

    DelegatingStore(FragmentStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public FragmentInfo store(FragmentId id, ByteBuffer data) {
        return delegate.store(id, data);
    }

    @Override
    public Optional<ByteBuffer> read(ContentHash tessera, int index) {
        return delegate.read(tessera, index);
    }

    @Override
    public Optional<SeekableByteChannel> open(ContentHash tessera, int index) {
        return delegate.open(tessera, index);
    }

    @Override
    public Optional<ByteBuffer> readIfInMemory(ContentHash tessera, int index) {
        return delegate.readIfInMemory(tessera, index);
    }

    @Override
    public boolean delete(ContentHash tessera, int index) {
        return delegate.delete(tessera, index);
    }

    @Override
    public List<FragmentInfo> fragments(ContentHash tessera) {
        return delegate.fragments(tessera);
    }

    @Override
    public List<ContentHash> tesseras() {
        return delegate.tesseras();
    }

    @Override
    public List<VerifyResult> verify(ContentHash tessera) {
        return delegate.verify(tessera);
    }

    @Override
    public StoreStats stats() {
        return delegate.stats();
    }
}
