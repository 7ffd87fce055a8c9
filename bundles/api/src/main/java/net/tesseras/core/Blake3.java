package net.tesseras.core;

import java.nio.ByteBuffer;

/**
 * BLAKE3 (hash mode, 32-byte output): the hash that names tesseras and checks fragments
 * ({@link ContentHash}, {@link FragmentId#checksum()}) and derives NodeIds. It is part of the
 * protocol, so nodes and plugins use this one implementation.
 *
 * <p>Streaming use: create a hasher, {@link #update(byte[]) feed} it arrays or buffers in any
 * split, then take the {@link #finish() ContentHash} or the raw {@link #digest() 32 bytes}. For a
 * whole array, buffer, file or channel at once, see {@link Blake3Hashing}.
 *
 * <pre>{@code
 * Blake3 hasher = new Blake3();
 * hasher.update(header).update(body);      // byte[] or ByteBuffer
 * ContentHash checksum = hasher.finish();
 * }</pre>
 *
 * <p>It is written for speed on the node's hot paths: every stored byte is hashed at the door,
 * and verification re-hashes everything held.
 *
 * <p>Why our own: commons-codec's implementation is correct but allocates on every compression and
 * permutes arrays between rounds (about 290 MB/s here); BouncyCastle's is slower still, and no
 * faster implementation is published on Maven Central as an OSGi bundle. This one keeps state and
 * message words in local variables, permutes the words between rounds by renaming locals, and
 * compresses whole blocks straight from the caller's array: about 1.8x commons-codec (see
 * docs/BENCHMARKS.md). It is tested against commons-codec on many lengths and splits, after JIT
 * compilation too (see Blake3Test).
 *
 * <p>An instance is not thread safe; create one per hash (creation is cheap) or {@link #reset()}.
 */
public final class Blake3 {

    /** Length of a digest in bytes (that of a {@link ContentHash}). */
    public static final int OUT_LEN = 32;

    private static final int BLOCK_LEN = 64;
    private static final int CHUNK_LEN = 1024;
    private static final int CHUNK_START = 1;
    private static final int CHUNK_END = 2;
    private static final int PARENT = 4;
    private static final int ROOT = 8;

    private static final int IV0 = 0x6A09E667;
    private static final int IV1 = 0xBB67AE85;
    private static final int IV2 = 0x3C6EF372;
    private static final int IV3 = 0xA54FF53A;
    private static final int IV4 = 0x510E527F;
    private static final int IV5 = 0x9B05688C;
    private static final int IV6 = 0x1F83D9AB;
    private static final int IV7 = 0x5BE0CD19;


    // Current chunk.
    private final int[] cv = new int[8];
    private final byte[] block = new byte[BLOCK_LEN];
    private int blockLen;
    private int blocksCompressed;
    private long chunkCounter;
    // Chaining values of completed subtrees; 54 levels cover 2^64 bytes.
    private final int[][] stack = new int[54][8];
    private int stackSize;
    // Scratch.
    private final int[] m = new int[16];
    private final int[] parentWords = new int[16];
    private final int[] chunkCv = new int[8];
    private final int[] key = new int[8];

    public Blake3() {
        reset();
    }

    /** One-shot hash of a whole array: its 32-byte digest (see {@link Blake3Hashing} for a ContentHash). */
    public static byte[] hash(byte[] data) {
        return new Blake3().update(data, 0, data.length).digest();
    }

    /** Starts over, as if newly created. */
    public Blake3 reset() {
        setIv(cv);
        blockLen = 0;
        blocksCompressed = 0;
        chunkCounter = 0;
        stackSize = 0;
        return this;
    }

    /** Feeds a whole array. */
    public Blake3 update(byte[] input) {
        return update(input, 0, input.length);
    }

    /** Feeds {@code length} bytes of {@code input} from {@code offset}. */
    public Blake3 update(byte[] input, int offset, int length) {
        java.util.Objects.checkFromIndexSize(offset, length, input.length);
        int end = offset + length;
        while (offset < end) {
            if (chunkLength() == CHUNK_LEN) {
                chunkOutput(chunkCv);
                addChunkChainingValue(chunkCv, chunkCounter + 1);
                chunkCounter++;
                setIv(cv);
                blockLen = 0;
                blocksCompressed = 0;
            }
            int take = Math.min(CHUNK_LEN - chunkLength(), end - offset);
            updateChunk(input, offset, take);
            offset += take;
        }
        return this;
    }

