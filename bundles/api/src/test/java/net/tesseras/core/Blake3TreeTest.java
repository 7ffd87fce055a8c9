package net.tesseras.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import net.tesseras.core.Blake3Tree.ChunkProof;
import org.junit.jupiter.api.Test;

class Blake3TreeTest {

    private static final int[] LENGTHS = {0, 1, 1023, 1024, 1025, 2047, 2048, 2049, 3072, 3073, 4096, 4097,
            5 * 1024 + 1, 7 * 1024, 9 * 1024 - 1, 64 * 1024, 64 * 1024 + 1, 65 * 1024 + 3, (1 << 20) + 7};

    @Test
    void chunkCountIsTheNumberOfOneKibChunksAndAtLeastOne() {
        assertEquals(1, Blake3Tree.chunkCount(0));
        assertEquals(1, Blake3Tree.chunkCount(1));
        assertEquals(1, Blake3Tree.chunkCount(1024));
        assertEquals(2, Blake3Tree.chunkCount(1025));
        assertEquals(5121, Blake3Tree.chunkCount(5L * 1024 * 1024 + 1));
        assertThrows(IllegalArgumentException.class, () -> Blake3Tree.chunkCount(-1));
    }

    @Test
    void everyChunkOfEveryLengthVerifiesAgainstTheHash() throws IOException {
        Random random = new Random(11);
        List<Integer> lengths = new ArrayList<>();
        for (int length : LENGTHS) {
            lengths.add(length);
        }
        for (int i = 0; i < 12; i++) {
            lengths.add(random.nextInt(300_000));
        }
        for (int length : lengths) {
            byte[] data = random(random, length);
            ContentHash root = ContentHash.of(Blake3.hash(data));
            long[] all = LongStream.range(0, Blake3Tree.chunkCount(length)).toArray();
            List<ChunkProof> proofs = Blake3Tree.prove(channel(data), length, all);
            assertEquals(all.length, proofs.size());
            for (ChunkProof proof : proofs) {
                int from = (int) proof.chunk() * Blake3Tree.CHUNK_LEN;
                assertArrayEquals(Arrays.copyOfRange(data, from, Math.min(length, from + Blake3Tree.CHUNK_LEN)),
                        proof.bytes(), "length " + length + " chunk " + proof.chunk());
                assertTrue(Blake3Tree.verify(root, length, proof), "length " + length + " chunk " + proof.chunk());
                int depth = 64 - Long.numberOfLeadingZeros(all.length - 1);
                assertTrue(proof.siblings().size() <= depth, "a proof holds at most ceil(log2(chunks)) siblings");
            }
        }
    }

    @Test
    void aSingleChunkIsItsOwnRootWithNoSiblings() throws IOException {
        for (int length : new int[] {0, 1, 1024}) {
            byte[] data = random(new Random(length), length);
            ChunkProof proof = Blake3Tree.prove(channel(data), length, new long[] {0}).get(0);
            assertEquals(List.of(), proof.siblings());
            assertTrue(Blake3Tree.verify(ContentHash.of(Blake3.hash(data)), length, proof));
        }
    }

    @Test
    void provesTheRequestedChunksInTheirOrderWithRepeatsFromAnyReadSplit() throws IOException {
        byte[] data = random(new Random(5), 100_000);
        ContentHash root = ContentHash.of(Blake3.hash(data));
        long[] chunks = {97, 3, 3, 0, 50};
        List<ChunkProof> proofs = Blake3Tree.prove(trickle(data, new Random(6)), data.length, chunks);
        for (int i = 0; i < chunks.length; i++) {
            assertEquals(chunks[i], proofs.get(i).chunk());
            assertTrue(Blake3Tree.verify(root, data.length, proofs.get(i)));
        }
        assertEquals(proofs.get(1), proofs.get(2));
    }

    @Test
    void aFlippedByteFailsWhereverItIs() throws IOException {
        byte[] data = random(new Random(7), 5 * 1024 + 1);
        ContentHash root = ContentHash.of(Blake3.hash(data));
        for (ChunkProof proof : Blake3Tree.prove(channel(data), data.length, new long[] {0, 2, 4, 5})) {
            for (int i = 0; i < proof.bytes().length; i += 97) {
                byte[] bytes = proof.bytes().clone();
                bytes[i] ^= 0x01;
                assertFalse(Blake3Tree.verify(root, data.length, new ChunkProof(proof.chunk(), bytes, proof.siblings())));
            }
        }
    }

    @Test
    void bytesProvenAgainstAnotherContentFail() throws IOException {
        byte[] data = random(new Random(8), 4096);
        ChunkProof proof = Blake3Tree.prove(channel(data), data.length, new long[] {1}).get(0);
        data[3000] ^= 0x40;
        assertFalse(Blake3Tree.verify(ContentHash.of(Blake3.hash(data)), data.length, proof),
                "a proof of the original does not verify against the hash of the changed content");
    }

