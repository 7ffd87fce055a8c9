package net.tesseras.tessera.internal.payload;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongConsumer;
import java.util.function.UnaryOperator;
import net.tesseras.core.Blake3;
import net.tesseras.core.ContentHash;
import net.tesseras.identity.Ed25519;
import net.tesseras.tessera.ContentHashes;
import net.tesseras.tessera.Manifest;
import net.tesseras.tessera.ManifestEntry;
import net.tesseras.tessera.Tier;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes a tessera's payload: one POSIX tar holding README, MANIFEST, the signature, the creator's
 * key and every memory with its meta.json (see docs/FORMAT.md).
 *
 * <p>Two passes over the files: the first hashes them (and detects their media types) to build
 * and sign the manifest, the second copies them into the tar while hashing again, so a file that
 * changed in between is caught and the tessera refused rather than stored with a lying manifest.
 * Tar headers are fixed (mtime = creation time, uid/gid 0, no user names, mode 0644), so the same
 * files at the same time give the same bytes.
 */
public final class PayloadWriter {

    private static final int BUFFER = 64 * 1024;
    private static final HexFormat HEX = HexFormat.of();

    private final MimeDetector mimeDetector;
    private final long maxPayload;

    public PayloadWriter(MimeDetector mimeDetector) {
        this(mimeDetector, Tier.MAX_PAYLOAD);
    }

    PayloadWriter(MimeDetector mimeDetector, long maxPayload) {
        this.mimeDetector = Objects.requireNonNull(mimeDetector, "mimeDetector");
        this.maxPayload = maxPayload;
    }

