package net.tesseras.storage;

import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
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
     * Re-reads and re-hashes every fragment held for a tessera and records when each was last
     * verified.
     *
     * @return one result per fragment in the index, ordered by index
     */
    List<VerifyResult> verify(ContentHash tessera);

    /** Counts and bytes held, from the index alone. */
    StoreStats stats();
}