    @Test
    void aWrongChunkIndexFails() throws IOException {
        byte[] data = random(new Random(9), 8 * 1024);
        ContentHash root = ContentHash.of(Blake3.hash(data));
        List<ChunkProof> proofs = Blake3Tree.prove(channel(data), data.length, LongStream.range(0, 8).toArray());
        for (ChunkProof proof : proofs) {
            for (long other = -1; other <= 8; other++) {
                if (other != proof.chunk()) {
                    assertFalse(Blake3Tree.verify(root, data.length, new ChunkProof(other, proof.bytes(), proof.siblings())),
                            "chunk " + proof.chunk() + " claimed as " + other);
                }
            }
        }
    }

    @Test
    void aWrongLengthFails() throws IOException {
        byte[] data = random(new Random(10), 3 * 1024 + 10);
        ContentHash root = ContentHash.of(Blake3.hash(data));
        List<ChunkProof> proofs = Blake3Tree.prove(channel(data), data.length, new long[] {0, 3});
        // Lengths that give a chunk another path fail it; any other length fails the last chunk.
        for (ChunkProof proof : proofs) {
            for (long length : new long[] {-1, 0, 1024, 5 * 1024, 8 * 1024, Long.MAX_VALUE}) {
                assertFalse(Blake3Tree.verify(root, length, proof), "chunk " + proof.chunk() + " length " + length);
            }
        }
        for (long length : new long[] {data.length - 1, data.length + 1, 3 * 1024, 4 * 1024}) {
            assertFalse(Blake3Tree.verify(root, length, proofs.get(1)), "last chunk, length " + length);
        }
    }

    @Test
    void aFullChunkProvesTheSameWhateverLengthGivesItTheSamePath() throws IOException {
        // The hash commits to the content; a length only decides the chunk's path. A full chunk is in
        // the content whatever the last chunk's length, so it verifies (requesters take the length
        // from the plan, and the last chunk's length is checked exactly).
        byte[] data = random(new Random(18), 3 * 1024 + 10);
        ChunkProof first = Blake3Tree.prove(channel(data), data.length, new long[] {0}).get(0);
        assertTrue(Blake3Tree.verify(ContentHash.of(Blake3.hash(data)), data.length - 1, first));
    }

    @Test
    void aChunkOfTheWrongLengthFails() throws IOException {
        byte[] data = random(new Random(12), 2 * 1024 + 500);
        ContentHash root = ContentHash.of(Blake3.hash(data));
        for (ChunkProof proof : Blake3Tree.prove(channel(data), data.length, new long[] {0, 2})) {
            byte[] longer = Arrays.copyOf(proof.bytes(), proof.bytes().length + 1);
            byte[] shorter = Arrays.copyOf(proof.bytes(), proof.bytes().length - 1);
            assertFalse(Blake3Tree.verify(root, data.length, new ChunkProof(proof.chunk(), longer, proof.siblings())));
            assertFalse(Blake3Tree.verify(root, data.length, new ChunkProof(proof.chunk(), shorter, proof.siblings())));
        }
    }

    @Test
    void missingExtraAlteredOrMisshapenSiblingsFail() throws IOException {
        byte[] data = random(new Random(13), 13 * 1024 + 77);
        ContentHash root = ContentHash.of(Blake3.hash(data));
        for (ChunkProof proof : Blake3Tree.prove(channel(data), data.length, LongStream.range(0, 14).toArray())) {
            List<byte[]> siblings = proof.siblings();
            for (int i = 0; i < siblings.size(); i++) {
                List<byte[]> missing = new ArrayList<>(siblings);
                missing.remove(i);
                assertFalse(verifies(root, data.length, proof, missing), "chunk " + proof.chunk() + " without sibling " + i);

                List<byte[]> altered = new ArrayList<>(siblings);
                byte[] changed = siblings.get(i).clone();
                changed[31] ^= (byte) 0x80;
                altered.set(i, changed);
                assertFalse(verifies(root, data.length, proof, altered), "chunk " + proof.chunk() + " sibling " + i + " altered");

                List<byte[]> shortened = new ArrayList<>(siblings);
                shortened.set(i, Arrays.copyOf(siblings.get(i), 31));
                assertFalse(verifies(root, data.length, proof, shortened), "chunk " + proof.chunk() + " sibling " + i + " short");

                if (i + 1 < siblings.size()) {
                    List<byte[]> swapped = new ArrayList<>(siblings);
                    swapped.set(i, siblings.get(i + 1));
                    swapped.set(i + 1, siblings.get(i));
                    assertFalse(verifies(root, data.length, proof, swapped), "chunk " + proof.chunk() + " siblings swapped");
                }
            }
            List<byte[]> extraAtEnd = new ArrayList<>(siblings);
            extraAtEnd.add(new byte[32]);
            assertFalse(verifies(root, data.length, proof, extraAtEnd));
            List<byte[]> extraAtStart = new ArrayList<>(siblings);
            extraAtStart.add(0, siblings.get(0));
            assertFalse(verifies(root, data.length, proof, extraAtStart));
        }
    }

