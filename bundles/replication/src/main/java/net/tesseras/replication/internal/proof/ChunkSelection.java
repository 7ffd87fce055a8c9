package net.tesseras.replication.internal.proof;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.TreeSet;
import net.tesseras.core.Blake3;
import net.tesseras.core.Blake3Tree;

/**
 * Which chunks a challenge's nonce selects in each fragment: both the requester and the holder
 * compute them, so the holder cannot pick the chunks it still has. Candidate {@code c} (c = 0, 1,
 * ...) of fragment {@code index} is the first 8 bytes, as an unsigned big-endian number, of
 * BLAKE3({@link #DOMAIN} || nonce || index u16 || c u32), reduced modulo the fragment's chunk
 * count; candidates are taken until {@code k} distinct chunks are found (all chunks when the
 * fragment has no more than {@code k}). The selection is returned in increasing order.
 */
public final class ChunkSelection {

    /** Domain prefix of the selection hash. */
    public static final String DOMAIN = "tesseras challenge v1";

    private static final byte[] DOMAIN_BYTES = DOMAIN.getBytes(StandardCharsets.US_ASCII);

    private ChunkSelection() {
    }

    /**
     * The chunks of fragment {@code index} (of {@code size} bytes) that {@code nonce} selects.
     *
     * @param k how many chunks, at least 1
     * @return {@code min(k, chunkCount(size))} distinct chunk numbers in increasing order
     */
    public static long[] select(byte[] nonce, int index, long size, int k) {
        Objects.requireNonNull(nonce, "nonce");
        if (k < 1) {
            throw new IllegalArgumentException("a challenge selects at least one chunk, not " + k);
        }
        long chunks = Blake3Tree.chunkCount(size);
        if (chunks <= k) {
            long[] all = new long[(int) chunks];
            Arrays.setAll(all, i -> i);
            return all;
        }
        TreeSet<Long> selected = new TreeSet<>();
        ByteBuffer input = ByteBuffer.allocate(DOMAIN_BYTES.length + nonce.length + 2 + 4).order(ByteOrder.BIG_ENDIAN);
        input.put(DOMAIN_BYTES).put(nonce).putShort((short) index);
        int counterAt = input.position();
        // Candidates repeat rarely (k is small next to the chunk count), so this ends after about k hashes.
        for (int counter = 0; selected.size() < k; counter++) {
            input.putInt(counterAt, counter);
            byte[] digest = Blake3.hash(input.array());
            long value = ByteBuffer.wrap(digest, 0, 8).order(ByteOrder.BIG_ENDIAN).getLong();
            selected.add(Long.remainderUnsigned(value, chunks));
        }
        return selected.stream().mapToLong(Long::longValue).toArray();
    }
}
