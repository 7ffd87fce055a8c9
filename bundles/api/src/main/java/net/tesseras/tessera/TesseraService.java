package net.tesseras.tessera;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import net.tesseras.core.ContentHash;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The node's tesseras: creates them from a person's files, lists, describes, verifies, exports and
 * deletes them. Fragments go to the fragment store the node is wired to; the manifest, its
 * signature and the signed fragment plan are kept in the node's database.
 *
 * <p>Long operations report to a {@link TesseraProgress} and stop, leaving nothing half-done, when
 * the calling thread is interrupted. Failures are {@link TesseraException}s whose messages name the
 * input and say what to do.
 */
@ProviderType
public interface TesseraService {

    /**
     * Creates a tessera from files and directories (directories recursively; each file keeps its
     * name relative to the directory given), signed by the node's identity. Creation is atomic:
     * on any failure no fragment and no record of the tessera remain.
     *
     * @throws TesseraException when an input cannot be read, changes while it is read, the files
     *         are too large for the largest tier, a tessera with the same files exists, or storing fails
     */
    TesseraInfo create(List<Path> inputs, TesseraProgress progress);

    /** The tesseras created or adopted (restored from the network) on this node, in hash order, after {@code after} (null: from the start). */
    List<TesseraInfo> list(ContentHash after, int limit);

    /** The tessera with this hash, if the node has it. */
    Optional<TesseraInfo> find(ContentHash hash);

    /**
     * The one tessera whose hash is, or starts with, the given hex text.
     *
     * @throws TesseraNotFoundException when none matches, or when the prefix matches several
     */
    TesseraInfo resolve(String hashOrPrefix);

    /** The manifest, the signed fragment plan and what the store holds of each fragment. */
    TesseraDetails show(ContentHash hash);

    /**
     * Checks the manifest's signature, the plan's signature, every stored fragment against the
     * plan, and rebuilds the payload from the fragments to check every file's hash. Never throws
     * for a failed check: the result says which part failed.
     */
    TesseraVerification verify(ContentHash hash, TesseraProgress progress);

    /**
     * Writes the original files under their original names into {@code destination}, which must not
     * exist or be empty, rebuilding the payload from any {@code dataShards} good fragments; the
     * manifest, its signature and the creator's public key are written beside the files. The
     * directory appears complete or not at all.
     */
    ExportResult export(ContentHash hash, Path destination, TesseraProgress progress);

    /**
     * Deletes the tessera's fragments from the store and its record.
     *
     * @return false when the node has no such tessera
     */
    boolean delete(ContentHash hash);

    /**
     * Rebuilds fragments of a tessera from those the store holds: from any {@code dataShards} good
     * fragments of the plan in the store, regenerates each fragment of {@code indices} that the store
     * lacks or holds damaged (its bytes do not hash to the plan's checksum), checks it against the
     * plan and stores it (a damaged one is replaced). Fragments of {@code indices} the store holds
     * good are left alone. The tessera need not be one this node created or adopted: repair and
     * restore call it with a plan received from a peer, after fetching fragments into the store.
     *
     * @param plan a signed plan whose signature verifies
     * @param indices fragment indices of the plan, each {@code 0 .. totalShards-1}
     * @return the indices rebuilt and stored, in ascending order
     * @throws TesseraException when the plan's signature does not verify, an index is out of range,
     *         fewer than {@code dataShards} good fragments are held, or storing fails
     */
    java.util.SortedSet<Integer> rebuild(SignedFragmentPlan plan, java.util.Set<Integer> indices, TesseraProgress progress);

    /**
     * Takes up a tessera created elsewhere whose fragments were fetched into the store (restore from
     * the network): checks the plan's signature, rebuilds the payload from any {@code dataShards}
     * good fragments, checks that its manifest hashes to the plan's tessera and is signed by the
     * plan's creator, and every file's hash; then records the tessera so that {@link #show},
     * {@link #verify} and {@link #export} work for it. A tessera already recorded is returned as is.
     *
     * @throws TesseraException naming the check that failed, or when fewer than {@code dataShards}
     *         good fragments are held
     */
    TesseraInfo adopt(SignedFragmentPlan plan, TesseraProgress progress);
}
