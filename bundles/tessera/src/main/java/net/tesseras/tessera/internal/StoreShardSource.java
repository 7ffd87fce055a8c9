package net.tesseras.tessera.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.util.Collection;
import java.util.Optional;
import net.tesseras.core.ContentHash;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.FragmentStoreException;
import net.tesseras.tessera.internal.erasure.ShardSource;

/**
 * A tessera's fragments in a store, as shards for the decoder. A store reports a damaged or
 * unreadable fragment with a {@link FragmentStoreException} (when it is opened, or while it is
 * read); here that becomes an {@link IOException}, which the decoder treats as a missing shard
 * and rebuilds around, instead of failing the whole restore.
 */
final class StoreShardSource implements ShardSource {

    private final FragmentStore store;
    private final ContentHash tessera;
    private final Collection<Integer> skip;

    /** @param skip indices not to open at all (the index says they are not held with the plan's checksum) */
    StoreShardSource(FragmentStore store, ContentHash tessera, Collection<Integer> skip) {
        this.store = store;
        this.tessera = tessera;
        this.skip = skip;
    }

    @Override
    public Optional<SeekableByteChannel> open(int index) throws IOException {
        if (skip.contains(index)) {
            return Optional.empty();
        }
        try {
            return store.open(tessera, index).map(StoreShardSource::reportingIoErrors);
        } catch (FragmentStoreException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static SeekableByteChannel reportingIoErrors(SeekableByteChannel channel) {
        return new SeekableByteChannel() {
            @Override
            public int read(ByteBuffer dst) throws IOException {
                try {
                    return channel.read(dst);
                } catch (FragmentStoreException e) {
                    throw new IOException(e.getMessage(), e);
                }
            }

            @Override
            public int write(ByteBuffer src) throws IOException {
                throw new IOException("a stored fragment is read-only");
            }

            @Override
            public long position() throws IOException {
                return channel.position();
            }

            @Override
            public SeekableByteChannel position(long newPosition) throws IOException {
                channel.position(newPosition);
                return this;
            }

            @Override
            public long size() throws IOException {
                return channel.size();
            }

            @Override
            public SeekableByteChannel truncate(long size) throws IOException {
                throw new IOException("a stored fragment is read-only");
            }

            @Override
            public boolean isOpen() {
                return channel.isOpen();
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }
}