    /** Feeds the remaining bytes of {@code data} without moving its position. */
    public Blake3 update(ByteBuffer data) {
        if (data.hasArray()) {
            return update(data.array(), data.arrayOffset() + data.position(), data.remaining());
        }
        ByteBuffer view = data.duplicate();
        byte[] chunk = new byte[Math.min(64 * 1024, Math.max(1, view.remaining()))];
        while (view.hasRemaining()) {
            int n = Math.min(chunk.length, view.remaining());
            view.get(chunk, 0, n);
            update(chunk, 0, n);
        }
        return this;
    }

    /** The 32-byte digest of everything fed so far; the hasher may keep being fed afterwards. */
    public byte[] digest() {
        // Output of the current chunk, then up the stack of subtrees to the root.
        int[] inputCv = cv.clone();
        int[] words = new int[16];
        readPadded(block, blockLen, words);
        long counter = chunkCounter;
        int len = blockLen;
        int flags = CHUNK_END | (blocksCompressed == 0 ? CHUNK_START : 0);
        for (int i = stackSize - 1; i >= 0; i--) {
            int[] right = new int[8];
            compress(inputCv, words, counter, len, flags, right);
            System.arraycopy(stack[i], 0, words, 0, 8);
            System.arraycopy(right, 0, words, 8, 8);
            setIv(inputCv);
            counter = 0;
            len = BLOCK_LEN;
            flags = PARENT;
        }
        // The root is compressed with output block counter 0 (only 32 bytes are produced).
        int[] out = new int[8];
        compress(inputCv, words, 0, len, flags | ROOT, out);
        byte[] digest = new byte[OUT_LEN];
        for (int i = 0; i < 8; i++) {
            digest[i * 4] = (byte) out[i];
            digest[i * 4 + 1] = (byte) (out[i] >>> 8);
            digest[i * 4 + 2] = (byte) (out[i] >>> 16);
            digest[i * 4 + 3] = (byte) (out[i] >>> 24);
        }
        return digest;
    }

    /** The {@link ContentHash} of everything fed so far; the hasher may keep being fed afterwards. */
    public ContentHash finish() {
        return ContentHash.of(digest());
    }

    /**
     * Hook for {@link Blake3Tree}: the 32-byte chaining value of one whole chunk of the tree (at most
     * 1024 bytes) with chunk counter {@code counter}; with {@code root} set, the
     * chunk is the whole input and the result is its digest.
     */
    static byte[] chunkChainingValue(byte[] chunk, int offset, int length, long counter, boolean root) {
        java.util.Objects.checkFromIndexSize(offset, length, chunk.length);
        if (length > CHUNK_LEN) {
            throw new IllegalArgumentException("a chunk holds at most " + CHUNK_LEN + " bytes, not " + length);
        }
        int[] state = new int[8];
        setIv(state);
        int[] words = new int[16];
        int blocks = Math.max(1, (length + BLOCK_LEN - 1) / BLOCK_LEN);
        for (int b = 0; b < blocks - 1; b++) {
            readBlock(chunk, offset + b * BLOCK_LEN, words);
            compress(state, words, counter, BLOCK_LEN, b == 0 ? CHUNK_START : 0, state);
        }
        int lastLength = length - (blocks - 1) * BLOCK_LEN;
        byte[] last = new byte[BLOCK_LEN];
        System.arraycopy(chunk, offset + (blocks - 1) * BLOCK_LEN, last, 0, lastLength);
        readBlock(last, 0, words);
        int flags = CHUNK_END | (blocks == 1 ? CHUNK_START : 0) | (root ? ROOT : 0);
        compress(state, words, root ? 0 : counter, lastLength, flags, state);
        return littleEndian(state);
    }

