package net.tesseras.tessera.internal.erasure;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import net.tesseras.core.ContentHash;

/**
 * The shards of an encoded payload: data shards are read from the payload file itself (plus their
 * zero padding), parity shards from temporary files that {@link #close()} deletes. The payload
 * file must not change while this is open.
 */
public final class EncodedPayload implements Closeable {

    private final Path payloadFile;
    private final ShardLayout layout;
    private final List<ContentHash> checksums;
    private final List<Path> parityFiles;

    EncodedPayload(Path payloadFile, ShardLayout layout, List<ContentHash> checksums, List<Path> parityFiles) {
        this.payloadFile = payloadFile;
        this.layout = layout;
        this.checksums = List.copyOf(checksums);
        this.parityFiles = List.copyOf(parityFiles);
    }

    public ShardLayout layout() {
        return layout;
    }

    /** BLAKE3 of every shard's exact bytes (padding included), in index order. */
    public List<ContentHash> checksums() {
        return checksums;
    }

    /** Bytes of every shard. */
    public long shardSize() {
        return layout.shardSize();
    }

    /**
     * Opens shard {@code index} for reading from its start: exactly {@link #shardSize()} bytes. The
     * caller closes it.
     */
    public SeekableByteChannel open(int index) throws IOException {
        layout.checkIndex(index);
        if (layout.isParity(index)) {
            return FileChannel.open(parityFiles.get(index - layout.dataShards()), StandardOpenOption.READ);
        }
        return new PaddedSliceChannel(FileChannel.open(payloadFile, StandardOpenOption.READ),
                layout.dataStart(index), layout.dataLength(index), layout.shardSize());
    }

    /** Deletes the parity files. */
    @Override
    public void close() throws IOException {
        IOException failure = null;
        for (Path file : parityFiles) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
