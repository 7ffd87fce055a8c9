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

    /** The tesseras created on this node, in hash order, after {@code after} (null: from the start). */
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
}