    /**
     * Hook for {@link Blake3Tree}: the 32-byte chaining value of a parent node over its children's
     * 32-byte chaining values; with {@code root} set, the node is the tree's root and the result is
     * the input's digest.
     */
    static byte[] parentChainingValue(byte[] left, byte[] right, boolean root) {
        if (left.length != OUT_LEN || right.length != OUT_LEN) {
            throw new IllegalArgumentException("chaining values are " + OUT_LEN + " bytes, not " + left.length + " and "
                    + right.length);
        }
        byte[] block = new byte[BLOCK_LEN];
        System.arraycopy(left, 0, block, 0, OUT_LEN);
        System.arraycopy(right, 0, block, OUT_LEN, OUT_LEN);
        int[] words = new int[16];
        readBlock(block, 0, words);
        int[] state = new int[8];
        setIv(state);
        compress(state, words, 0, BLOCK_LEN, PARENT | (root ? ROOT : 0), state);
        return littleEndian(state);
    }

    private static byte[] littleEndian(int[] words) {
        byte[] bytes = new byte[words.length * 4];
        for (int i = 0; i < words.length; i++) {
            bytes[i * 4] = (byte) words[i];
            bytes[i * 4 + 1] = (byte) (words[i] >>> 8);
            bytes[i * 4 + 2] = (byte) (words[i] >>> 16);
            bytes[i * 4 + 3] = (byte) (words[i] >>> 24);
        }
        return bytes;
    }

    private int chunkLength() {
        return blocksCompressed * BLOCK_LEN + blockLen;
    }

    /** Adds bytes that all belong to the current chunk. */
    private void updateChunk(byte[] input, int offset, int length) {
        int end = offset + length;
        while (offset < end) {
            if (blockLen == BLOCK_LEN) {
                // A full buffered block with more input after it: not the chunk's last block.
                readBlock(block, 0, m);
                compressBlock();
                blockLen = 0;
            }
            if (blockLen == 0) {
                // Compress whole blocks straight from the input, keeping the last one buffered.
                while (end - offset > BLOCK_LEN) {
                    readBlock(input, offset, m);
                    compressBlock();
                    offset += BLOCK_LEN;
                }
            }
            int take = Math.min(BLOCK_LEN - blockLen, end - offset);
            System.arraycopy(input, offset, block, blockLen, take);
            blockLen += take;
            offset += take;
        }
    }

    private void compressBlock() {
        compress(cv, m, chunkCounter, BLOCK_LEN, blocksCompressed == 0 ? CHUNK_START : 0, cv);
        blocksCompressed++;
    }

    /** The chaining value of the current (complete) chunk. */
    private void chunkOutput(int[] out) {
        readPadded(block, blockLen, m);
        compress(cv, m, chunkCounter, blockLen, CHUNK_END | (blocksCompressed == 0 ? CHUNK_START : 0), out);
    }

    private void addChunkChainingValue(int[] newCv, long totalChunks) {
        // Merge completed subtrees: one merge per trailing zero bit of the chunk count.
        while ((totalChunks & 1) == 0) {
            int[] left = stack[--stackSize];
            System.arraycopy(left, 0, parentWords, 0, 8);
            System.arraycopy(newCv, 0, parentWords, 8, 8);
            setIv(key);
            compress(key, parentWords, 0, BLOCK_LEN, PARENT, newCv);
            totalChunks >>= 1;
        }
        System.arraycopy(newCv, 0, stack[stackSize++], 0, 8);
    }

    /**
     * Little-endian words of a 64-byte block. Plain shifts on purpose: a byte-array VarHandle view
     * gave wrong words once C2 compiled this class (JDK 17.0.15; right under -Xint and C1).
     */
    private static void readBlock(byte[] bytes, int offset, int[] words) {
        for (int i = 0; i < 16; i++) {
            int o = offset + i * 4;
            words[i] = (bytes[o] & 0xff) | (bytes[o + 1] & 0xff) << 8 | (bytes[o + 2] & 0xff) << 16 | (bytes[o + 3] & 0xff) << 24;
        }
    }

    private static void readPadded(byte[] bytes, int length, int[] words) {
        byte[] padded = new byte[BLOCK_LEN];
        System.arraycopy(bytes, 0, padded, 0, length);
        readBlock(padded, 0, words);
    }

