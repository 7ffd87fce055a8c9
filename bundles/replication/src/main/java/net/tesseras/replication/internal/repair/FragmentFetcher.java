package net.tesseras.replication.internal.repair;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import net.tesseras.core.ContentHash;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.FragmentStoreException;
import net.tesseras.tessera.FragmentPlan;
import net.tesseras.transport.PeerClient;
import net.tesseras.transport.PeerException;

/**
 * Fetches one fragment of a planned tessera from a peer into the local store: streamed into a
 * temporary file by the transport (verified against the checksum the peer lists), which must be
 * the plan's checksum and size; stored through the store's own checksum check. A damaged copy the
 * store held under that index and checksum is replaced; a fragment held there under another
 * checksum is never touched (the plan asking may be a forged one): the fetch fails instead.
 */
final class FragmentFetcher {

    private final PeerClient client;
    private final FragmentStore store;
    private final Path workDirectory;

    FragmentFetcher(PeerClient client, FragmentStore store, Path workDirectory) {
        this.client = client;
        this.store = store;
        this.workDirectory = workDirectory;
    }

    /** A fetch that did not give a good fragment; the message says which and why. */
    static final class FetchFailed extends Exception {
        private static final long serialVersionUID = 1L;

        FetchFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** @return the bytes stored */
    long fetch(InetSocketAddress peer, FragmentPlan plan, int index) throws FetchFailed, InterruptedException {
        ContentHash tessera = plan.tessera();
        String what = "fragment " + index + " of tessera " + tessera.toShortHex(12) + " from " + peer;
        Optional<FragmentInfo> held = store.fragments(tessera).stream().filter(f -> f.id().index() == index).findFirst();
        if (held.isPresent() && !held.get().id().checksum().equals(plan.checksums().get(index))) {
            throw new FetchFailed(what + " not fetched: this node already holds fragment " + index + " with checksum "
                    + held.get().id().checksum() + ", not the plan's " + plan.checksums().get(index)
                    + "; it is kept, and another fragment must do", null);
        }
        Path target = null;
        try {
            Files.createDirectories(workDirectory);
            target = Files.createTempFile(workDirectory, "fetch-" + index + "-", ".part");
            Files.delete(target); // the transport writes it through its own temporary file
            FragmentInfo info = client.fetch(peer, tessera, index, target).toCompletableFuture().get();
            if (!info.id().checksum().equals(plan.checksums().get(index))) {
                throw new FetchFailed(what + ": the peer holds other bytes (checksum " + info.id().checksum()
                        + ", the signed plan says " + plan.checksums().get(index) + ")", null);
            }
            long size = Files.size(target);
            if (size != plan.shardSize()) {
                throw new FetchFailed(what + ": " + size + " bytes arrived, the plan's fragments have " + plan.shardSize(), null);
            }
            if (held.isPresent()) {
                store.delete(tessera, index); // the same fragment, damaged (bit rot): the fetched copy replaces it
            }
            try (FileChannel channel = FileChannel.open(target, StandardOpenOption.READ)) {
                store.store(plan.fragmentId(index), channel, size);
            }
            return size;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            String why = cause instanceof PeerException p ? p.code() + ": " + p.getMessage() : String.valueOf(cause);
            throw new FetchFailed(what + " failed: " + why, cause);
        } catch (FragmentStoreException e) {
            throw new FetchFailed(what + " was refused by the local store: " + e.getMessage(), e);
        } catch (InterruptedIOException e) {
            throw new InterruptedException(what + " was interrupted");
        } catch (IOException e) {
            throw new FetchFailed(what + ": " + e, e);
        } finally {
            if (target != null) {
                try {
                    Files.deleteIfExists(target);
                } catch (IOException ignored) {
                    // a temporary file in the work directory; the next fetch of that index replaces it
                }
            }
        }
    }
}
