package net.tesseras.transport.quic.internal;

import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import net.tesseras.common.internal.ForwardingFragmentStore;
import net.tesseras.core.ContentHash;
import net.tesseras.storage.FragmentStore;

/** A store whose reads block until released (20 s at most), so requests pile up or time out. */
final class BlockingReads extends ForwardingFragmentStore {
    final CountDownLatch release = new CountDownLatch(1);
    private final FragmentStore delegate;

    BlockingReads(FragmentStore delegate) {
        this.delegate = delegate;
    }

    @Override
    protected FragmentStore delegate() {
        return delegate;
    }

    @Override
    public Optional<ByteBuffer> read(ContentHash tessera, int index) {
        awaitRelease();
        return super.read(tessera, index);
    }

    // GETs are served through open(): it blocks too (a forwarding store passes it on without read()).
    @Override
    public Optional<SeekableByteChannel> open(ContentHash tessera, int index) {
        awaitRelease();
        return super.open(tessera, index);
    }

    private void awaitRelease() {
        try {
            release.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