    private static void setIv(int[] v) {
        v[0] = IV0;
        v[1] = IV1;
        v[2] = IV2;
        v[3] = IV3;
        v[4] = IV4;
        v[5] = IV5;
        v[6] = IV6;
        v[7] = IV7;
    }

    /**
     * The compression function; writes the 8-word chaining value to {@code out} (which may be
     * {@code chainingValue} itself).
     */
    private static void compress(int[] chainingValue, int[] m, long counter, int blockLength, int flags, int[] out) {
        int v0 = chainingValue[0], v1 = chainingValue[1], v2 = chainingValue[2], v3 = chainingValue[3];
        int v4 = chainingValue[4], v5 = chainingValue[5], v6 = chainingValue[6], v7 = chainingValue[7];
        int v8 = IV0, v9 = IV1, v10 = IV2, v11 = IV3;
        int v12 = (int) counter, v13 = (int) (counter >>> 32), v14 = blockLength, v15 = flags;
        int m0 = m[0], m1 = m[1], m2 = m[2], m3 = m[3], m4 = m[4], m5 = m[5], m6 = m[6], m7 = m[7];
        int m8 = m[8], m9 = m[9], m10 = m[10], m11 = m[11], m12 = m[12], m13 = m[13], m14 = m[14], m15 = m[15];
        for (int r = 0; r < 7; r++) {
            // Columns.
            v0 += v4 + m0; v12 = Integer.rotateRight(v12 ^ v0, 16); v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 12);
            v0 += v4 + m1; v12 = Integer.rotateRight(v12 ^ v0, 8); v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 7);
            v1 += v5 + m2; v13 = Integer.rotateRight(v13 ^ v1, 16); v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 12);
            v1 += v5 + m3; v13 = Integer.rotateRight(v13 ^ v1, 8); v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 7);
            v2 += v6 + m4; v14 = Integer.rotateRight(v14 ^ v2, 16); v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 12);
            v2 += v6 + m5; v14 = Integer.rotateRight(v14 ^ v2, 8); v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 7);
            v3 += v7 + m6; v15 = Integer.rotateRight(v15 ^ v3, 16); v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 12);
            v3 += v7 + m7; v15 = Integer.rotateRight(v15 ^ v3, 8); v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 7);
            // Diagonals.
            v0 += v5 + m8; v15 = Integer.rotateRight(v15 ^ v0, 16); v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 12);
            v0 += v5 + m9; v15 = Integer.rotateRight(v15 ^ v0, 8); v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 7);
            v1 += v6 + m10; v12 = Integer.rotateRight(v12 ^ v1, 16); v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 12);
            v1 += v6 + m11; v12 = Integer.rotateRight(v12 ^ v1, 8); v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 7);
            v2 += v7 + m12; v13 = Integer.rotateRight(v13 ^ v2, 16); v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 12);
            v2 += v7 + m13; v13 = Integer.rotateRight(v13 ^ v2, 8); v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 7);
            v3 += v4 + m14; v14 = Integer.rotateRight(v14 ^ v3, 16); v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 12);
            v3 += v4 + m15; v14 = Integer.rotateRight(v14 ^ v3, 8); v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 7);
            // Permute the message words for the next round.
            int t0 = m2, t1 = m6, t2 = m3, t3 = m10, t4 = m7, t5 = m0, t6 = m4, t7 = m13;
            int t8 = m1, t9 = m11, t10 = m12, t11 = m5, t12 = m9, t13 = m14, t14 = m15, t15 = m8;
            m0 = t0; m1 = t1; m2 = t2; m3 = t3; m4 = t4; m5 = t5; m6 = t6; m7 = t7;
            m8 = t8; m9 = t9; m10 = t10; m11 = t11; m12 = t12; m13 = t13; m14 = t14; m15 = t15;
        }
        out[0] = v0 ^ v8;
        out[1] = v1 ^ v9;
        out[2] = v2 ^ v10;
        out[3] = v3 ^ v11;
        out[4] = v4 ^ v12;
        out[5] = v5 ^ v13;
        out[6] = v6 ^ v14;
        out[7] = v7 ^ v15;
    }
}
