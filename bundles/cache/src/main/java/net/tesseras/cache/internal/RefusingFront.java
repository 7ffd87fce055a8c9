package net.tesseras.cache.internal;

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
import net.tesseras.storage.StoreUnavailableException;
import net.tesseras.storage.VerifyResult;

/**
 * The main front while the cache's configured backend is missing: every call is refused with a
 * {@link StoreUnavailableException} naming that backend and the key that selects it, so that
 * consumers never fall back to another store (writes acknowledged there would vanish when the
 * configured one returns). Listings refuse too: a verify must not pass on zero fragments.
 */
final class RefusingFront implements FragmentStore {

    private volatile String delegateTarget;

    RefusingFront(String delegateTarget) {
        this.delegateTarget = delegateTarget;
    }

    void delegateTarget(String target) {
        this.delegateTarget = target;
    }

    String delegateTarget() {
        return delegateTarget;
    }

    /** What every call says. */
    String message() {
        return "the configured fragment store is not available: the fragment cache's backend (delegate.target = "
                + delegateTarget + " in etc/" + CacheComponent.PID + ".cfg) is down or missing; writes are refused rather "
                + "than sent to another store, nothing was stored or read: start that store or fix delegate.target "
                + "(see scr:list, /health and the log)";
    }

    private StoreUnavailableException refused() {
        return new StoreUnavailableException(message());
    }

    @Override
    public FragmentInfo store(FragmentId id, ByteBuffer data) {
        throw refused();
    }

    @Override
    public FragmentInfo store(FragmentId id, ReadableByteChannel source, long size) {
        throw refused();
    }

    @Override
    public List<FragmentInfo> storeAll(List<FragmentBytes> fragments) {
        throw refused();
    }

    @Override
    public Optional<ByteBuffer> read(ContentHash tessera, int index) {
        throw refused();
    }

    @Override
    public Optional<SeekableByteChannel> open(ContentHash tessera, int index) {
        throw refused();
    }

    /** Nothing is in memory: the caller goes on to {@link #read} or {@link #open}, which refuse. */
    @Override
    public Optional<ByteBuffer> readIfInMemory(ContentHash tessera, int index) {
        return Optional.empty();
    }

    @Override
    public boolean delete(ContentHash tessera, int index) {
        throw refused();
    }

    @Override
    public List<FragmentInfo> fragments(ContentHash tessera) {
        throw refused();
    }

    @Override
    public List<ContentHash> tesseras() {
        throw refused();
    }

    @Override
    public List<ContentHash> tesseras(ContentHash after, int limit) {
        throw refused();
    }

    @Override
    public List<VerifyResult> verify(ContentHash tessera) {
        throw refused();
    }

    @Override
    public StoreStats stats() {
        throw refused();
    }

    @Override
    public String toString() {
        return "fragment cache refusing every call, its backend " + delegateTarget + " is not available";
    }
}