    /**
     * Writes the payload of {@code files} to {@code tarFile} (created or truncated).
     *
     * @param files the files, in manifest order (as {@link InputFiles#collect} gives them)
     * @param creatorKey the creator's raw 32-byte Ed25519 public key
     * @param signer signs the manifest bytes with the creator's key (64-byte Ed25519 signature)
     * @param created the creation time; whole seconds are kept
     * @param tarFile where to write; deleted again when writing fails
     * @param progressBytes told how many more file bytes were read: every file once while hashing,
     *     then each distinct memory once more while copying
     * @throws TesseraInputException when a file cannot be read, changed while it was read, or the
     *     payload would be larger than the largest tier takes
     * @throws IOException when the tar file cannot be written
     * @throws IllegalArgumentException when the signer's signature does not verify with {@code creatorKey}
     */
    public WrittenPayload write(List<InputFile> files, byte[] creatorKey, UnaryOperator<byte[]> signer, Instant created,
            Path tarFile, LongConsumer progressBytes) throws TesseraInputException, IOException {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("a tessera holds at least one file");
        }
        if (creatorKey.length != Ed25519.PUBLIC_KEY_LENGTH) {
            throw new IllegalArgumentException("an Ed25519 public key is 32 bytes, not " + creatorKey.length);
        }
        created = created.truncatedTo(ChronoUnit.SECONDS);
        List<Hashed> hashed = new ArrayList<>(files.size());
        for (InputFile file : files) {
            hashed.add(hash(file, progressBytes));
        }
        Map<ContentHash, MemoryDraft> memories = group(hashed);
        long mediaBytes = memories.values().stream().mapToLong(m -> m.first.size).sum();
        if (mediaBytes > maxPayload) {
            throw new TesseraInputException(files.get(0).source(), "the distinct files come to " + mediaBytes
                    + " bytes, more than the " + maxPayload + " one tessera holds; store them in several tesseras");
        }
        List<ManifestEntry> entries = new ArrayList<>();
        for (Hashed file : hashed) {
            MemoryDraft memory = memories.get(file.hash);
            entries.add(new ManifestEntry(PayloadLayout.media(file.hash, memory.mediaName), file.hash, memory.mime, file.size));
        }
        Manifest manifest = new Manifest(created, HEX.formatHex(creatorKey),
                ContentHashes.of(hashed.stream().map(h -> h.hash).toList()), entries);
        byte[] manifestBytes = manifest.toBytes();
        byte[] signature = signer.apply(manifestBytes);
        if (signature == null || signature.length != Ed25519.SIGNATURE_LENGTH
                || !Ed25519.verify(creatorKey, manifestBytes, signature)) {
            throw new IllegalArgumentException("the signer's signature of the manifest does not verify with the creator key "
                    + HEX.formatHex(creatorKey) + ": sign with the creator's own key");
        }
        List<StoredMemory> stored = memories.values().stream().map(MemoryDraft::toStored).toList();
        try {
            writeTar(tarFile, manifest, manifestBytes, signature, creatorKey, memories, progressBytes);
            for (Hashed file : hashed) {
                file.requireUnchanged();
            }
            long payloadLength = Files.size(tarFile);
            if (payloadLength > maxPayload) {
                throw new TesseraInputException(files.get(0).source(), "the payload would be " + payloadLength
                        + " bytes, more than the " + maxPayload + " one tessera holds; store the files in several tesseras");
            }
            return new WrittenPayload(manifest, manifestBytes, signature, payloadLength, stored);
        } catch (TesseraInputException | IOException | RuntimeException e) {
            Files.deleteIfExists(tarFile);
            throw e;
        }
    }

    private void writeTar(Path tarFile, Manifest manifest, byte[] manifestBytes, byte[] signature, byte[] creatorKey,
            Map<ContentHash, MemoryDraft> memories, LongConsumer progress) throws IOException, TesseraInputException {
        FileTime mtime = FileTime.from(manifest.created());
        OutputStream file = Files.newOutputStream(tarFile, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(new BufferedOutputStream(file, BUFFER), "UTF-8");
        boolean complete = false;
        try {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            tar.setAddPaxHeadersForNonAsciiNames(true);
            put(tar, PayloadLayout.README, Readme.text(manifest), mtime);
            put(tar, PayloadLayout.MANIFEST, manifestBytes, mtime);
            put(tar, PayloadLayout.SIGNATURE, signature, mtime);
            put(tar, PayloadLayout.CREATOR_KEY, creatorKey, mtime);
            for (MemoryDraft memory : memories.values()) {
                tar.putArchiveEntry(entry(PayloadLayout.media(memory.first.hash, memory.mediaName), memory.first.size, mtime));
                copyUnchanged(memory.first, tar, progress);
                tar.closeArchiveEntry();
                MemoryMeta meta = new MemoryMeta(manifest.created(), MediaNames.memoryType(memory.first.file.fileName()),
                        memory.mediaName, memory.mime, memory.first.size, memory.names);
                put(tar, PayloadLayout.meta(memory.first.hash), meta.toJson(), mtime);
            }
            tar.finish();
            complete = true;
        } finally {
            if (complete) {
                tar.close();
            } else {
                closeQuietly(tar, file);
            }
        }
    }

    private static void put(TarArchiveOutputStream tar, String name, byte[] content, FileTime mtime) throws IOException {
        tar.putArchiveEntry(entry(name, content.length, mtime));
        tar.write(content);
        tar.closeArchiveEntry();
    }

    /** A regular-file header that depends only on the name, size and time. */
    static TarArchiveEntry entry(String name, long size, FileTime mtime) {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(size);
        entry.setMode(0100644);
        entry.setModTime(mtime);
        entry.setUserId(0);
        entry.setGroupId(0);
        entry.setUserName("");
        entry.setGroupName("");
        return entry;
    }

    /**
     * Pass 1: the file's hash, size, time and media type, refusing a file that changes meanwhile.
     * It reads no more than the size the file had when reading began, so a file that keeps growing
     * (a log being written) is refused rather than read forever.
     */
    private Hashed hash(InputFile file, LongConsumer progress) throws TesseraInputException {
        BasicFileAttributes before = attributes(file);
        long size = before.size();
        Blake3 hasher = new Blake3();
        byte[] head = new byte[mimeDetector.headLength()];
        int headLength = 0;
        long read = 0;
        boolean longer;
        try (FileChannel channel = FileChannel.open(file.source(), StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
            while (read < size) {
                buffer.clear().limit((int) Math.min(BUFFER, size - read));
                int n = channel.read(buffer);
                if (n < 0) {
                    throw changed(file, "it became shorter than the " + size + " bytes it had when its reading began");
                }
                hasher.update(buffer.array(), 0, n);
                if (headLength < head.length) {
                    int take = Math.min(n, head.length - headLength);
                    System.arraycopy(buffer.array(), 0, head, headLength, take);
                    headLength += take;
                }
                read += n;
                progress.accept(n);
            }
            longer = channel.read(ByteBuffer.allocate(1)) > 0;
        } catch (AccessDeniedException e) {
            throw new TesseraInputException(file.source(), "cannot be read (permission denied); give read permission or leave it out");
        } catch (NoSuchFileException e) {
            throw new TesseraInputException(file.source(), "is gone: it was deleted after it was found; try again");
        } catch (IOException e) {
            throw new TesseraInputException(file.source(), "could not be read (" + e + "); fix it or leave it out");
        }
        if (longer) {
            throw changed(file, "it grew beyond the " + size + " bytes it had when its reading began");
        }
        Hashed hashed = new Hashed(file, hasher.finish(), size, before.lastModifiedTime(),
                mimeDetector.detect(head, headLength, file.fileName()));
        hashed.requireUnchanged();
        return hashed;
    }

    /** Pass 2: copies exactly the bytes pass 1 hashed, or refuses. */
    private static void copyUnchanged(Hashed file, OutputStream out, LongConsumer progress) throws TesseraInputException {
        Blake3 hasher = new Blake3();
        long copied = 0;
        boolean longer;
        try (FileChannel channel = FileChannel.open(file.file.source(), StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
            while (copied < file.size) {
                buffer.clear().limit((int) Math.min(BUFFER, file.size - copied));
                int n = channel.read(buffer);
                if (n < 0) {
                    throw changed(file.file, "it is now shorter than the " + file.size + " bytes it had");
                }
                hasher.update(buffer.array(), 0, n);
                out.write(buffer.array(), 0, n);
                copied += n;
                progress.accept(n);
            }
            longer = channel.read(ByteBuffer.allocate(1)) > 0;
        } catch (IOException e) {
            throw new TesseraInputException(file.file.source(), "could not be read again to be stored (" + e + ")");
        }
        if (longer) {
            throw changed(file.file, "it is now longer than the " + file.size + " bytes it had");
        }
        ContentHash now = hasher.finish();
        if (!now.equals(file.hash)) {
            throw changed(file.file, "its BLAKE3 was " + file.hash + " and is now " + now);
        }
    }

    private static Map<ContentHash, MemoryDraft> group(List<Hashed> files) {
        Map<ContentHash, MemoryDraft> memories = new LinkedHashMap<>();
        for (Hashed file : files) {
            memories.computeIfAbsent(file.hash, h -> new MemoryDraft(file)).names.add(file.file.name());
        }
        return memories;
    }

    private static BasicFileAttributes attributes(InputFile file) throws TesseraInputException {
        try {
            return Files.readAttributes(file.source(), BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new TesseraInputException(file.source(), "is gone: it was deleted after it was found; try again");
        } catch (IOException e) {
            throw new TesseraInputException(file.source(), "cannot be read (" + e + "); fix it or leave it out");
        }
    }

    private static TesseraInputException changed(InputFile file, String how) {
        return new TesseraInputException(file.source(), "changed while it was being stored (" + how
                + "), so the tessera was not created; try again when nothing writes to it");
    }

    private static void closeQuietly(TarArchiveOutputStream tar, OutputStream file) {
        try {
            tar.close();
        } catch (IOException | RuntimeException e) {
            // An unfinished entry makes close complain; the file is deleted anyway.
        }
        try {
            file.close();
        } catch (IOException e) {
            // Already failing; the caller deletes the file.
        }
    }

    /** A file after pass 1. */
    private static final class Hashed {
        final InputFile file;
        final ContentHash hash;
        final long size;
        final FileTime modified;
        final String mime;

        Hashed(InputFile file, ContentHash hash, long size, FileTime modified, String mime) {
            this.file = file;
            this.hash = hash;
            this.size = size;
            this.modified = modified;
            this.mime = mime;
        }

        /** Refuses the file when its size or modification time is no longer what pass 1 saw. */
        void requireUnchanged() throws TesseraInputException {
            BasicFileAttributes now = attributes(file);
            if (now.size() != size || !now.lastModifiedTime().equals(modified)) {
                throw changed(file, "its size or modification time changed from " + size + " bytes at " + modified
                        + " to " + now.size() + " bytes at " + now.lastModifiedTime());
            }
        }
    }

    /** A memory being gathered: the first file with its bytes, and every name they were given. */
    private static final class MemoryDraft {
        final Hashed first;
        final String mediaName;
        final String mime;
        final List<String> names = new ArrayList<>();

        MemoryDraft(Hashed first) {
            this.first = first;
            this.mediaName = MediaNames.mediaName(first.file.fileName());
            this.mime = first.mime;
        }

        StoredMemory toStored() {
            return new StoredMemory(first.hash, mediaName, mime, first.size, names);
        }
    }
}
