package net.tesseras.common.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import net.tesseras.core.Blake3;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.core.ContentHash;

/**
 * A read-only channel over one stored fragment, as {@code FragmentStore.open} hands it out. A
 * backend supplies {@link #readAt}; this class keeps the position and, while the fragment is read
 * sequentially from 0, hashes what it delivers: the read that reaches the end fails with an {@link
 * IOException} naming the fragment when the bytes do not hash to the recorded checksum (those last
 * bytes are not delivered). Once positioned elsewhere (a range read) nothing is checked. Memory use
 * is the caller's buffer plus a small scratch array for direct buffers.
 */
public abstract class FragmentChannel implements SeekableByteChannel {

    private static final int SCRATCH = 64 * 1024;

    private final String fragment;
    private final long size;
    private final ContentHash checksum;
    private Blake3 hasher;
    private long hashed;
    private byte[] scratch;
    private IOException failure;
    private long position;
    private boolean open = true;

    /**
     * @param fragment names the fragment in errors (for example "fragment 3 of tessera ab12…")
     * @param size the fragment's length as the index records it
     * @param checksum the recorded checksum, or null when the bytes were already checked (memory)
     */
    protected FragmentChannel(String fragment, long size, ContentHash checksum) {
        this.fragment = fragment;
        this.size = size;
        this.checksum = checksum;
        this.hasher = checksum == null ? null : new Blake3();
    }

    /** An unchecked channel over bytes already verified and held in memory. */
    public static FragmentChannel of(String fragment, ByteBuffer verified) {
        ByteBuffer bytes = verified.slice().asReadOnlyBuffer();
        return new FragmentChannel(fragment, bytes.remaining(), null) {
            @Override
            protected int readAt(ByteBuffer dst, long position) {
                int n = (int) Math.min(dst.remaining(), bytes.limit() - position);
                dst.put(bytes.slice((int) position, n));
                return n;
            }
        };
    }

    /**
     * Reads bytes starting at {@code position} (below {@link #size()}) into {@code dst}, at most its
     * remaining space and never beyond the fragment's end.
     *
     * @return the number of bytes read, at least 1 when {@code dst} has room
     * @throws IOException if the stored bytes cannot be read or end early
     */
    protected abstract int readAt(ByteBuffer dst, long position) throws IOException;

    /** Releases what the backend holds for this channel (a file handle). */
    protected void closeSource() throws IOException {}

    /** What to say about a fragment whose bytes hash to {@code actual}. */
    protected String damaged(ContentHash actual) {
        return fragment + " is damaged: its stored bytes hash to " + actual + ", not to its checksum " + checksum
                + "; the read was stopped at its end. Storing the fragment again (from a peer or the original)"
                + " repairs it; tesseras:verify lists damaged fragments";
    }

    @Override
    public synchronized int read(ByteBuffer dst) throws IOException {
        ensureOpen();
        if (failure != null) {
            throw failure;
        }
        if (position >= size) {
            if (hasher != null && hashed == size) {
                check(); // an empty fragment: the first read is the one that reaches the end
            }
            return -1;
        }
        if (!dst.hasRemaining()) {
            return 0;
        }
        int start = dst.position();
        int limit = dst.limit();
        if (dst.remaining() > size - position) {
            dst.limit(start + (int) (size - position));
        }
        int n;
        try {
            n = readAt(dst, position);
        } finally {
            dst.limit(limit);
        }
        if (n <= 0) {
            throw new IOException(fragment + " ended after " + position + " of " + size
                    + " bytes (the file was cut short); tesseras:verify reports it");
        }
        if (hasher != null && hashed == position) {
            feed(dst, start, n);
            hashed += n;
            if (hashed == size) {
                try {
                    check();
                } catch (IOException e) {
                    dst.position(start); // the bytes that reach the end are not delivered
                    throw e;
                }
            }
        }
        position += n;
        return n;
    }

    private void feed(ByteBuffer dst, int start, int n) {
        if (dst.hasArray()) {
            hasher.update(dst.array(), dst.arrayOffset() + start, n);
            return;
        }
        if (scratch == null) {
            scratch = new byte[SCRATCH];
        }
        ByteBuffer view = dst.duplicate().position(start).limit(start + n);
        while (view.hasRemaining()) {
            int k = Math.min(scratch.length, view.remaining());
            view.get(scratch, 0, k);
            hasher.update(scratch, 0, k);
        }
    }

    private void check() throws IOException {
        ContentHash actual = Blake3Hashing.finish(hasher);
        hasher = null;
        if (!actual.equals(checksum)) {
            failure = new IOException(damaged(actual));
            throw failure;
        }
    }

    @Override
    public int write(ByteBuffer src) {
        throw new NonWritableChannelException();
    }

    @Override
    public synchronized long position() throws IOException {
        ensureOpen();
        return position;
    }

    @Override
    public synchronized SeekableByteChannel position(long newPosition) throws IOException {
        ensureOpen();
        if (newPosition < 0) {
            throw new IllegalArgumentException("position must not be negative: " + newPosition);
        }
        if (newPosition != hashed) {
            hasher = null; // a range read: not checked against the checksum
        }
        position = newPosition;
        return this;
    }

    @Override
    public synchronized long size() throws IOException {
        ensureOpen();
        return size;
    }

    @Override
    public SeekableByteChannel truncate(long newSize) {
        throw new NonWritableChannelException();
    }

    @Override
    public synchronized boolean isOpen() {
        return open;
    }

    @Override
    public synchronized void close() throws IOException {
        if (open) {
            open = false;
            closeSource();
        }
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!open) {
            throw new ClosedChannelException();
        }
    }
}
