package net.tesseras.storage.internal.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.concurrent.locks.ReentrantLock;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.database.Database;
import net.tesseras.storage.ChecksumMismatchException;
import net.tesseras.storage.FragmentConflictException;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.FragmentStoreException;
import net.tesseras.storage.InsufficientStorageException;
import net.tesseras.storage.StoreStats;
import net.tesseras.storage.VerifyResult;
import net.tesseras.core.Blake3;
import net.tesseras.core.Blake3Hashing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fragments as files under a root directory, indexed in the node's SQLite database.
 *
 * <p>A store is durable before it is acknowledged: the bytes go to a temporary file beside the
 * final one, are hashed on the way and fsynced, the file is atomically renamed into place and its
 * directory fsynced, and only then is the index row committed. A crash at any point leaves either
 * nothing acknowledged or a complete file; {@link #open} reconciles files and index on start.
 */
public final class FsFragmentStore implements FragmentStore {

    private static final Logger LOG = LoggerFactory.getLogger(FsFragmentStore.class);
    private static final int IO_CHUNK = 64 * 1024;
    private static final int STRIPES = 64;

    private final String name;
    private final FragmentPaths paths;
    private final FsIndex index;
    private final long reserveBytes;
    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
    private final ReconcileReport reconcileReport;
    // fsync blocks on the device while the caller's thread hashes the same bytes (see persist).
    private final ExecutorService syncer = Executors.newCachedThreadPool(daemonThreads("tesseras-fs-sync"));
    private volatile boolean syncDirectories;
    // Looked up once: finding a path's file store parses the mount table.
    private final FileStore volume;

    private FsFragmentStore(String name, FragmentPaths paths, FsIndex index, long reserveBytes, boolean syncDirectories)
            throws IOException {
        this.name = name;
        this.paths = paths;
        this.volume = Files.getFileStore(paths.root());
        this.index = index;
        this.reserveBytes = reserveBytes;
        this.syncDirectories = syncDirectories;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
        this.reconcileReport = reconcile();
    }

    /**
     * Opens the store named {@code name} with its files under {@code root}: creates the root,
     * migrates the index schema and reconciles files with the index.
     *
     * @param reserveBytes free space always left on the volume; stores that would eat into it are refused
     * @param syncDirectories whether each rename is made durable with a directory fsync: true when the
     *     database runs with {@code synchronous=FULL} (acknowledged fragments survive power loss), false
     *     with {@code NORMAL} (they survive process crashes; SQLite makes the same promise for the index)
     */
    public static FsFragmentStore open(String name, Path root, Database database, long reserveBytes,
            boolean syncDirectories) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("an fs store needs a name");
        }
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new FragmentStoreException("cannot create the fragment directory " + root + ": " + e, e);
        }
        FsIndex index = new FsIndex(database, name);
        index.migrate();
        VolumeIdentity.verify(name, root.toAbsolutePath().normalize(), database);
        try {
            return new FsFragmentStore(name, new FragmentPaths(root), index, reserveBytes, syncDirectories);
        } catch (IOException e) {
            throw new FragmentStoreException("cannot open fs store '" + name + "' at " + root + ": " + e, e);
        }
    }

    public String name() {
        return name;
    }

    public Path root() {
        return paths.root();
    }

    /** Follows the database's durability: directory fsyncs with {@code synchronous=FULL} only. */
    public void syncDirectories(boolean enabled) {
        syncDirectories = enabled;
    }

    public boolean syncDirectories() {
        return syncDirectories;
    }

    /** Stops the helper threads; the store must not be used afterwards. */
    public void close() {
        syncer.shutdown();
    }

    /** What reconciliation found when this store was opened. */
    public ReconcileReport reconcileReport() {
        return reconcileReport;
    }

    @Override
    public FragmentInfo store(FragmentId id, ByteBuffer data) {
        ByteBuffer bytes = data.duplicate();
        return locked(id, () -> {
            Optional<FragmentInfo> held = alreadyHeld(id);
            if (held.isPresent()) {
                // Still verify what was offered, so a caller with bad bytes always hears of it.
                requireChecksum(id, Blake3Hashing.hash(bytes));
                return held.get();
            }
            ByteBuffer toHash = bytes.duplicate();
            return persist(id, bytes.remaining(), out -> {
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
                return null;
            }, () -> Blake3Hashing.hash(toHash));
        });
    }

    @Override
    public FragmentInfo store(FragmentId id, ReadableByteChannel source, long size) {
        if (size < 0) {
            throw new IllegalArgumentException("fragment size must not be negative: " + size);
        }
        return locked(id, () -> {
            Optional<FragmentInfo> held = alreadyHeld(id);
            if (held.isPresent()) {
                // Still verify what was offered, so a caller with bad bytes always hears of it.
                ContentHash actual;
                try {
                    actual = copy(id, source, size, null);
                } catch (IOException e) {
                    throw new FragmentStoreException("cannot read fragment " + id + ": " + e, e);
                }
                requireChecksum(id, actual);
                return held.get();
            }
            return persist(id, size, out -> copy(id, source, size, out), null);
        });
    }

    @Override
    public Optional<ByteBuffer> read(ContentHash tessera, int index) {
        Path file = paths.file(tessera, FragmentId.checkIndex(index));
        try {
            return Optional.of(ByteBuffer.wrap(Files.readAllBytes(file)).asReadOnlyBuffer());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new FragmentStoreException("cannot read fragment " + index + " of tessera " + tessera
                    + " from " + file + ": " + e, e);
        }
    }

    @Override
    public boolean delete(ContentHash tessera, int index) {
        FragmentId.checkIndex(index);
        return locked(tessera, index, () -> {
            // Index first: a crash before the file is gone leaves an orphan that start-up quarantines,
            // never an index row pointing at nothing.
            boolean indexed = this.index.remove(tessera, index);
            Path file = paths.file(tessera, index);
            try {
                boolean existed = Files.deleteIfExists(file);
                if (existed && syncDirectories) {
                    fsyncDirectory(file.getParent());
                }
                return indexed || existed;
            } catch (IOException e) {
                throw new FragmentStoreException("removed fragment " + index + " of tessera " + tessera
                        + " from the index but could not delete " + file + ": " + e, e);
            }
        });
    }

    @Override
    public List<FragmentInfo> fragments(ContentHash tessera) {
        return index.list(tessera);
    }

    @Override
    public List<ContentHash> tesseras() {
        return index.tesseras();
    }

    @Override
    public List<VerifyResult> verify(ContentHash tessera) {
        List<VerifyResult> results = new ArrayList<>();
        List<Integer> intact = new ArrayList<>();
        for (FragmentInfo info : index.list(tessera)) {
            FragmentId id = info.id();
            Path file = paths.file(tessera, id.index());
            try {
                ContentHash actual = Blake3Hashing.hash(file);
                if (actual.equals(id.checksum())) {
                    results.add(new VerifyResult(id, VerifyResult.Status.OK, ""));
                    intact.add(id.index());
                } else {
                    results.add(new VerifyResult(id, VerifyResult.Status.CORRUPT,
                            file + " hashes to " + actual + ", expected " + id.checksum()));
                }
            } catch (NoSuchFileException e) {
                results.add(new VerifyResult(id, VerifyResult.Status.MISSING, file + " does not exist"));
            } catch (IOException e) {
                results.add(new VerifyResult(id, VerifyResult.Status.MISSING, "cannot read " + file + ": " + e));
            }
        }
        index.markVerified(tessera, intact, Instant.now());
        return results;
    }

    @Override
    public StoreStats stats() {
        return index.stats();
    }

    @Override
    public String toString() {
        return "fs store '" + name + "' at " + paths.root() + (syncDirectories
                ? " (fsync: files and directories; survives power loss)"
                : " (fsync: files; survives process crashes)");
    }

    private Optional<FragmentInfo> alreadyHeld(FragmentId id) {
        Optional<FragmentInfo> held = index.find(id.tessera(), id.index());
        if (held.isEmpty()) {
            return held;
        }
        if (!held.get().id().checksum().equals(id.checksum())) {
            throw new FragmentConflictException(id, held.get().id().checksum());
        }
        // Same fragment: a no-op, unless its file went missing, in which case this store repairs it.
        return Files.exists(paths.file(id.tessera(), id.index())) ? held : Optional.empty();
    }

    /**
     * Writes a fragment durably and indexes it. Called with the fragment's stripe lock held.
     *
     * @param body writes the bytes; returns their hash if it computed it while streaming, else null
     * @param hash computes the hash when {@code body} did not; it runs while the file is being
     *     fsynced, since the two together cost little more than the fsync alone, and nothing becomes
     *     visible before the hash is checked
     */
    private FragmentInfo persist(FragmentId id, long size, Body body, Supplier<ContentHash> hash) {
        Path directory = paths.directory(id.tessera());
        Path target = paths.file(id.tessera(), id.index());
        Path temp = paths.temporary(id.tessera(), id.index(), ThreadLocalRandom.current().nextLong());
        try {
            ensureSpace(id, size);
            boolean created = !Files.isDirectory(directory);
            if (created) {
                Files.createDirectories(directory);
            }
            ContentHash actual;
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ContentHash streamed = body.writeTo(out);
                if (streamed != null) {
                    out.force(true);
                    actual = streamed;
                } else {
                    Future<?> synced = syncer.submit(() -> {
                        out.force(true);
                        return null;
                    });
                    actual = hash.get();
                    awaitSync(synced);
                }
            }
            requireChecksum(id, actual);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            if (syncDirectories) {
                fsyncDirectory(directory);
                if (created) {
                    fsyncDirectory(paths.root());
                }
            }
        } catch (IOException e) {
            deleteQuietly(temp);
            if (isOutOfSpace(e)) {
                throw new InsufficientStorageException("no space left to store fragment " + id.index()
                        + " of tessera " + id.tessera() + " (" + size + " bytes) under " + paths.root(), e);
            }
            throw new FragmentStoreException("cannot store fragment " + id.index() + " of tessera " + id.tessera()
                    + " at " + target + ": " + e, e);
        } catch (RuntimeException e) {
            deleteQuietly(temp);
            throw e;
        }
        // Millisecond precision: what the index keeps, so a later listing returns the same value.
        FragmentInfo info = new FragmentInfo(id, size, Instant.ofEpochMilli(System.currentTimeMillis()), Optional.empty());
        index.put(info, paths.relative(id.tessera(), id.index()));
        return info;
    }

    private static void requireChecksum(FragmentId id, ContentHash actual) {
        if (!actual.equals(id.checksum())) {
            throw new ChecksumMismatchException(id, actual);
        }
    }

    private static void awaitSync(Future<?> synced) throws IOException {
        try {
            synced.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("fsync failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for fsync", e);
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Streams {@code size} bytes from {@code source}, hashing them, into {@code out} if not null. */
    private static ContentHash copy(FragmentId id, ReadableByteChannel source, long size, FileChannel out)
            throws IOException {
        Blake3 hasher = new Blake3();
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(IO_CHUNK, Math.max(size, 1)));
        long copied = 0;
        while (copied < size) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), size - copied));
            int n = source.read(buffer);
            if (n < 0) {
                throw new FragmentStoreException("fragment " + id + " ended after " + copied + " of " + size + " bytes");
            }
            buffer.flip();
            hasher.update(buffer);
            if (out != null) {
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
            }
            copied += n;
        }
        if (source.read(ByteBuffer.allocate(1)) > 0) {
            throw new FragmentStoreException("fragment " + id + " is longer than the " + size + " bytes announced");
        }
        return Blake3Hashing.finish(hasher);
    }

    private void ensureSpace(FragmentId id, long size) throws IOException {
        long usable = volume.getUsableSpace();
        if (usable - size < reserveBytes) {
            throw new InsufficientStorageException("refusing fragment " + id.index() + " of tessera " + id.tessera()
                    + " (" + size + " bytes): " + usable + " bytes free under " + paths.root() + ", and "
                    + reserveBytes + " must stay free (free.space.reserve.mb)");
        }
    }

    private ReconcileReport reconcile() {
        Path root = paths.root();
        int temporary = 0;
        int quarantined = 0;
        int missing = 0;
        int unknown = 0;
        TreeSet<ContentHash> tesseras = new TreeSet<>(index.tesseras());
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
            for (Path dir : dirs) {
                String dirName = dir.getFileName().toString();
                if (Files.isDirectory(dir) && ContentHash.isValid(dirName) && dirName.equals(dirName.toLowerCase())) {
                    tesseras.add(ContentHash.parse(dirName));
                } else if (!dirName.equals(FragmentPaths.LOST_AND_FOUND) && !dirName.equals(VolumeIdentity.MARKER)) {
                    LOG.warn("fs store '{}': leaving unknown entry {} alone", name, dir);
                    unknown++;
                }
            }
            for (ContentHash tessera : tesseras) {
                TreeSet<Integer> indexed = index.indices(tessera);
                Path dir = paths.directory(tessera);
                if (Files.isDirectory(dir)) {
                    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                        for (Path file : files) {
                            String fileName = file.getFileName().toString();
                            var shardIndex = FragmentPaths.indexOf(fileName);
                            if (FragmentPaths.isTemporary(fileName)) {
                                Files.delete(file);
                                temporary++;
                            } else if (shardIndex.isEmpty()) {
                                LOG.warn("fs store '{}': leaving unknown file {} alone", name, file);
                                unknown++;
                            } else if (!indexed.remove(shardIndex.getAsInt())) {
                                quarantine(file, tessera);
                                quarantined++;
                            }
                        }
                    }
                }
                for (int lost : indexed) {
                    if (!Files.exists(paths.file(tessera, lost))) {
                        LOG.error("fs store '{}': fragment {} of tessera {} is indexed but {} is missing",
                                name, lost, tessera, paths.file(tessera, lost));
                        missing++;
                    }
                }
                deleteIfEmpty(dir);
            }
        } catch (IOException e) {
            throw new FragmentStoreException("cannot reconcile fs store '" + name + "' under " + root + ": " + e, e);
        }
        ReconcileReport report = new ReconcileReport(temporary, quarantined, missing, unknown);
        if (report.clean()) {
            LOG.info("fs store '{}' at {}: {}", name, root, report);
        } else {
            LOG.warn("fs store '{}' at {}: {}", name, root, report);
        }
        return report;
    }

    private void quarantine(Path file, ContentHash tessera) throws IOException {
        Path target = paths.lostAndFound().resolve(tessera.toHex()).resolve(file.getFileName());
        Files.createDirectories(target.getParent());
        Files.move(file, target, StandardCopyOption.REPLACE_EXISTING);
        LOG.warn("fs store '{}': {} is not in the index (never acknowledged, or deleted); moved to {}",
                name, file, target);
    }

    private static void deleteIfEmpty(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            if (entries.iterator().hasNext()) {
                return;
            }
        }
        Files.deleteIfExists(dir);
    }

    private static void fsyncDirectory(Path dir) throws IOException {
        // Makes a rename or unlink in the directory durable (POSIX needs the directory synced too).
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static boolean isOutOfSpace(IOException e) {
        String message = String.valueOf(e.getMessage());
        return message.contains("No space left") || message.contains("Disk quota exceeded");
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("could not delete temporary file {}: {} (it is removed at next start)", file, e.toString());
        }
    }

    private <T> T locked(FragmentId id, IoWork<T> work) {
        return locked(id.tessera(), id.index(), work);
    }

    private <T> T locked(ContentHash tessera, int index, IoWork<T> work) {
        ReentrantLock lock = stripes[Math.floorMod(tessera.hashCode() * 31 + index, STRIPES)];
        lock.lock();
        try {
            return work.run();
        } finally {
            lock.unlock();
        }
    }

    @FunctionalInterface
    private interface IoWork<T> {
        T run();
    }

    @FunctionalInterface
    private interface Body {
        ContentHash writeTo(FileChannel out) throws IOException;
    }
}