    @Test
    void theRootOfASubtreeIsNoProofOfTheWholeContent() throws IOException {
        // Chunk 0 of 2048 bytes with its sibling dropped is the lone chunk of 1024 bytes: the ROOT
        // flag (given only to the root) keeps a subtree's value from passing as another content's hash.
        byte[] data = random(new Random(14), 2048);
        ChunkProof proof = Blake3Tree.prove(channel(data), data.length, new long[] {0}).get(0);
        assertFalse(Blake3Tree.verify(ContentHash.of(Blake3.hash(data)), 1024, new ChunkProof(0, proof.bytes(), List.of())));
    }

    @Test
    void provingCanCheckTheContentsHashInTheSamePass() throws IOException {
        Random random = new Random(19);
        for (int length : LENGTHS) {
            byte[] data = random(random, length);
            ContentHash hash = ContentHash.of(Blake3.hash(data));
            List<ChunkProof> proofs = Blake3Tree.prove(channel(data), length, new long[] {0}, hash);
            assertTrue(Blake3Tree.verify(hash, length, proofs.get(0)), "length " + length);
            if (length > 0) {
                data[length / 2] ^= 0x10;
                IOException damaged = assertThrows(IOException.class,
                        () -> Blake3Tree.prove(channel(data), length, new long[] {0}, hash));
                assertTrue(damaged.getMessage().contains("not to the expected " + hash), damaged.getMessage());
            }
        }
    }

    @Test
    void contentShorterOrLongerThanAnnouncedIsAnError() {
        byte[] data = random(new Random(15), 3000);
        IOException shorter = assertThrows(IOException.class, () -> Blake3Tree.prove(channel(data), 3001, new long[] {0}));
        assertTrue(shorter.getMessage().contains("ended after 3000 of the 3001 bytes"), shorter.getMessage());
        IOException longer = assertThrows(IOException.class, () -> Blake3Tree.prove(channel(data), 2999, new long[] {0}));
        assertTrue(longer.getMessage().contains("longer than the 2999 bytes"), longer.getMessage());
    }

    @Test
    void chunksOutsideTheContentAreRefused() {
        byte[] data = random(new Random(16), 3000);
        assertThrows(IllegalArgumentException.class, () -> Blake3Tree.prove(channel(data), 3000, new long[] {3}));
        assertThrows(IllegalArgumentException.class, () -> Blake3Tree.prove(channel(data), 3000, new long[] {-1}));
        assertThrows(IllegalArgumentException.class, () -> Blake3Tree.prove(channel(data), -1, new long[] {0}));
    }

    @Test
    void nullIsRefusedAndNothingElseThrows() throws IOException {
        byte[] data = random(new Random(17), 3000);
        ChunkProof proof = Blake3Tree.prove(channel(data), data.length, new long[] {1}).get(0);
        ContentHash root = ContentHash.of(Blake3.hash(data));
        assertThrows(NullPointerException.class, () -> Blake3Tree.verify(null, 3000, proof));
        assertThrows(NullPointerException.class, () -> Blake3Tree.verify(root, 3000, null));
        assertThrows(NullPointerException.class, () -> new ChunkProof(0, null, List.of()));
        assertThrows(NullPointerException.class, () -> new ChunkProof(0, new byte[0], null));
        assertFalse(Blake3Tree.verify(root, Long.MAX_VALUE, new ChunkProof(Long.MAX_VALUE / 1024, new byte[1023], List.of())));
        assertFalse(Blake3Tree.verify(root, 3000, new ChunkProof(Long.MIN_VALUE, proof.bytes(), proof.siblings())));
    }

    private static boolean verifies(ContentHash root, long length, ChunkProof proof, List<byte[]> siblings) {
        return Blake3Tree.verify(root, length, new ChunkProof(proof.chunk(), proof.bytes(), siblings));
    }

    private static byte[] random(Random random, int length) {
        byte[] data = new byte[length];
        random.nextBytes(data);
        return data;
    }

    private static ReadableByteChannel channel(byte[] data) {
        return Channels.newChannel(new ByteArrayInputStream(data));
    }

    /** A channel that hands out the content a few bytes at a time. */
    private static ReadableByteChannel trickle(byte[] data, Random random) {
        return new ReadableByteChannel() {
            private int position;

            @Override
            public int read(ByteBuffer target) {
                if (position == data.length) {
                    return -1;
                }
                int n = Math.min(Math.min(target.remaining(), 1 + random.nextInt(3000)), data.length - position);
                target.put(data, position, n);
                position += n;
                return n;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {
            }
        };
    }
}
