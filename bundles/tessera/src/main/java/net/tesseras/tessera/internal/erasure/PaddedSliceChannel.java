package net.tesseras.tessera.internal.erasure;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;

/**
 * A read-only view of a data shard: {@code dataLength} bytes of a file from {@code start},
 * followed by zeros up to {@code size}. Lets a data shard be read straight from the payload
 * file, with its padding, without copying it.
 */
final class PaddedSliceChannel implements SeekableByteChannel {

    private final FileChannel file;
    private final long start;
    private final long dataLength;
    private final long size;
    private long position;

    PaddedSliceChannel(FileChannel file, long start, long dataLength, long size) {
        this.file = file;
        this.start = start;
        this.dataLength = dataLength;
        this.size = size;
    }

    @Override
    public int read(ByteBuffer target) throws IOException {
        ensureOpen();
        if (position >= size) {
            return -1;
        }
        int room = (int) Math.min(target.remaining(), size - position);
        if (position < dataLength) {
            ByteBuffer slice = target.slice().limit((int) Math.min(room, dataLength - position));
            int read = file.read(slice, start + position);
            if (read < 0) {
                throw new IOException("the payload file ended at " + (start + position)
                        + " bytes, before its shard; was it changed while being encoded?");
            }
            target.position(target.position() + read);
            position += read;
            return read;
        }
        for (int i = 0; i < room; i++) {
            target.put((byte) 0);
        }
        position += room;
        return room;
    }

    @Override
    public int write(ByteBuffer source) {
        throw new NonWritableChannelException();
    }

    @Override
    public long position() throws IOException {
        ensureOpen();
        return position;
    }

    @Override
    public SeekableByteChannel position(long newPosition) throws IOException {
        ensureOpen();
        if (newPosition < 0) {
            throw new IllegalArgumentException("negative position " + newPosition);
        }
        position = newPosition;
        return this;
    }

    @Override
    public long size() throws IOException {
        ensureOpen();
        return size;
    }

    @Override
    public SeekableByteChannel truncate(long newSize) {
        throw new NonWritableChannelException();
    }

    @Override
    public boolean isOpen() {
        return file.isOpen();
    }

    @Override
    public void close() throws IOException {
        file.close();
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!file.isOpen()) {
            throw new ClosedChannelException();
        }
    }
}
