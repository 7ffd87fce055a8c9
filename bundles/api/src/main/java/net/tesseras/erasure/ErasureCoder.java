package net.tesseras.erasure;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Computes parity shards from data shards and rebuilds lost shards: the Reed-Solomon erasure
 * code of Tesseras fragments.
 *
 * <h2>Byte-exact contract</h2>
 *
 * Every implementation produces exactly the bytes of Backblaze JavaReedSolomon (and of the Rust
 * crate {@code reed-solomon-erasure} the original Tesseras used), so fragments made by any node
 * decode on any other:
 *
 * <ul>
 *   <li>Arithmetic in GF(2^8) with the generating polynomial x^8+x^4+x^3+x^2+1 ({@code 0x11D})
 *       and generator element 2.
 *   <li>The encoding matrix is the (data + parity) × data Vandermonde matrix with entry
 *       {@code r^c} (row index r as a field element, 0^0 = 1), multiplied by the inverse of its
 *       top data × data square. The code is therefore systematic: rows {@code 0 .. data-1} are the
 *       identity (data shards pass through unchanged) and parity shard {@code j} is
 *       {@code sum over i of matrix[data + j][i] * data[i]}, byte by byte.
 *   <li>Shards are numbered {@code 0 .. data-1} (data) then {@code data .. data+parity-1}
 *       (parity). At most {@link #MAX_SHARDS} shards in total; at least one data shard.
 *   <li>Known answer (5 data + 5 parity, 2 bytes): data {@code [0,1] [4,5] [2,3] [6,7] [8,9]}
 *       gives parity {@code [12,13] [10,11] [14,15] [90,91] [94,95]}.
 * </ul>
 *
 * <h2>Windows</h2>
 *
 * Both methods work on the window {@code [offset, offset + length)} of every array they touch, so
 * callers stream large shards through reused buffers. Every array that is read or written must be
 * at least {@code offset + length} long. Bytes outside the window are never touched.
 *
 * <h2>Threads</h2>
 *
 * Implementations are safe for concurrent calls from many threads (each with its own arrays).
 *
 * <p>The node registers its own coder with {@link #NAME} {@value #REED_SOLOMON}; a faster one can
 * be deployed as a further service with a higher {@code service.ranking}, provided it keeps the
 * contract above byte for byte.
 */
@ConsumerType
public interface ErasureCoder {

    /** Service property naming the coder (for logs and selection by filter). */
    String NAME = "coder.name";

    /** {@link #NAME} of the node's own Reed-Solomon coder over GF(2^8). */
    String REED_SOLOMON = "reed-solomon-gf256";

    /** The most shards (data plus parity) a code can have: the size of the field. */
    int MAX_SHARDS = 256;

    /**
     * Computes the parity window of every parity shard from the same window of the data shards.
     *
     * @param dataShards number of data shards, at least 1
     * @param parityShards number of parity shards, at least 0; data + parity at most {@link
     *     #MAX_SHARDS}
     * @param data {@code dataShards} arrays, read only
     * @param parity {@code parityShards} arrays whose window is overwritten
     * @param offset first byte of the window in every array
     * @param length bytes in the window
     * @throws IllegalArgumentException if the counts, array counts or window do not fit
     */
    void encode(int dataShards, int parityShards, byte[][] data, byte[][] parity, int offset, int length);

    /**
     * Rebuilds the window of missing shards from the same window of any {@code dataShards}
     * present ones.
     *
     * <p>{@code shards} holds all {@code dataShards + parityShards} shards in index order;
     * {@code present[i]} says whether shard {@code i} holds good bytes. Every shard that is not
     * present and whose array is not {@code null} has its window overwritten with the rebuilt
     * bytes; a missing shard with a {@code null} array is not wanted and is skipped. Present
     * shards are never written. Which present shards are used, when there are more than needed, is
     * up to the implementation (the result is the same).
     *
     * @throws InsufficientShardsException if fewer than {@code dataShards} shards are present
     * @throws IllegalArgumentException if the counts, array counts or window do not fit
     */
    void reconstruct(int dataShards, int parityShards, byte[][] shards, boolean[] present, int offset, int length)
            throws InsufficientShardsException;
}
