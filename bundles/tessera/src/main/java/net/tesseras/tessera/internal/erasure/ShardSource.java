package net.tesseras.tessera.internal.erasure;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.util.Optional;

/**
 * Where a decode or rebuild finds shards: a local store, a download directory, peers. The
 * decoder closes every channel it is given. A shard may be missing (empty), of the wrong length or
 * damaged: the decoder checks each against its checksum and uses only good ones.
 */
@FunctionalInterface
public interface ShardSource {

    /**
     * Opens shard {@code index}, positioned anywhere (the decoder seeks to its start).
     *
     * @return the shard's bytes, or empty if this source does not have it
     * @throws IOException if the shard exists but cannot be opened; the decoder treats it as
     *     missing and says so if too few shards remain
     */
    Optional<SeekableByteChannel> open(int index) throws IOException;
}
