package net.tesseras.common.internal;

import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.util.List;
import java.util.Optional;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.storage.FragmentBytes;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.StoreStats;
import net.tesseras.storage.VerifyResult;

/** A FragmentStore that forwards every call to another; decorators override what they change. */
public abstract class ForwardingFragmentStore implements FragmentStore {

    /** The store calls go to; may change between calls (a decorator whose backend is swapped). */
    protected abstract FragmentStore delegate();

    @Override
    public FragmentInfo store(FragmentId id, ByteBuffer data) {
        return delegate().store(id, data);
    }

    @Override
    public FragmentInfo store(FragmentId id, ReadableByteChannel source, long size) {
        return delegate().store(id, source, size);
    }

    @Override
    public Optional<ByteBuffer> read(ContentHash tessera, int index) {
        return delegate().read(tessera, index);
    }

    @Override
    public Optional<SeekableByteChannel> open(ContentHash tessera, int index) {
        return delegate().open(tessera, index);
    }

    @Override
    public Optional<ByteBuffer> readIfInMemory(ContentHash tessera, int index) {
        return delegate().readIfInMemory(tessera, index);
    }

    @Override
    public List<FragmentInfo> storeAll(List<FragmentBytes> fragments) {
        return delegate().storeAll(fragments);
    }

    @Override
    public boolean delete(ContentHash tessera, int index) {
        return delegate().delete(tessera, index);
    }

    @Override
    public List<FragmentInfo> fragments(ContentHash tessera) {
        return delegate().fragments(tessera);
    }

    @Override
    public List<ContentHash> tesseras() {
        return delegate().tesseras();
    }

    @Override
    public List<ContentHash> tesseras(ContentHash after, int limit) {
        return delegate().tesseras(after, limit);
    }

    @Override
    public List<VerifyResult> verify(ContentHash tessera) {
        return delegate().verify(tessera);
    }

    @Override
    public StoreStats stats() {
        return delegate().stats();
    }

    @Override
    public String toString() {
        return String.valueOf(delegate());
    }
}
