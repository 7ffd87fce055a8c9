package net.tesseras.tessera.internal.erasure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.core.ContentHash;
import net.tesseras.erasure.InsufficientShardsException;
import net.tesseras.tessera.Tier;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PayloadCodingTest {

    private final ReedSolomonCoder coder = new ReedSolomonCoder();

    @TempDir
    Path dir;

    @Test
    void streamingEncoderGivesTheReferenceParityOfTheMediumTier() throws Exception {
        byte[] payload = new byte[100];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i % 251);
        }
        Shards shards = encode(payload, new ShardLayout(16, 8, 100), 3);
        assertEquals(7, shards.size);
        assertEquals("5872aaf33f54ca", HexFormat.of().formatHex(shards.bytes.get(16)));
        assertEquals("78b936a50e837d", HexFormat.of().formatHex(shards.bytes.get(23)));
        // Data shard 14 holds bytes 98, 99 and five bytes of padding; shard 15 is all padding.
        assertArrayEquals(new byte[] {98, 99, 0, 0, 0, 0, 0}, shards.bytes.get(14));
        assertArrayEquals(new byte[7], shards.bytes.get(15));
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @CsvSource({"SMALL, 1", "SMALL, 2", "MEDIUM, 3", "MEDIUM, 4", "MEDIUM, 5", "LARGE, 6", "LARGE, 7"})
    void anyDataCountOfShardsGivesBackThePayloadAndFewerAreRefused(Tier tier, long seed) throws Exception {
        Random random = new Random(seed);
        for (int round = 0; round < 4; round++) {
            byte[] payload = randomBytes(random, 1 + random.nextInt(120_000));
            ShardLayout layout = ShardLayout.of(tier, payload.length);
            int window = 1 + random.nextInt(3000);
            Shards shards = encode(payload, layout, window);
            String what = tier + " " + payload.length + " bytes, window " + window;

            List<Integer> kept = randomSubset(random, layout.totalShards(), layout.dataShards());
            assertArrayEquals(payload, decode(layout, shards, kept, window), what + " from " + kept);

            if (layout.dataShards() > 1 || layout.parityShards() > 0) {
                List<Integer> tooFew = kept.subList(0, layout.dataShards() - 1);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                InsufficientShardsException e = assertThrows(InsufficientShardsException.class,
                        () -> decoder(window).decode(layout, shards.checksums, source(shards, tooFew),
                                Channels.newChannel(out), n -> {}), what);
                assertEquals(layout.dataShards() - 1, e.available());
                assertEquals(layout.dataShards(), e.needed());
                assertTrue(e.getMessage().contains("needs " + layout.dataShards() + " good shards"), e.getMessage());
                assertEquals(0, out.size(), "nothing is written when the payload cannot be decoded");
            }
        }
    }

    @Test
    void theSmallTiersOneShardIsTheWholePayload() throws Exception {
        byte[] payload = randomBytes(new Random(1), 5000);
        Shards shards = encode(payload, ShardLayout.forPayload(payload.length), 512);
        assertEquals(1, shards.bytes.size());
        assertArrayEquals(payload, shards.bytes.get(0));
        assertEquals(Blake3Hashing.hash(payload), shards.checksums.get(0));
    }

    @ParameterizedTest(name = "seed {0}")
    @CsvSource({"11", "12", "13"})
    void aDamagedShardIsTreatedAsMissing(long seed) throws Exception {
        Random random = new Random(seed);
        byte[] payload = randomBytes(random, 20_000 + random.nextInt(50_000));
        ShardLayout layout = new ShardLayout(16, 8, payload.length);
        Shards shards = encode(payload, layout, 1000);
        int damaged = random.nextInt(16); // a data shard, which the decoder would otherwise use first
        Shards bad = shards.withFlippedByte(damaged, random.nextInt((int) shards.size));

        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            all.add(i);
        }
        assertArrayEquals(payload, decode(layout, bad, all, 1000));

        // With exactly 16 shards, one of them damaged, the decode is refused and names it.
        List<Integer> sixteen = new ArrayList<>(all.subList(0, 16));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InsufficientShardsException e = assertThrows(InsufficientShardsException.class, () -> decoder(1000).decode(
                layout, bad.checksums, source(bad, sixteen), Channels.newChannel(out), n -> {}));
        assertTrue(e.getMessage().contains("shard " + damaged + " damaged (checksum mismatch)"), e.getMessage());
        assertEquals(0, out.size());
    }

    @Test
    void shardsOfTheWrongLengthAreTreatedAsMissing() throws Exception {
        Random random = new Random(21);
        byte[] payload = randomBytes(random, 33_333);
        ShardLayout layout = new ShardLayout(16, 8, payload.length);
        Shards shards = encode(payload, layout, 700);
        List<byte[]> bytes = new ArrayList<>(shards.bytes);
        bytes.set(2, java.util.Arrays.copyOf(bytes.get(2), (int) shards.size - 1));
        bytes.set(5, java.util.Arrays.copyOf(bytes.get(5), (int) shards.size + 3));
        bytes.set(9, new byte[0]);
        Shards bad = new Shards(bytes, shards.checksums, shards.size);
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            all.add(i);
        }
        assertArrayEquals(payload, decode(layout, bad, all, 700));

        List<Integer> nineteen = new ArrayList<>(all.subList(0, 19)); // 16 good among them
        assertArrayEquals(payload, decode(layout, bad, nineteen, 700));
        List<Integer> eighteen = new ArrayList<>(all.subList(0, 18));
        InsufficientShardsException e = assertThrows(InsufficientShardsException.class, () -> decode(layout, bad, eighteen, 700));
        assertTrue(e.getMessage().contains("shard 2 wrong length (" + (shards.size - 1) + " bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("shard 5 wrong length"), e.getMessage());
        assertTrue(e.getMessage().contains("shard 18 missing"), e.getMessage());
    }

    @Test
    void aShardThatChangesAfterItWasCheckedFailsTheDecode() throws Exception {
        byte[] payload = randomBytes(new Random(31), 50_000);
        ShardLayout layout = new ShardLayout(16, 8, payload.length);
        Shards shards = encode(payload, layout, 1000);
        // Shard 4 reads right the first time and wrong afterwards, like storage failing mid-decode.
        ShardSource source = index -> index == 4
                ? Optional.of(new ChangingChannel(shards.bytes.get(4)))
                : Optional.of(new SeekableInMemoryByteChannel(shards.bytes.get(index).clone()));
        IOException e = assertThrows(IOException.class, () -> decoder(1000).decode(layout, shards.checksums, source,
                Channels.newChannel(new ByteArrayOutputStream()), n -> {}));
        assertTrue(e.getMessage().contains("shard 4 changed"), e.getMessage());
    }

    @Test
    void anUnreadableShardIsTreatedAsMissing() throws Exception {
        byte[] payload = randomBytes(new Random(41), 10_000);
        ShardLayout layout = new ShardLayout(16, 8, payload.length);
        Shards shards = encode(payload, layout, 100);
        ShardSource source = index -> {
            if (index == 0) {
                throw new IOException("disk gone");
            }
            return Optional.of(new SeekableInMemoryByteChannel(shards.bytes.get(index).clone()));
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        decoder(100).decode(layout, shards.checksums, source, Channels.newChannel(out), n -> {});
        assertArrayEquals(payload, out.toByteArray());
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @CsvSource({"MEDIUM, 51", "LARGE, 52", "MEDIUM, 53"})
    void rebuildRegeneratesLostShardsExactly(Tier tier, long seed) throws Exception {
        Random random = new Random(seed);
        byte[] payload = randomBytes(random, 1 + random.nextInt(90_000));
        ShardLayout layout = ShardLayout.of(tier, payload.length);
        int window = 1 + random.nextInt(2000);
        Shards shards = encode(payload, layout, window);
        List<Integer> lost = randomSubset(random, layout.totalShards(), layout.parityShards());
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < layout.totalShards(); i++) {
            if (!lost.contains(i)) {
                kept.add(i);
            }
        }
        Path out = Files.createDirectories(dir.resolve("rebuilt-" + seed));
        Map<Integer, Path> rebuilt = decoder(window).rebuild(layout, shards.checksums, source(shards, kept), lost, out);
        assertEquals(new java.util.TreeSet<>(lost), rebuilt.keySet());
        for (int index : lost) {
            assertEquals(out.resolve(String.format("%03d.shard", index)), rebuilt.get(index));
            assertArrayEquals(shards.bytes.get(index), Files.readAllBytes(rebuilt.get(index)), "shard " + index);
        }
        try (var files = Files.list(out)) {
            assertEquals(lost.size(), files.count(), "no part files are left");
        }
    }

    @Test
    void rebuildRefusesWithTooFewShardsAndWritesNothing() throws Exception {
        byte[] payload = randomBytes(new Random(61), 40_000);
        ShardLayout layout = new ShardLayout(16, 8, payload.length);
        Shards shards = encode(payload, layout, 1000);
        List<Integer> kept = new ArrayList<>();
        for (int i = 9; i < 24; i++) {
            kept.add(i);
        }
        Path out = Files.createDirectories(dir.resolve("none"));
        InsufficientShardsException e = assertThrows(InsufficientShardsException.class,
                () -> decoder(1000).rebuild(layout, shards.checksums, source(shards, kept), List.of(0, 1), out));
        assertEquals(15, e.available());
        assertTrue(e.getMessage().contains("being rebuilt"), e.getMessage());
        try (var files = Files.list(out)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void rebuildRefusesChecksumsOfAnotherEncoding() throws Exception {
        byte[] payload = randomBytes(new Random(71), 40_000);
        ShardLayout layout = new ShardLayout(16, 8, payload.length);
        Shards shards = encode(payload, layout, 1000);
        List<ContentHash> wrong = new ArrayList<>(shards.checksums);
        wrong.set(20, Blake3Hashing.hash(new byte[] {1}));
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            kept.add(i);
        }
        Path out = Files.createDirectories(dir.resolve("wrong"));
        IOException e = assertThrows(IOException.class,
                () -> decoder(1000).rebuild(layout, wrong, source(shards, kept), List.of(20), out));
        assertTrue(e.getMessage().contains("rebuilt shard 20 does not match its checksum"), e.getMessage());
        try (var files = Files.list(out)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void encodedShardsHaveTheirChecksumsAndClosingDeletesTheParityFiles() throws Exception {
        byte[] payload = randomBytes(new Random(81), 77_777);
        Path file = Files.write(dir.resolve("payload"), payload);
        Path work = Files.createDirectories(dir.resolve("work"));
        ShardLayout layout = new ShardLayout(16, 8, payload.length);
        AtomicLong progress = new AtomicLong();
        EncodedPayload encoded = new PayloadEncoder(coder, 4096).encode(file, layout, work, progress::addAndGet);
        assertEquals(payload.length, progress.get());
        assertEquals(24, encoded.checksums().size());
        for (int i = 0; i < 24; i++) {
            try (SeekableByteChannel channel = encoded.open(i)) {
                assertEquals(layout.shardSize(), channel.size());
                assertEquals(encoded.checksums().get(i), Blake3Hashing.hash(channel), "shard " + i);
            }
        }
        try (var files = Files.list(work)) {
            assertEquals(8, files.count());
        }
        encoded.close();
        try (var files = Files.list(work)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void encodingRefusesAPayloadOfAnotherLengthAndLeavesNothing() throws Exception {
        Path file = Files.write(dir.resolve("payload"), new byte[1000]);
        Path work = Files.createDirectories(dir.resolve("work"));
        IOException e = assertThrows(IOException.class,
                () -> new PayloadEncoder(coder).encode(file, new ShardLayout(16, 8, 1001), work, n -> {}));
        assertTrue(e.getMessage().contains("has 1000 bytes but the layout is for 1001"), e.getMessage());
        try (var files = Files.list(work)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void layoutsAreValidated() {
        assertEquals(7, new ShardLayout(16, 8, 100).shardSize());
        assertEquals(24, ShardLayout.forPayload(Tier.MEDIUM_FROM).totalShards());
        assertEquals(72, ShardLayout.forPayload(Tier.LARGE_FROM).totalShards());
        assertEquals(1, ShardLayout.forPayload(10).totalShards());
        assertEquals(0, new ShardLayout(16, 8, 100).dataLength(15));
        assertEquals(2, new ShardLayout(16, 8, 100).dataLength(14));
        assertThrows(IllegalArgumentException.class, () -> new ShardLayout(0, 8, 100));
        assertThrows(IllegalArgumentException.class, () -> new ShardLayout(16, -1, 100));
        assertThrows(IllegalArgumentException.class, () -> new ShardLayout(200, 57, 100));
        assertThrows(IllegalArgumentException.class, () -> new ShardLayout(16, 8, 0));
        assertThrows(IllegalArgumentException.class, () -> new ShardLayout(16, 8, 100).checkIndex(24));
        assertThrows(IllegalArgumentException.class, () -> new ShardLayout(16, 8, 100).dataLength(16));
    }

    @Test
    void aRealMediumSizedPayloadDecodesWithEightDataShardsLost() throws Exception {
        byte[] payload = randomBytes(new Random(91), 10 * 1024 * 1024 + 12345);
        ShardLayout layout = ShardLayout.forPayload(payload.length);
        assertEquals(16, layout.dataShards());
        Shards shards = encode(payload, layout, PayloadEncoder.DEFAULT_WINDOW);
        List<Integer> kept = new ArrayList<>(List.of(0, 2, 4, 6, 8, 10, 12, 14));
        for (int i = 16; i < 24; i++) {
            kept.add(i);
        }
        AtomicLong progress = new AtomicLong();
        ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length);
        new PayloadDecoder(coder, PayloadEncoder.DEFAULT_WINDOW, dir).decode(layout, shards.checksums,
                source(shards, kept), Channels.newChannel(out), progress::addAndGet);
        assertArrayEquals(payload, out.toByteArray());
        assertEquals(payload.length, progress.get());
    }

    // --- helpers

    private PayloadDecoder decoder(int window) {
        return new PayloadDecoder(coder, window, dir);
    }

    /** Encodes through the streaming encoder and reads every shard back into memory. */
    private Shards encode(byte[] payload, ShardLayout layout, int window) throws IOException {
        Path file = Files.write(Files.createTempFile(dir, "payload", ""), payload);
        try (EncodedPayload encoded = new PayloadEncoder(coder, window).encode(file, layout, dir, n -> {})) {
            List<byte[]> bytes = new ArrayList<>();
            for (int i = 0; i < layout.totalShards(); i++) {
                try (SeekableByteChannel channel = encoded.open(i)) {
                    ByteBuffer buffer = ByteBuffer.allocate((int) encoded.shardSize());
                    while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                        // read on
                    }
                    assertFalse(buffer.hasRemaining(), "shard " + i + " is shorter than the shard size");
                    bytes.add(buffer.array());
                }
            }
            assertShardsAreTheSplitPayload(payload, layout, bytes);
            for (int i = 0; i < bytes.size(); i++) {
                assertEquals(Blake3Hashing.hash(bytes.get(i)), encoded.checksums().get(i), "checksum of shard " + i);
            }
            return new Shards(bytes, encoded.checksums(), encoded.shardSize());
        } finally {
            Files.delete(file);
        }
    }

    /** The data shards are the payload cut in shard-size pieces, zero-padded; parity is the coder's. */
    private void assertShardsAreTheSplitPayload(byte[] payload, ShardLayout layout, List<byte[]> shards) {
        int size = (int) layout.shardSize();
        byte[][] data = new byte[layout.dataShards()][size];
        for (int i = 0; i < payload.length; i++) {
            data[i / size][i % size] = payload[i];
        }
        byte[][] parity = new byte[layout.parityShards()][size];
        coder.encode(layout.dataShards(), layout.parityShards(), data, parity, 0, size);
        for (int i = 0; i < layout.totalShards(); i++) {
            byte[] expected = i < layout.dataShards() ? data[i] : parity[i - layout.dataShards()];
            assertArrayEquals(expected, shards.get(i), "shard " + i);
        }
    }

    private byte[] decode(ShardLayout layout, Shards shards, List<Integer> kept, int window)
            throws IOException, InsufficientShardsException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        decoder(window).decode(layout, shards.checksums, source(shards, kept), Channels.newChannel(out), n -> {});
        return out.toByteArray();
    }

    private static ShardSource source(Shards shards, List<Integer> kept) {
        return index -> kept.contains(index)
                ? Optional.of(new SeekableInMemoryByteChannel(shards.bytes.get(index).clone()))
                : Optional.empty();
    }

    private static byte[] randomBytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private static List<Integer> randomSubset(Random random, int total, int count) {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            all.add(i);
        }
        Collections.shuffle(all, random);
        return new ArrayList<>(all.subList(0, count));
    }

    private record Shards(List<byte[]> bytes, List<ContentHash> checksums, long size) {
        Shards withFlippedByte(int index, int position) {
            List<byte[]> copy = new ArrayList<>(bytes);
            byte[] damaged = copy.get(index).clone();
            damaged[position] ^= 0x01;
            copy.set(index, damaged);
            return new Shards(copy, checksums, size);
        }
    }

    /** Gives the right bytes until it has been rewound twice, then bytes with one flipped. */
    private static final class ChangingChannel extends SeekableInMemoryByteChannel {
        private final byte[] bytes;
        private int rewinds;

        ChangingChannel(byte[] bytes) {
            super(bytes.clone());
            this.bytes = bytes;
        }

        @Override
        public SeekableByteChannel position(long newPosition) throws IOException {
            if (newPosition == 0 && ++rewinds == 2) {
                byte[] changed = bytes.clone();
                changed[0] ^= 0x01;
                // Change the backing bytes: later reads see the damage.
                System.arraycopy(changed, 0, array(), 0, changed.length);
            }
            return super.position(newPosition);
        }
    }
}
