package net.tesseras.replication.internal.placement;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.replication.Peer;
import net.tesseras.storage.FragmentBytes;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.FragmentStoreException;
import net.tesseras.storage.StoreStats;
import net.tesseras.storage.VerifyResult;
import net.tesseras.transport.ErrorCode;
import net.tesseras.transport.PeerClient;
import net.tesseras.transport.PeerException;

/**
 * One peer seen as the write side of a {@link FragmentStore}, so that the {@link
 * net.tesseras.common.internal.BatchWriter} (bounded memory and concurrency, back-pressure) sends
 * fragments to it: {@code store} and {@code storeAll} PUT them with {@link PeerClient#put}; every
 * PUT holds a permit of the publisher's global semaphore, which bounds the transfers of all
 * peers together. Each fragment's outcome goes to the {@link Outcomes} as it is known; a batch with
 * a failed PUT fails (which stops the writer: the rest is retried later). Only the write side
 * exists: a publisher never reads from or deletes on a peer through it.
 */
final class PeerStore implements FragmentStore {

    /** Told of each fragment's outcome, from the thread that stored the batch. */
    interface Outcomes {
        void acked(Peer peer, FragmentId id, long bytes);

        void failed(Peer peer, FragmentId id, PeerException failure);
    }

    private final Peer peer;
    private final PeerClient client;
    private final Semaphore permits;
    private final Outcomes outcomes;
    private final Clock clock;
    private final Semaphore largeInMemory;

    /**
     * @param largeInMemory permits for fragments larger than a batch, each read whole into the heap
     *        while it is sent (the transport's PUT takes one buffer, and the local store's channel
     *        verifies as it reads, so it cannot be mapped): shared by the publisher's peers, it
     *        bounds how many such fragments (up to a few hundred MiB each) are in memory at once
     */
    PeerStore(Peer peer, PeerClient client, Semaphore permits, Outcomes outcomes, Clock clock, Semaphore largeInMemory) {
        this.peer = peer;
        this.client = client;
        this.permits = permits;
        this.outcomes = outcomes;
        this.clock = clock;
        this.largeInMemory = largeInMemory;
    }

    @Override
    public FragmentInfo store(FragmentId id, ByteBuffer data) {
        return storeAll(List.of(new FragmentBytes(id, data))).get(0);
    }

    @Override
    public FragmentInfo store(FragmentId id, ReadableByteChannel source, long size) {
        FragmentStore.checkSize(id, size);
        if (size > Integer.MAX_VALUE - 8) {
            throw new FragmentStoreException("fragment " + id.index() + " of tessera " + id.tessera() + " has " + size
                    + " bytes, more than one PUT buffer holds");
        }
        try {
            largeInMemory.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FragmentStoreException("interrupted while waiting to send fragment " + id.index() + " of tessera "
                    + id.tessera() + " (" + size + " bytes) to peer " + peer.nodeId().toHex());
        }
        try {
            ByteBuffer data = ByteBuffer.allocate((int) size);
            while (data.hasRemaining()) {
                if (source.read(data) < 0) {
                    throw new FragmentStoreException("fragment " + id.index() + " of tessera " + id.tessera() + " ended after "
                            + data.position() + " of " + size + " bytes in the local store");
                }
            }
            return store(id, data.flip());
        } catch (IOException e) {
            throw new FragmentStoreException("cannot read fragment " + id.index() + " of tessera " + id.tessera()
                    + " from the local store: " + e, e);
        } finally {
            largeInMemory.release();
        }
    }

    /** PUTs the batch's fragments at once (each under a global permit) and waits for all of them. */
    @Override
    public List<FragmentInfo> storeAll(List<FragmentBytes> fragments) {
        List<CompletableFuture<Void>> puts = new ArrayList<>(fragments.size());
        for (FragmentBytes fragment : fragments) {
            try {
                permits.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                puts.add(CompletableFuture.failedFuture(new PeerException(ErrorCode.INTERNAL, "interrupted before sending")));
                continue;
            }
            CompletableFuture<Void> put;
            try {
                put = client.put(peer.address(), fragment.id(), fragment.data().duplicate()).toCompletableFuture();
            } catch (RuntimeException e) {
                put = CompletableFuture.failedFuture(e);
            }
            put.whenComplete((ok, failure) -> permits.release());
            puts.add(put);
        }
        List<FragmentInfo> stored = new ArrayList<>(fragments.size());
        PeerException first = null;
        for (int i = 0; i < fragments.size(); i++) {
            FragmentBytes fragment = fragments.get(i);
            long size = fragment.data().remaining();
            try {
                puts.get(i).get();
                outcomes.acked(peer, fragment.id(), size);
                // What the peer acknowledged: the fragment and its size, stored as of its answer.
                stored.add(new FragmentInfo(fragment.id(), size, clock.instant(), Optional.empty()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                PeerException failure = new PeerException(ErrorCode.INTERNAL, "interrupted while waiting for the PUT to "
                        + peer.nodeId().toHex());
                outcomes.failed(peer, fragment.id(), failure);
                first = first == null ? failure : first;
            } catch (ExecutionException e) {
                PeerException failure = asPeerException(e.getCause());
                outcomes.failed(peer, fragment.id(), failure);
                first = first == null ? failure : first;
            }
        }
        if (first != null) {
            throw new FragmentStoreException("sending to peer " + peer.nodeId().toHex() + " failed: " + first.getMessage(), first);
        }
        return stored;
    }

    static PeerException asPeerException(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof java.util.concurrent.CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof PeerException peer ? peer
                : new PeerException(ErrorCode.INTERNAL, "the request failed here: " + cause, cause);
    }

    private UnsupportedOperationException writeOnly() {
        return new UnsupportedOperationException("a peer seen as a store only takes fragments (PUT); read it with PeerClient");
    }

    @Override
    public Optional<ByteBuffer> read(ContentHash tessera, int index) {
        throw writeOnly();
    }

    @Override
    public boolean delete(ContentHash tessera, int index) {
        throw writeOnly();
    }

    @Override
    public List<FragmentInfo> fragments(ContentHash tessera) {
        throw writeOnly();
    }

    @Override
    public List<ContentHash> tesseras() {
        throw writeOnly();
    }

    @Override
    public List<VerifyResult> verify(ContentHash tessera) {
        throw writeOnly();
    }

    @Override
    public StoreStats stats() {
        throw writeOnly();
    }

    @Override
    public String toString() {
        return "peer " + peer.nodeId().toHex() + " at " + peer.address();
    }
}
