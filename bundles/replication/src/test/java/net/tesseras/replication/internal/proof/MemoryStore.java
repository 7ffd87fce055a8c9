package net.tesseras.replication.internal.proof;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.storage.ChecksumMismatchException;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.StoreStats;
import net.tesseras.storage.VerifyResult;

/**
 * A fragment store in memory that, unlike a real one, serves its bytes without checking them, so a
 * test can {@link #corrupt} a fragment and see what a holder that does not notice would answer.
 */
final class MemoryStore implements FragmentStore {

    private record Held(FragmentInfo info, byte[] bytes) {
    }

    private final Map<String, Held> fragments = new ConcurrentSkipListMap<>();

    @Override
    public FragmentInfo store(FragmentId id, ByteBuffer data) {
        byte[] bytes = new byte[data.remaining()];
        data.duplicate().get(bytes);
        ContentHash actual = Blake3Hashing.hash(bytes);
        if (!actual.equals(id.checksum())) {
            throw new ChecksumMismatchException(id, actual);
        }
        FragmentInfo info = new FragmentInfo(id, bytes.length, Instant.EPOCH, Optional.empty());
        fragments.put(key(id.tessera(), id.index()), new Held(info, bytes));
        return info;
    }

    /** Flips one bit of a held fragment, leaving its index entry as it was. */
    void corrupt(ContentHash tessera, int index, int offset) {
        fragments.get(key(tessera, index)).bytes()[offset] ^= 0x01;
    }

    @Override
    public Optional<ByteBuffer> read(ContentHash tessera, int index) {
        return Optional.ofNullable(fragments.get(key(tessera, index))).map(held -> ByteBuffer.wrap(held.bytes()).asReadOnlyBuffer());
    }

    @Override
    public boolean delete(ContentHash tessera, int index) {
        return fragments.remove(key(tessera, index)) != null;
    }

    @Override
    public List<FragmentInfo> fragments(ContentHash tessera) {
        List<FragmentInfo> infos = new ArrayList<>();
        fragments.forEach((key, held) -> {
            if (held.info().id().tessera().equals(tessera)) {
                infos.add(held.info());
            }
        });
        return infos;
    }

    @Override
    public List<ContentHash> tesseras() {
        return fragments.values().stream().map(held -> held.info().id().tessera()).distinct().sorted().toList();
    }

    @Override
    public List<VerifyResult> verify(ContentHash tessera) {
        throw new UnsupportedOperationException("not used by proofs");
    }

    @Override
    public StoreStats stats() {
        throw new UnsupportedOperationException("not used by proofs");
    }

    private static String key(ContentHash tessera, int index) {
        return tessera.toHex() + String.format("/%05d", index);
    }
}
