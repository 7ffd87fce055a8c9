package net.tesseras.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * BLAKE3 verified streaming of 1 KiB chunks: proves that a chunk of some content belongs to the
 * content whose {@link Blake3 BLAKE3} hash is known, without the rest of the content. Possession
 * challenges use it: a holder answers a few chunks of a fragment with their proofs, and the
 * requester checks them against the fragment's checksum while holding nothing but that checksum.
 *
 * <p>BLAKE3 hashes {@value #CHUNK_LEN}-byte chunks (the chunk counter is the chunk's index) into a
 * left-balanced binary tree: a subtree of {@code n > 1} chunks puts the largest power of two
 * smaller than {@code n} in its left child and the rest in its right child; a parent compresses
 * its children's 32-byte chaining values, and the root's compression yields the hash. A chunk's
 * proof is the chaining value of the sibling at each level of its path, so a proof has at most
 * about log2(chunks) values of 32 bytes.
 *
 * <pre>{@code
 * List<ChunkProof> proofs = Blake3Tree.prove(channel, size, new long[] {3, 17});  // the holder
 * boolean ok = Blake3Tree.verify(checksum, size, proofs.get(0));                 // the requester
 * }</pre>
 *
 * <p>Why our own: the chaining values of inner nodes are not exposed by the hashers we use (ours,
 * commons-codec's, BouncyCastle's), and no library offering BLAKE3 verified streaming is published
 * on Maven Central as an OSGi bundle. It is built on {@link Blake3}'s compression function and
 * tested against {@link Blake3#hash(byte[])} on many lengths, every chunk of each.
 */
public final class Blake3Tree {

    /** Bytes per chunk: BLAKE3's chunk length; the last chunk of the content may be shorter. */
    public static final int CHUNK_LEN = 1024;

    /** Bytes read from the content at once while proving. */
    private static final int READ_BUFFER = 64 * CHUNK_LEN;

    private Blake3Tree() {
    }

    /**
     * The number of chunks of content of {@code length} bytes: {@code ceil(length / 1024)}, and 1
     * for empty content (one empty chunk).
     *
     * @throws IllegalArgumentException if {@code length} is negative
     */
    public static long chunkCount(long length) {
        if (length < 0) {
            throw new IllegalArgumentException("a content length is not negative: " + length);
        }
        return Math.max(1, (length + CHUNK_LEN - 1) / CHUNK_LEN);
    }

    /**
     * One chunk of some content and the proof that it belongs there. The arrays are held as given
     * (proofs are built and checked in bulk): do not change them afterwards.
     *
     * @param chunk the chunk's index, from 0
     * @param bytes the chunk's bytes: {@value #CHUNK_LEN}, or fewer for the content's last chunk
     * @param siblings the 32-byte chaining values of the siblings along the chunk's path, from the
     *        root's children down to the chunk's sibling; empty for single-chunk content
     */
    public record ChunkProof(long chunk, byte[] bytes, List<byte[]> siblings) {

        /** @throws NullPointerException if {@code bytes}, {@code siblings} or a sibling is null */
        public ChunkProof {
            Objects.requireNonNull(bytes, "bytes");
            siblings = List.copyOf(siblings);
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof ChunkProof other) || chunk != other.chunk || !Arrays.equals(bytes, other.bytes)
                    || siblings.size() != other.siblings.size()) {
                return false;
            }
            for (int i = 0; i < siblings.size(); i++) {
                if (!Arrays.equals(siblings.get(i), other.siblings.get(i))) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(chunk) * 31 + Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "ChunkProof[chunk " + chunk + ", " + bytes.length + " bytes, " + siblings.size() + " siblings]";
        }
    }

    /**
     * Proves chunks of content in one streaming pass: reads exactly {@code length} bytes from
     * {@code content}, holding at most a read buffer, the open subtrees (one chaining value per
     * level) and the requested chunks with their proofs.
     *
     * @param content the content from its start; read, not closed
     * @param length the content's exact length in bytes
     * @param chunks the chunks to prove, each in {@code [0, chunkCount(length))}; repeats allowed
     * @return one proof per element of {@code chunks}, in the same order
     * @throws IOException if reading fails, or the content ends before {@code length} bytes or goes
     *     on after them
     * @throws IllegalArgumentException if {@code length} is negative or a chunk is out of range
     */
    public static List<ChunkProof> prove(ReadableByteChannel content, long length, long[] chunks) throws IOException {
        return proveAndCheck(content, length, chunks, null);
    }

    /**
     * Proves chunks as {@link #prove(ReadableByteChannel, long, long[])} does, and checks in the
     * same pass that the content hashes to {@code expected}: a holder proving from its store learns
     * that its copy is damaged without hashing it twice.
     *
     * @param expected the BLAKE3 hash the content must have
     * @throws IOException also when the content does not hash to {@code expected} (the message
     *     names both hashes)
     */
    public static List<ChunkProof> prove(ReadableByteChannel content, long length, long[] chunks, ContentHash expected)
            throws IOException {
        Objects.requireNonNull(expected, "expected");
        return proveAndCheck(content, length, chunks, expected);
    }

    private static List<ChunkProof> proveAndCheck(ReadableByteChannel content, long length, long[] chunks, ContentHash expected)
            throws IOException {
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(chunks, "chunks");
        long count = chunkCount(length);
        // Which node's chaining value goes into which proof, at which depth.
        Map<Node, List<Slot>> wanted = new HashMap<>();
        Map<Long, byte[]> wantedChunks = new HashMap<>();
        byte[][][] siblings = new byte[chunks.length][][];
        for (int p = 0; p < chunks.length; p++) {
            long chunk = chunks[p];
            if (chunk < 0 || chunk >= count) {
                throw new IllegalArgumentException("content of " + length + " bytes has chunks 0.." + (count - 1)
                        + ", not " + chunk);
            }
            List<Node> path = siblingsOf(chunk, count);
            siblings[p] = new byte[path.size()][];
            for (int depth = 0; depth < path.size(); depth++) {
                wanted.computeIfAbsent(path.get(depth), n -> new ArrayList<>()).add(new Slot(p, depth));
            }
            wantedChunks.put(chunk, null);
        }

        Subtrees subtrees = new Subtrees(count, wanted, siblings);
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(READ_BUFFER, Math.max(length, 1)));
        long chunk = 0;
        long remaining = length;
        do {
            int want = (int) Math.min(buffer.capacity(), remaining);
            readFully(content, buffer.clear().limit(want), length, length - remaining);
            for (int offset = 0; offset < want || (length == 0 && offset == 0); offset += CHUNK_LEN) {
                int chunkLength = Math.min(CHUNK_LEN, want - offset);
                if (wantedChunks.containsKey(chunk)) {
                    wantedChunks.put(chunk, Arrays.copyOfRange(buffer.array(), offset, offset + chunkLength));
                }
                subtrees.addChunk(Blake3.chunkChainingValue(buffer.array(), offset, chunkLength, chunk, count == 1));
                chunk++;
                if (length == 0) {
                    break;
                }
            }
            remaining -= want;
        } while (remaining > 0);
        if (content.read(ByteBuffer.allocate(1)) > 0) {
            throw new IOException("the content is longer than the " + length + " bytes announced");
        }
        byte[] root = subtrees.finish();
        if (expected != null && !MessageDigest.isEqual(root, expected.toBytes())) {
            throw new IOException("the content hashes to " + ContentHash.of(root) + ", not to the expected " + expected);
        }

        List<ChunkProof> proofs = new ArrayList<>(chunks.length);
        for (int p = 0; p < chunks.length; p++) {
            proofs.add(new ChunkProof(chunks[p], wantedChunks.get(chunks[p]).clone(), Arrays.asList(siblings[p])));
        }
        return proofs;
    }

    /**
     * Whether {@code proof} shows that its bytes are chunk {@code proof.chunk()} of content of
     * {@code length} bytes whose BLAKE3 hash is {@code root}. False, never an exception, for any
     * proof that does not: altered bytes, a chunk of the wrong length or index, siblings missing,
     * extra, altered or not 32 bytes, a negative length or one that gives the chunk another path.
     * (The hash commits to the content; the length only decides the chunk's path and length, so a
     * full chunk also verifies with another length that keeps its path, while the last chunk's
     * length must be exact.)
     *
     * @throws NullPointerException if {@code root} or {@code proof} is null
     */
    public static boolean verify(ContentHash root, long length, ChunkProof proof) {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(proof, "proof");
        if (length < 0) {
            return false;
        }
        long count = chunkCount(length);
        long chunk = proof.chunk();
        if (chunk < 0 || chunk >= count) {
            return false;
        }
        long expectedLength = Math.min(CHUNK_LEN, length - chunk * CHUNK_LEN);
        if (proof.bytes().length != expectedLength) {
            return false;
        }
        List<Node> path = siblingsOf(chunk, count);
        List<byte[]> siblings = proof.siblings();
        if (siblings.size() != path.size()) {
            return false;
        }
        for (byte[] sibling : siblings) {
            if (sibling.length != Blake3.OUT_LEN) {
                return false;
            }
        }
        byte[] value = Blake3.chunkChainingValue(proof.bytes(), 0, proof.bytes().length, chunk, count == 1);
        for (int depth = path.size() - 1; depth >= 0; depth--) {
            boolean siblingOnTheRight = path.get(depth).start() > chunk;
            value = siblingOnTheRight
                    ? Blake3.parentChainingValue(value, siblings.get(depth), depth == 0)
                    : Blake3.parentChainingValue(siblings.get(depth), value, depth == 0);
        }
        return MessageDigest.isEqual(value, root.toBytes());
    }

    /** The siblings of the nodes on {@code chunk}'s path, from the root's children down. */
    private static List<Node> siblingsOf(long chunk, long count) {
        List<Node> siblings = new ArrayList<>();
        long start = 0;
        long end = count;
        while (end - start > 1) {
            long middle = start + Long.highestOneBit(end - start - 1);
            if (chunk < middle) {
                siblings.add(new Node(middle, end));
                end = middle;
            } else {
                siblings.add(new Node(start, middle));
                start = middle;
            }
        }
        return siblings;
    }

    private static void readFully(ReadableByteChannel content, ByteBuffer buffer, long length, long done) throws IOException {
        while (buffer.hasRemaining()) {
            if (content.read(buffer) < 0) {
                throw new IOException("the content ended after " + (done + buffer.position()) + " of the " + length
                        + " bytes announced");
            }
        }
    }

    /** A node of the tree: the chunks {@code [start, end)}. */
    private record Node(long start, long end) {
    }

    /** Where a node's chaining value goes: proof {@code proof}, sibling {@code depth}. */
    private record Slot(int proof, int depth) {
    }

    /**
     * The open subtrees while chunks arrive in order: complete subtrees of decreasing power-of-two
     * sizes, merged as soon as two have the same size (each such merge is a node of BLAKE3's tree,
     * since it is aligned and within the content), and merged from the right at the end (the nodes
     * along the tree's right edge).
     */
    private static final class Subtrees {
        private final long count;
        private final Map<Node, List<Slot>> wanted;
        private final byte[][][] siblings;
        private final long[] starts = new long[66];
        private final long[] ends = new long[66];
        private final byte[][] values = new byte[66][];
        private int size;

        Subtrees(long count, Map<Node, List<Slot>> wanted, byte[][][] siblings) {
            this.count = count;
            this.wanted = wanted;
            this.siblings = siblings;
        }

        void addChunk(byte[] value) {
            long start = size == 0 ? 0 : ends[size - 1];
            push(start, start + 1, value);
            while (size >= 2 && ends[size - 1] - starts[size - 1] == ends[size - 2] - starts[size - 2]) {
                mergeTop();
            }
        }

        /** Merges the right edge; returns the root's value (the content's hash). */
        byte[] finish() {
            while (size >= 2) {
                mergeTop();
            }
            return values[0];
        }

        private void mergeTop() {
            byte[] right = values[--size];
            long end = ends[size];
            byte[] left = values[--size];
            long start = starts[size];
            push(start, end, Blake3.parentChainingValue(left, right, start == 0 && end == count));
        }

        private void push(long start, long end, byte[] value) {
            starts[size] = start;
            ends[size] = end;
            values[size++] = value;
            List<Slot> slots = wanted.get(new Node(start, end));
            if (slots != null) {
                for (Slot slot : slots) {
                    siblings[slot.proof()][slot.depth()] = value;
                }
            }
        }
    }
}
