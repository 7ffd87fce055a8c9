package net.tesseras.storage;

import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Stores the fragments of tesseras and proves what it holds.
 *
 * <h2>Contract</h2>
 *
 * <ul>
 *   <li><b>Thread safety.</b> Every method may be called from any number of threads at once.
 *       Concurrent stores of the same fragment leave exactly one copy.
 *   <li><b>Verified at the door.</b> {@code store} hashes the bytes with BLAKE3 and refuses them
 *       with {@link ChecksumMismatchException} if they do not match {@link FragmentId#checksum()};
 *       nothing is kept in that case.
 *   <li><b>Durability.</b> When {@code store} returns, the fragment survives a crash of the
 *       process (and of the machine, as far as the backend's configured synchronous mode
 *       promises). When it throws, nothing was acknowledged.
 *   <li><b>Immutability.</b> A fragment never changes. Storing the same fragment again is a
 *       no-op, unless the stored copy is damaged (gone, of the wrong length, or failing its
 *       checksum), in which case the verified bytes replace it; storing different bytes under an
 *       index that already holds a fragment throws {@link FragmentConflictException}.
 *   <li><b>No damaged bytes.</b> {@link #read} never returns bytes that do not match the recorded
 *       checksum: a damaged fragment is refused with a {@link FragmentStoreException} naming it,
 *       so that caches and peers are never handed them.
 *   <li><b>The index answers listings.</b> {@link #fragments}, {@link #tesseras} and {@link
 *       #stats} come from the backend's index and never read fragment bytes, so attestations can
 *       be built from them cheaply. {@link #verify} is the only method that re-reads and
 *       re-hashes stored bytes.
 *   <li><b>Large fragments stream.</b> {@link #read} hands out a fragment as one buffer, so it
 *       is for fragments that fit in memory; {@link #open} streams any fragment up to {@link
 *       #MAX_FRAGMENT_SIZE} and reads ranges of it. Consumers that may meet large fragments (the
 *       transport, the shell's {@code get}) use {@link #open}.
 *   <li><b>Errors.</b> Invalid arguments raise {@link IllegalArgumentException}; a full disk
 *       raises {@link InsufficientStorageException}; any other storage failure raises {@link
 *       FragmentStoreException} with a message naming the fragment and the cause. A failed call
 *       leaves the store as it was.
 * </ul>
 */
@ConsumerType
public interface FragmentStore {

    /** Service property: {@value #ROLE_BACKEND} for a real backend, {@value #ROLE_FRONT} for a decorator. */
    String ROLE = "store.role";

    /** {@link #ROLE} value of a backend that keeps fragments itself. */
    String ROLE_BACKEND = "backend";

    /** {@link #ROLE} value of a decorator placed in front of a backend (the cache). */
    String ROLE_FRONT = "front";

    /** Service property naming a store, unique per node (for example {@code fs}). */
    String NAME = "store.name";

    /**
     * The largest fragment any store accepts and any peer transfers: 4 GiB. Reed-Solomon shards of
     * the largest tier are far smaller (10 GiB / 48); whole-copy fragments of small tesseras are
     * below 4 MiB. Stores refuse larger fragments with {@link IllegalArgumentException}, so that a
     * fragment stored here can always be fetched by a peer.
     */
    long MAX_FRAGMENT_SIZE = 1L << 32;

    /**
     * Refuses a fragment size no store keeps: negative, or above {@link #MAX_FRAGMENT_SIZE}. Backends
     * call it before reading a byte, so every store refuses with the same message.
     *
     * @throws IllegalArgumentException naming the fragment, its size and the limit
     */
    static void checkSize(FragmentId id, long size) {
        if (size < 0) {
            throw new IllegalArgumentException("fragment size must not be negative: " + size);
        }
        if (size > MAX_FRAGMENT_SIZE) {
            throw new IllegalArgumentException("fragment " + id.index() + " of tessera " + id.tessera() + " has " + size
                    + " bytes, more than the largest fragment any store keeps or peer transfers (" + MAX_FRAGMENT_SIZE
                    + " bytes, 4 GiB); split the data into more, smaller fragments");
        }
    }

    /**
     * Stores a fragment held in memory.
     *
     * @param id the fragment's identity, including the checksum its bytes must have
     * @param data the bytes from its position to its limit; the position is not changed
     * @return what the index now records for the fragment
     * @throws ChecksumMismatchException if the bytes do not hash to {@code id.checksum()}
     * @throws FragmentConflictException if the index already holds other bytes
     * @throws InsufficientStorageException if there is not enough space
     */
    FragmentInfo store(FragmentId id, ByteBuffer data);

    /**
     * Stores a fragment read from a channel, for fragments too large to hold in memory.
     *
     * <p>The default implementation reads the whole fragment into memory and calls {@link
     * #store(FragmentId, ByteBuffer)}; backends that can stream should override it.
     *
     * @param size the exact number of bytes the channel will deliver
     * @throws FragmentStoreException if the channel ends early or delivers more than {@code size}
     */
    default FragmentInfo store(FragmentId id, ReadableByteChannel source, long size) {
        if (size < 0 || size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(
                    "fragment of " + size + " bytes is too large for an in-memory store");
        }
        ByteBuffer data = ByteBuffer.allocate((int) size);
        try {
            while (data.hasRemaining()) {
                if (source.read(data) < 0) {
                    throw new FragmentStoreException("fragment " + id + " ended after "
                            + data.position() + " of " + size + " bytes");
                }
            }
            if (source.read(ByteBuffer.allocate(1)) > 0) {
                throw new FragmentStoreException("fragment " + id + " is longer than " + size + " bytes");
            }
        } catch (java.io.IOException e) {
            throw new FragmentStoreException("cannot read fragment " + id + ": " + e.getMessage(), e);
        }
        return store(id, data.flip());
    }

    /**
     * Reads a fragment's bytes.
     *
     * @return a read-only buffer positioned at 0 holding the fragment, which callers may share
     *     without copying, or empty if the store does not hold that fragment (or its bytes are gone)
     * @throws FragmentStoreException if the stored bytes are damaged (they do not match the
     *     recorded checksum); they are never returned
     */
    Optional<ByteBuffer> read(ContentHash tessera, int index);

    /**
     * Opens a fragment for streaming and range reads, for fragments of any size up to {@link
     * #MAX_FRAGMENT_SIZE}. The caller closes the channel. Reading from position 0 to the end checks
     * the bytes against the recorded checksum: a damaged fragment fails the read that reaches its
     * end with an {@link java.io.IOException} naming it (bytes before that may have been delivered;
     * a peer receiving them checks the checksum itself). A range read (after {@link
     * SeekableByteChannel#position(long)}) is not checked against the checksum.
     *
     * <p>The default implementation serves {@link #read} from memory; backends that keep large
     * fragments should override it so that memory stays bounded.
     *
     * @return a read-only channel positioned at 0, or empty if the store does not hold that fragment
     */
    default Optional<SeekableByteChannel> open(ContentHash tessera, int index) {
        return read(tessera, index).map(ByteBufferChannel::new);
    }

    /**
     * A fragment's bytes if they can be had at once without blocking: from memory, never from disk
     * or the network. The transport answers such reads on its event loop without handing the
     * request to a worker. Same checksum promise as {@link #read}.
     *
     * <p>The default implementation has nothing in memory.
     *
     * @return a read-only buffer positioned at 0, or empty when the fragment is not held in memory
     */
    default Optional<ByteBuffer> readIfInMemory(ContentHash tessera, int index) {
        return Optional.empty();
    }

    /**
     * Stores several fragments, for example the shards of one tessera. Each fragment is verified
     * and made durable as by {@link #store(FragmentId, ByteBuffer)}; backends may group the
     * index writes of a batch into one transaction and overlap their syncs.
     *
     * <p>The default implementation stores one fragment after the other.
     *
     * @return what the index records for each fragment, in the order given
     * @throws FragmentStoreException (or one of its subclasses) naming the first fragment that
     *     could not be stored; fragments stored before it stay stored (storing them again is a no-op)
     */
    default List<FragmentInfo> storeAll(List<FragmentBytes> fragments) {
        List<FragmentInfo> stored = new ArrayList<>(fragments.size());
        for (FragmentBytes fragment : fragments) {
            stored.add(store(fragment.id(), fragment.data()));
        }
        return stored;
    }

    /**
     * Deletes a fragment.
     *
     * @return whether the fragment was held
     */
    boolean delete(ContentHash tessera, int index);

    /**
     * Lists the fragments held for a tessera, ordered by index, from the index alone.
     *
     * @return an empty list if none is held
     */
    List<FragmentInfo> fragments(ContentHash tessera);

    /** The tesseras of which at least one fragment is held, in hash order, from the index alone. */
    List<ContentHash> tesseras();

    /**
     * One page of {@link #tesseras()}: at most {@code limit} hashes greater than {@code after}, in
     * hash order, from the index alone. Pass the last hash of a page to get the next one.
     *
     * <p>The default implementation filters the whole listing; backends with an index should
     * override it with a bounded query.
     *
     * @param after the hash to start after, or null for the first page
     * @param limit the largest page, at least 1
     */
    default List<ContentHash> tesseras(ContentHash after, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("a page holds at least one tessera, not " + limit);
        }
        List<ContentHash> page = new ArrayList<>();
        for (ContentHash hash : tesseras()) {
            if (after == null || hash.compareTo(after) > 0) {
                page.add(hash);
                if (page.size() == limit) {
                    break;
                }
            }
        }
        return page;
    }

    /**
     * Re-reads and re-hashes every fragment held for a tessera and records when each was last
     * verified.
     *
     * @return one result per fragment in the index, ordered by index
     */
    List<VerifyResult> verify(ContentHash tessera);

    /**
     * Counts and bytes held, from the index alone; backends keep them as counters, so this is cheap
     * enough to call on every scrape.
     */
    StoreStats stats();
}
