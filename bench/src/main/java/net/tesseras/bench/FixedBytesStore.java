package net.tesseras.bench;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.StoreStats;
import net.tesseras.storage.VerifyResult;

/**
 * A read-only backend that answers every read with {@code size} zero bytes, so that only the
 * layers in front of it are measured. With {@code fresh}, each read allocates new bytes (the cache
 * is then the only thing keeping them alive); otherwise reads share one buffer.
 */
final class FixedBytesStore implements FragmentStore {

    private final int size;
    private final boolean fresh;
    private final ByteBuffer shared;

    FixedBytesStore(int size, boolean fresh) {
        this.size = size;
        this.fresh = fresh;
        this.shared = ByteBuffer.allocate(size).asReadOnlyBuffer();
    }

    @Override
    public Optional<ByteBuffer> read(ContentHash tessera, int index) {
        return Optional.of(fresh ? ByteBuffer.allocate(size).asReadOnlyBuffer() : shared.duplicate());
    }

    @Override
    public FragmentInfo store(FragmentId id, ByteBuffer data) {
        throw new UnsupportedOperationException("read-only benchmark store");
    }

    @Override
    public boolean delete(ContentHash tessera, int index) {
        return false;
    }

    @Override
    public List<FragmentInfo> fragments(ContentHash tessera) {
        return List.of();
    }

    @Override
    public List<ContentHash> tesseras() {
        return List.of();
    }

    @Override
    public List<VerifyResult> verify(ContentHash tessera) {
        return List.of();
    }

    @Override
    public StoreStats stats() {
        return new StoreStats(0, 0, 0);
    }
}
