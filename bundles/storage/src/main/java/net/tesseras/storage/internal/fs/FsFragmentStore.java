package net.tesseras.storage.internal.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.LinkOption;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
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
import net.tesseras.storage.FragmentBytes;
import net.tesseras.storage.FragmentConflictException;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.FragmentStoreException;
import net.tesseras.storage.InsufficientStorageException;
import net.tesseras.storage.StoreStats;
import net.tesseras.storage.VerifyResult;
import net.tesseras.core.Blake3;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.common.internal.FragmentChannel;
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
    // The largest array the JVM allocates.
    static final long MAX_IN_MEMORY = Integer.MAX_VALUE - 8;
    // fsyncs of one batch in flight at once: enough for the device to merge them, not a thread per shard.
    private static final int SYNCS_IN_FLIGHT = 16;

    private final String name;
    private final FragmentPaths paths;
    private final FsIndex index;
    // Changed live by the component (free.space.reserve.mb) without re-opening the store.
    private volatile long reserveBytes;
    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
    private final ReconcileReport reconcileReport;
    // fsync blocks on the device while the caller's thread hashes the same bytes (see persist).
    private final ExecutorService syncer = Executors.newCachedThreadPool(daemonThreads("tesseras-fs-sync"));
    private volatile boolean syncDirectories;
    // Looked up once: finding a path's file store parses the mount table.
    private final FileStore volume;
    // The volume's free space; tests put a fixed figure here, since a shared disk's free space moves.
    private volatile FreeSpace freeSpace;

    private FsFragmentStore(String name, FragmentPaths paths, FsIndex index, long reserveBytes, boolean syncDirectories)
            throws IOException {
        this.name = name;
        this.paths = paths;
        this.volume = Files.getFileStore(paths.root());
        this.freeSpace = volume::getUsableSpace;
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
        try {
            index.recount().ifPresent(recorded -> LOG.warn("fs store '{}': the recorded counts {} did not match its"
                    + " index; recounted them as {}", name, recorded, index.stats()));
        } catch (RuntimeException e) {
            // Not a reason to keep the store closed (a full disk at start): the counts kept by each
            // transaction stay as they were, and the next open recounts.
            LOG.warn("fs store '{}': could not recount its fragments at open: {}; the counts shown may be off"
                    + " until the next start", name, e.getMessage());
        }
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

    /** Free space always left on the volume from now on; stores that would eat into it are refused. */
    public void reserveBytes(long bytes) {
        reserveBytes = bytes;
    }

    public long reserveBytes() {
        return reserveBytes;
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
        FragmentStore.checkSize(id, data.remaining());
        ByteBuffer bytes = data.duplicate();
        return locked(id, () -> {
            Held held = held(id);
            if (held.intact()) {
                // Still verify what was offered, so a caller with bad bytes always hears of it.
                requireChecksum(id, Blake3Hashing.hash(bytes));
                return held.row();
            }
            ByteBuffer toHash = bytes.duplicate();
            return persist(id, bytes.remaining(), out -> {
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
                return null;
            }, () -> Blake3Hashing.hash(toHash), held);
        });
    }

    @Override
    public FragmentInfo store(FragmentId id, ReadableByteChannel source, long size) {
        FragmentStore.checkSize(id, size);
        return locked(id, () -> {
            Held held = held(id);
            if (held.intact()) {
                // Still verify what was offered, so a caller with bad bytes always hears of it.
                ContentHash actual;
                try {
                    actual = copy(id, source, size, null);
                } catch (IOException e) {
                    throw new FragmentStoreException("cannot read fragment " + id + ": " + e, e);
                }
                requireChecksum(id, actual);
                return held.row();
            }
            return persist(id, size, out -> copy(id, source, size, out), null, held);
        });
    }

    /**
     * Reads a fragment and checks it against its index row before handing it out: a file whose
     * length differs from the recorded size, or whose bytes do not hash to the recorded checksum,
     * is refused with a {@link FragmentStoreException}, so neither the cache nor a peer ever gets
     * damaged bytes. A file without an index row (a store not yet acknowledged) reads as absent.
     */
    @Override
    public Optional<ByteBuffer> read(ContentHash tessera, int index) {
        FragmentId.checkIndex(index);
        Path file = paths.file(tessera, index);
        // Twice at most: a delete and a store of other bytes may replace the file between the
        // lookup and the read; the second lookup then sees the new row.
        for (int attempt = 0; ; attempt++) {
            Optional<IndexedFile> opened = openIndexed(tessera, index, file, attempt == 0);
            if (opened.isEmpty()) {
                return Optional.empty();
            }
            FragmentInfo info = opened.get().info();
            byte[] bytes;
            try (FileChannel in = opened.get().channel()) {
                if (info.size() > MAX_IN_MEMORY) {
                    throw new FragmentStoreException("fragment " + index + " of tessera " + tessera + " has " + info.size()
                            + " bytes, more than one buffer can hold (" + MAX_IN_MEMORY + "); read it with"
                            + " FragmentStore.open(), which streams it (tesseras:get does)");
                }
                bytes = new byte[(int) info.size()];
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    if (in.read(buffer) < 0) {
                        throw damaged(info, file, "ended after " + buffer.position() + " of " + info.size() + " bytes");
                    }
                }
            } catch (IOException e) {
                throw new FragmentStoreException("cannot read fragment " + index + " of tessera " + tessera
                        + " from " + file + ": " + e, e);
            }
            ContentHash actual = Blake3Hashing.hash(bytes);
            if (!actual.equals(info.id().checksum())) {
                if (attempt == 0 && !sameRow(info)) {
                    continue;
                }
                throw damaged(info, file, "hashes to " + actual + ", not to its checksum " + info.id().checksum());
            }
            return Optional.of(ByteBuffer.wrap(bytes).asReadOnlyBuffer());
        }
    }

    /**
     * Opens a fragment's file for streaming and range reads: memory stays bounded by the caller's
     * buffer whatever the fragment's size. A file whose length differs from the index row is
     * refused at once; bytes that fail the checksum fail the sequential read that reaches the end.
     * The channel keeps reading the file it opened even if the fragment is deleted or repaired
     * meanwhile.
     */
    @Override
    public Optional<SeekableByteChannel> open(ContentHash tessera, int index) {
        FragmentId.checkIndex(index);
        Path file = paths.file(tessera, index);
        return openIndexed(tessera, index, file, true).map(opened -> new ShardChannel(opened.info(), file, opened.channel()));
    }

    /** An indexed fragment's row and its file, open for reading and of the recorded length. */
    private record IndexedFile(FragmentInfo info, FileChannel channel) {}

    /**
     * Looks a fragment up in the index and opens its file, checking the file's length against the
     * row. Empty when there is no row, or a row whose file is gone (verify reports it MISSING and
     * storing it again repairs it). A wrong length is damage, unless the row changed meanwhile (a
     * delete and a store of other bytes replaced the file): then, when {@code mayRetry}, the new
     * row is looked up once more.
     */
    private Optional<IndexedFile> openIndexed(ContentHash tessera, int index, Path file, boolean mayRetry) {
        for (boolean retry = mayRetry; ; retry = false) {
            Optional<FragmentInfo> row = this.index.find(tessera, index);
            if (row.isEmpty()) {
                return Optional.empty();
            }
            FragmentInfo info = row.get();
            FileChannel in;
            try {
                in = FileChannel.open(file, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                return Optional.empty();
            } catch (IOException e) {
                throw new FragmentStoreException("cannot open fragment " + index + " of tessera " + tessera
                        + " at " + file + ": " + e, e);
            }
            try {
                long length = in.size();
                if (length != info.size()) {
                    in.close();
                    if (retry && !sameRow(info)) {
                        continue;
                    }
                    throw damaged(info, file, "is " + length + " bytes long but the index records " + info.size());
                }
            } catch (IOException e) {
                closeQuietly(in);
                throw new FragmentStoreException("cannot open fragment " + index + " of tessera " + tessera
                        + " at " + file + ": " + e, e);
            }
            return Optional.of(new IndexedFile(info, in));
        }
    }

    /** A shard file read through positional reads, checked against its row when read from 0 to the end. */
    private final class ShardChannel extends FragmentChannel {
        private final FragmentInfo info;
        private final Path file;
        private final FileChannel in;

        ShardChannel(FragmentInfo info, Path file, FileChannel in) {
            super("fragment " + info.id().index() + " of tessera " + info.id().tessera() + " (" + file + ")",
                    info.size(), info.id().checksum());
            this.info = info;
            this.file = file;
            this.in = in;
        }

        @Override
        protected int readAt(ByteBuffer dst, long position) throws IOException {
            return in.read(dst, position);
        }

        @Override
        protected void closeSource() throws IOException {
            in.close();
        }

        @Override
        protected String damaged(ContentHash actual) {
            if (!sameRow(info)) {
                return "fragment " + info.id().index() + " of tessera " + info.id().tessera() + " was deleted or"
                        + " replaced while being read from " + file + "; open it again";
            }
            return FsFragmentStore.damaged(info, file, "hashes to " + actual + ", not to its checksum "
                    + info.id().checksum()).getMessage();
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("could not close {}: {}", channel, e.toString());
        }
    }

    /**
     * Stores a batch with one index transaction: each fragment is hashed and checked, written to its
     * temporary file and fsynced on the sync threads (hashes use several cores, writes and fsyncs
     * overlap and the device merges the fsyncs), renamed into place, the directories fsynced once
     * each, and then every new row is committed together. The durability promise is that of {@link
     * #store}: nothing is acknowledged before its bytes and its row are durable.
     *
     * <p>At the first fragment that cannot be stored (bad checksum, conflict, no space, an I/O
     * error) the batch is cut there: the fragments before it are stored and indexed, it and the
     * ones after it are not, their temporary files are removed, and its exception is thrown. When
     * the index transaction itself fails, none of the batch's new files stay behind. A batch is
     * deliberately not all-or-nothing for refusals: the SPI's default (one store after the other)
     * and the sqlite store keep what came before the refused fragment too, so every backend answers
     * a bad batch the same way, and storing the batch again after fixing it is a cheap no-op for the
     * fragments already held.
     */
    @Override
    public List<FragmentInfo> storeAll(List<FragmentBytes> fragments) {
        if (fragments.isEmpty()) {
            return List.of();
        }
        for (FragmentBytes f : fragments) {
            FragmentStore.checkSize(f.id(), f.data().remaining());
        }
        TreeSet<Integer> needed = new TreeSet<>();
        for (FragmentBytes f : fragments) {
            needed.add(stripe(f.id().tessera(), f.id().index()));
        }
        List<ReentrantLock> held = new ArrayList<>();
        try {
            for (int stripe : needed) {
                stripes[stripe].lock();
                held.add(stripes[stripe]);
            }
            return new Batch(fragments).run();
        } finally {
            for (int i = held.size() - 1; i >= 0; i--) {
                held.get(i).unlock();
            }
        }
    }

    /** One {@link #storeAll} call, with the stripe locks of all its fragments held. */
    private final class Batch {
        private final List<FragmentBytes> fragments;
        private final Entry[] entries;
        private int stop;
        private RuntimeException failure;

        Batch(List<FragmentBytes> fragments) {
            this.fragments = fragments;
            this.entries = new Entry[fragments.size()];
            this.stop = fragments.size();
        }

        /** What happens to one fragment of the batch. */
        private final class Entry {
            final FragmentId id;
            final ByteBuffer bytes;
            Held held = Held.NOTHING;
            int duplicateOf = -1;
            Path temp;
            Path target;
            boolean createdDirectory;
            Future<?> synced;
            boolean renamed;
            FragmentInfo info;

            Entry(FragmentBytes f) {
                this.id = f.id();
                this.bytes = f.data().duplicate();
            }

            boolean writes() {
                return duplicateOf < 0 && !held.intact();
            }
        }

        private void fail(int at, RuntimeException e) {
            if (at < stop) {
                stop = at;
                failure = e;
            }
        }

        List<FragmentInfo> run() {
            try {
                look();
                write();
                awaitSyncs();
                rename();
                syncDirectories();
                index();
            } finally {
                cleanUp();
            }
            if (failure != null) {
                throw failure;
            }
            List<FragmentInfo> result = new ArrayList<>(entries.length);
            for (Entry e : entries) {
                result.add(e.duplicateOf >= 0 ? entries[e.duplicateOf].info : e.info);
            }
            return result;
        }

        /** What the index holds at each place; conflicts and space, in order, up to the first refusal. */
        private void look() {
            Map<Long, Integer> first = new HashMap<>();
            Map<ContentHash, Long> keys = new LinkedHashMap<>();
            long needed = 0;
            for (int i = 0; i < entries.length && i < stop; i++) {
                Entry e = new Entry(fragments.get(i));
                entries[i] = e;
                long key = (long) keys.computeIfAbsent(e.id.tessera(), t -> (long) keys.size()) << 16 | e.id.index();
                Integer earlier = first.putIfAbsent(key, i);
                try {
                    if (earlier != null) {
                        ContentHash checksum = entries[earlier].id.checksum();
                        if (!checksum.equals(e.id.checksum())) {
                            throw new FragmentConflictException(e.id, checksum);
                        }
                        e.duplicateOf = earlier;
                        continue;
                    }
                    e.held = held(e.id);
                    if (e.writes()) {
                        needed += e.bytes.remaining();
                        ensureSpace(e.id, needed);
                    }
                } catch (IOException x) {
                    fail(i, new FragmentStoreException("cannot check free space for fragment " + e.id.index()
                            + " of tessera " + e.id.tessera() + " under " + paths.root() + ": " + x, x));
                } catch (RuntimeException x) {
                    fail(i, x);
                }
            }
        }

        /**
         * Hands each fragment to the sync threads, which hash it, and only if it matches its
         * checksum write it to its temporary file and fsync it: hashing, writing and fsyncing of the
         * batch run on several cores and overlap. A temporary file is never visible; nothing is
         * renamed before every fragment before it was checked.
         */
        private void write() {
            ArrayDeque<Future<?>> inFlight = new ArrayDeque<>();
            for (int i = 0; i < stop; i++) {
                Entry e = entries[i];
                try {
                    if (!e.writes()) {
                        while (inFlight.size() >= SYNCS_IN_FLIGHT) {
                            awaitQuietly(inFlight.poll());
                        }
                        e.synced = syncer.submit(() -> {
                            requireChecksum(e.id, Blake3Hashing.hash(e.bytes));
                            return null;
                        });
                        inFlight.add(e.synced);
                        if (e.held.row() != null) {
                            e.info = e.held.row();
                        }
                        continue;
                    }
                    Path directory = paths.directory(e.id.tessera());
                    e.target = paths.file(e.id.tessera(), e.id.index());
                    if (!Files.isDirectory(directory)) {
                        Files.createDirectories(directory);
                        e.createdDirectory = true;
                    }
                    e.temp = paths.temporary(e.id.tessera(), e.id.index(), ThreadLocalRandom.current().nextLong());
                    Path temp = e.temp;
                    ByteBuffer bytes = e.bytes.duplicate();
                    while (inFlight.size() >= SYNCS_IN_FLIGHT) {
                        awaitQuietly(inFlight.poll());
                    }
                    e.synced = syncer.submit(() -> {
                        requireChecksum(e.id, Blake3Hashing.hash(e.bytes));
                        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW,
                                StandardOpenOption.WRITE)) {
                            while (bytes.hasRemaining()) {
                                out.write(bytes);
                            }
                            out.force(true);
                        }
                        return null;
                    });
                    inFlight.add(e.synced);
                } catch (IOException x) {
                    fail(i, writeFailure(e.id, e.bytes.remaining(), e.target, x));
                } catch (RuntimeException x) {
                    fail(i, x);
                }
            }
        }

        /** Waits for every fragment handed to the sync threads; the first failure in batch order cuts it. */
        private void awaitSyncs() {
            for (int i = 0; i < entries.length && entries[i] != null; i++) {
                Entry e = entries[i];
                if (e.synced == null) {
                    continue;
                }
                try {
                    awaitSync(e.synced);
                } catch (ChecksumMismatchException x) {
                    fail(i, x);
                } catch (IOException x) {
                    fail(i, writeFailure(e.id, e.bytes.remaining(), e.target, x));
                }
            }
        }

        private void rename() {
            for (int i = 0; i < stop; i++) {
                Entry e = entries[i];
                if (e.temp == null) {
                    continue;
                }
                try {
                    Files.move(e.temp, e.target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    e.temp = null;
                    e.renamed = true;
                } catch (IOException x) {
                    fail(i, writeFailure(e.id, e.bytes.remaining(), e.target, x));
                }
            }
        }

        private void syncDirectories() {
            if (!syncDirectories) {
                return;
            }
            Map<Path, Integer> directories = new LinkedHashMap<>();
            boolean created = false;
            for (int i = 0; i < stop; i++) {
                Entry e = entries[i];
                if (e.renamed) {
                    directories.putIfAbsent(e.target.getParent(), i);
                    created |= e.createdDirectory;
                }
            }
            try {
                if (created) {
                    fsyncDirectory(paths.root());
                }
            } catch (IOException x) {
                int at = directories.values().stream().mapToInt(Integer::intValue).min().orElse(0);
                fail(at, writeFailure(entries[at].id, entries[at].bytes.remaining(), entries[at].target, x));
            }
            for (Map.Entry<Path, Integer> d : directories.entrySet()) {
                if (d.getValue() >= stop) {
                    continue;
                }
                try {
                    fsyncDirectory(d.getKey());
                } catch (IOException x) {
                    Entry e = entries[d.getValue()];
                    fail(d.getValue(), writeFailure(e.id, e.bytes.remaining(), e.target, x));
                }
            }
        }

        /** One transaction for every new row before the cut. */
        private void index() {
            List<FsIndex.Row> rows = new ArrayList<>();
            Entry firstNew = null;
            // Millisecond precision: what the index keeps, so a later listing returns the same value.
            Instant now = Instant.ofEpochMilli(System.currentTimeMillis());
            for (int i = 0; i < stop; i++) {
                Entry e = entries[i];
                if (!e.renamed) {
                    continue;
                }
                if (e.held.row() != null) {
                    e.info = e.held.row(); // a repair: the row already describes these bytes
                    LOG.warn("fs store '{}': repaired fragment {} of tessera {}: its file {} {}; rewrote it from"
                            + " verified bytes", name, e.id.index(), e.id.tessera(), e.target, e.held.damage());
                    continue;
                }
                e.info = new FragmentInfo(e.id, e.bytes.remaining(), now, Optional.empty());
                rows.add(new FsIndex.Row(e.info, paths.relative(e.id.tessera(), e.id.index())));
                if (firstNew == null) {
                    firstNew = e;
                }
            }
            try {
                index.putAll(rows);
            } catch (RuntimeException x) {
                int at = java.util.Arrays.asList(entries).indexOf(firstNew);
                for (int i = at; i < stop; i++) {
                    Entry e = entries[i];
                    if (e.renamed && e.held.row() == null) {
                        unlinkUnindexed(e.target, e.target.getParent(), x);
                        e.renamed = false;
                    }
                }
                long bytes = rows.stream().mapToLong(r -> r.info().size()).sum();
                RuntimeException reported;
                if (DiskFull.is(x)) {
                    reported = new InsufficientStorageException("no space left to index fragment "
                            + firstNew.id.index() + " of tessera " + firstNew.id.tessera() + " and the " + (rows.size() - 1)
                            + " other new fragment(s) of its batch (" + bytes + " bytes): the disk holding the"
                            + " database is full; none of them was stored. Free space on that volume and store them"
                            + " again", x);
                } else {
                    reported = new FragmentStoreException("cannot index fragment " + firstNew.id.index()
                            + " of tessera " + firstNew.id.tessera() + " and the " + (rows.size() - 1) + " other new"
                            + " fragment(s) of its batch; none of them was stored: " + x.getMessage(), x);
                }
                stop = at;
                failure = reported;
            }
        }

        /**
         * Removes what fragments at or after the cut left behind: their temporary files, and files
         * renamed into place that were not indexed (a directory fsync failed after the rename).
         */
        private void cleanUp() {
            for (int i = 0; i < entries.length; i++) {
                Entry e = entries[i];
                if (e == null) {
                    continue;
                }
                if (e.synced != null) {
                    awaitQuietly(e.synced);
                }
                if (e.temp != null) {
                    deleteQuietly(e.temp);
                }
                if (i >= stop && e.renamed && e.held.row() == null) {
                    unlinkUnindexed(e.target, e.target.getParent(),
                            failure != null ? failure : new FragmentStoreException("batch cut"));
                }
            }
        }
    }

    private static void awaitQuietly(Future<?> future) {
        boolean interrupted = false;
        while (true) {
            try {
                future.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException e) {
                break; // reported where the result is read
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The exception for an I/O failure while writing fragment {@code id}: a full disk says so. */
    private RuntimeException writeFailure(FragmentId id, long size, Path target, IOException e) {
        if (isOutOfSpace(e)) {
            return new InsufficientStorageException("no space left to store fragment " + id.index()
                    + " of tessera " + id.tessera() + " (" + size + " bytes) under " + paths.root()
                    + "; free space on that volume and store it again", e);
        }
        return new FragmentStoreException("cannot store fragment " + id.index() + " of tessera " + id.tessera()
                + (target == null ? "" : " at " + target) + ": " + e, e);
    }

    private boolean sameRow(FragmentInfo info) {
        return this.index.find(info.id().tessera(), info.id().index())
                .map(now -> now.id().equals(info.id()) && now.size() == info.size()).orElse(false);
    }

    private static FragmentStoreException damaged(FragmentInfo info, Path file, String what) {
        return new FragmentStoreException("fragment " + info.id().index() + " of tessera " + info.id().tessera()
                + " is damaged: " + file + " " + what + "; its bytes were not served. Storing the fragment again"
                + " (from a peer or the original) repairs it; tesseras:verify lists damaged fragments");
    }

    @Override
    public boolean delete(ContentHash tessera, int index) {
        FragmentId.checkIndex(index);
        return locked(tessera, index, () -> {
            // Index first: a crash before the file is gone leaves a whole orphan that start-up
            // re-indexes (the delete was never acknowledged), never an index row pointing at nothing.
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
    public List<ContentHash> tesseras(ContentHash after, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("a page holds at least one tessera, not " + limit);
        }
        return index.tesseras(after, limit);
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
        // tesseras:status prints this: what the start found stays visible there, not only in the log.
        return "fs store '" + name + "' at " + paths.root() + (syncDirectories
                ? " (fsync: files and directories; survives power loss)"
                : " (fsync: files; survives process crashes)")
                + (reconcileReport == null || reconcileReport.clean() ? ""
                        : (reconcileReport.dataAffected() ? "; ERROR at start: " : "; at start: ") + reconcileReport);
    }

    /** What the store holds at a fragment's place, as far as a new store of it is concerned. */
    private record Held(FragmentInfo row, String damage) {
        static final Held NOTHING = new Held(null, null);

        boolean intact() {
            return row != null && damage == null;
        }
    }

    /**
     * Looks up the fragment's row and, if there is one with the same checksum, checks that its file
     * is still whole (its length, then its hash), so that storing verified bytes over a missing,
     * truncated or corrupt file repairs it instead of being a no-op.
     */
    private Held held(FragmentId id) {
        Optional<FragmentInfo> row = index.find(id.tessera(), id.index());
        if (row.isEmpty()) {
            return Held.NOTHING;
        }
        FragmentInfo info = row.get();
        if (!info.id().checksum().equals(id.checksum())) {
            throw new FragmentConflictException(id, info.id().checksum());
        }
        Path file = paths.file(id.tessera(), id.index());
        try {
            long length = Files.size(file);
            if (length != info.size()) {
                return new Held(info, "was " + length + " bytes long instead of " + info.size());
            }
            ContentHash actual = Blake3Hashing.hash(file);
            return actual.equals(info.id().checksum()) ? new Held(info, null)
                    : new Held(info, "hashed to " + actual + " instead of its checksum");
        } catch (NoSuchFileException e) {
            return new Held(info, "was missing");
        } catch (IOException e) {
            return new Held(info, "could not be read (" + e + ")");
        }
    }

    /**
     * Writes a fragment durably and indexes it. Called with the fragment's stripe lock held.
     *
     * @param body writes the bytes; returns their hash if it computed it while streaming, else null
     * @param hash computes the hash when {@code body} did not; it runs while the file is being
     *     fsynced, since the two together cost little more than the fsync alone, and nothing becomes
     *     visible before the hash is checked
     * @param held what the index holds there: nothing (a new fragment, indexed after the rename) or
     *     the same fragment with a damaged file (a repair: the file is replaced, the row kept)
     */
    private FragmentInfo persist(FragmentId id, long size, Body body, Supplier<ContentHash> hash, Held held) {
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
                    // Bytes in memory: the fsync runs on another thread while this one hashes them.
                    // Writing on that thread too was measured slower: the hand-off cost more than the
                    // overlap gained on a busy two-core machine (docs/BENCHMARKS.md, batch writer).
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
                        + " of tessera " + id.tessera() + " (" + size + " bytes) under " + paths.root()
                        + "; free space on that volume and store it again", e);
            }
            throw new FragmentStoreException("cannot store fragment " + id.index() + " of tessera " + id.tessera()
                    + " at " + target + ": " + e, e);
        } catch (RuntimeException e) {
            deleteQuietly(temp);
            throw e;
        }
        if (held.row() != null) {
            // A repair: the row already describes these bytes (same checksum, same size).
            LOG.warn("fs store '{}': repaired fragment {} of tessera {}: its file {} {}; rewrote it from verified bytes",
                    name, id.index(), id.tessera(), target, held.damage());
            return held.row();
        }
        // Millisecond precision: what the index keeps, so a later listing returns the same value.
        FragmentInfo info = new FragmentInfo(id, size, Instant.ofEpochMilli(System.currentTimeMillis()), Optional.empty());
        try {
            index.put(info, paths.relative(id.tessera(), id.index()));
        } catch (RuntimeException e) {
            // Not acknowledged, so nothing of it may stay behind: remove the file renamed into place.
            unlinkUnindexed(target, directory, e);
            if (DiskFull.is(e)) {
                throw new InsufficientStorageException("no space left to index fragment " + id.index() + " of tessera "
                        + id.tessera() + " (" + size + " bytes): the disk holding the database is full; nothing was"
                        + " stored. Free space on that volume and store it again", e);
            }
            throw new FragmentStoreException("cannot index fragment " + id.index() + " of tessera " + id.tessera()
                    + "; nothing was stored: " + e.getMessage(), e);
        }
        return info;
    }

    private void unlinkUnindexed(Path target, Path directory, RuntimeException cause) {
        // The tessera's directory stays even if now empty: another index of the same tessera may be
        // being stored into it (a different lock); the next start removes it if it stays empty.
        try {
            Files.deleteIfExists(target);
            if (syncDirectories) {
                fsyncDirectory(directory);
            }
        } catch (IOException e) {
            cause.addSuppressed(e);
            LOG.error("fs store '{}': could not remove {} after its index row failed: {}; the next start re-indexes it",
                    name, target, e.toString());
        }
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
            if (e.getCause() instanceof ChecksumMismatchException refused) {
                throw refused;
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
        long usable = freeSpace.usable();
        if (usable - size < reserveBytes) {
            throw new InsufficientStorageException("refusing fragment " + id.index() + " of tessera " + id.tessera()
                    + " (" + size + " bytes): " + usable + " bytes free under " + paths.root() + ", and "
                    + reserveBytes + " must stay free (free.space.reserve.mb)");
        }
    }

    /** Counts of what {@link #reconcile} found, turned into a {@link ReconcileReport} at the end. */
    private static final class Findings {
        int temporary;
        int reindexed;
        int recovered;
        int missing;
        int sizeMismatches;
        int unknown;
    }

    /**
     * Brings files and index back into agreement on start. It never refuses to open the store over
     * an entry it does not understand: such entries are left alone, named in a WARN and counted.
     * Shard files the index lost (a damaged database, a crash between rename and commit) are
     * re-indexed from their own bytes: a shard is renamed into place only after its bytes matched
     * their checksum, and its path names its tessera and index.
     */
    private ReconcileReport reconcile() {
        Path root = paths.root();
        Findings found = new Findings();
        recoverLostAndFound(found);
        TreeSet<ContentHash> tesseras = new TreeSet<>(index.tesseras());
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            for (Path entry : entries) {
                String entryName = entry.getFileName().toString();
                if (entryName.equals(FragmentPaths.LOST_AND_FOUND) || entryName.equals(VolumeIdentity.MARKER)) {
                    continue;
                }
                Optional<ContentHash> tessera = FragmentPaths.tesseraOf(entryName);
                if (tessera.isPresent() && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    tesseras.add(tessera.get());
                } else {
                    unknown(found, entry, "not a tessera directory this store writes");
                }
            }
        } catch (IOException e) {
            throw new FragmentStoreException("cannot list the fragment directory " + root + " of fs store '" + name
                    + "': " + e + "; check that it is readable by the node's user", e);
        }
        for (ContentHash tessera : tesseras) {
            try {
                reconcile(tessera, found);
            } catch (IOException | java.io.UncheckedIOException e) {
                LOG.warn("fs store '{}': could not reconcile {}: {}; left as it is, its fragments are served as the"
                        + " index records them", name, paths.directory(tessera), e.toString());
                found.unknown++;
            }
        }
        ReconcileReport report = new ReconcileReport(found.temporary, found.reindexed, found.recovered, found.missing,
                found.sizeMismatches, found.unknown);
        if (report.clean()) {
            LOG.info("fs store '{}' at {}: {}", name, root, report);
        } else if (report.dataAffected()) {
            LOG.error("fs store '{}' at {}: {}", name, root, report);
            if (found.reindexed > 0) {
                LOG.error("fs store '{}': {} whole shard file(s) had no index row; they were re-indexed from their"
                        + " files and are served again. After a crash, one per store that was in flight is expected (cut"
                        + " between its rename and its index commit); more means the database lost acknowledged rows (a"
                        + " corrupt or truncated -wal, a restore of an older copy): check 'PRAGMA integrity_check' and"
                        + " the disk (docs/OPERATOR.md, Durability and recovery)", name, found.reindexed);
            }
        } else {
            LOG.warn("fs store '{}' at {}: {}", name, root, report);
        }
        return report;
    }

    private void reconcile(ContentHash tessera, Findings found) throws IOException {
        List<FragmentInfo> rows = index.list(tessera);
        TreeMap<Integer, FragmentInfo> unseen = new TreeMap<>();
        rows.forEach(row -> unseen.put(row.id().index(), row));
        TreeSet<Integer> onDisk = new TreeSet<>();
        List<Path> unindexed = new ArrayList<>();
        Path dir = paths.directory(tessera);
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path file : files) {
                    String fileName = file.getFileName().toString();
                    boolean regular = Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS);
                    OptionalInt shard = FragmentPaths.indexOf(fileName);
                    if (FragmentPaths.isTemporary(fileName) && regular) {
                        Files.delete(file);
                        found.temporary++;
                    } else if (shard.isEmpty() || !regular) {
                        unknown(found, file, regular ? "not a shard file name this store writes"
                                : "not a regular file");
                    } else {
                        onDisk.add(shard.getAsInt());
                        FragmentInfo row = unseen.remove(shard.getAsInt());
                        if (row == null) {
                            unindexed.add(file);
                        } else {
                            long length = Files.size(file);
                            if (length != row.size()) {
                                LOG.error("fs store '{}': fragment {} of tessera {}: {} is {} bytes long but the index"
                                        + " records {} (truncated or overwritten); reads refuse it, tesseras:verify"
                                        + " reports it, storing the fragment again repairs it",
                                        name, row.id().index(), tessera, file, length, row.size());
                                found.sizeMismatches++;
                            }
                        }
                    }
                }
            }
        }
        for (FragmentInfo lost : unseen.values()) {
            LOG.error("fs store '{}': fragment {} of tessera {} is indexed but {} is missing; tesseras:verify reports"
                    + " it, storing the fragment again repairs it", name, lost.id().index(), tessera,
                    paths.file(tessera, lost.id().index()));
            found.missing++;
        }
        for (Path file : unindexed) {
            reindex(tessera, file, rows, onDisk);
            found.reindexed++;
        }
        deleteIfEmpty(dir);
    }

    /** Indexes a whole shard file the index does not know, with its own hash as its checksum. */
    private void reindex(ContentHash tessera, Path file, List<FragmentInfo> rows, TreeSet<Integer> onDisk)
            throws IOException {
        int shard = FragmentPaths.indexOf(file.getFileName().toString()).orElseThrow();
        ContentHash checksum = Blake3Hashing.hash(file);
        long size = Files.size(file);
        boolean parity = RecoveredParity.guess(shard, rows, onDisk);
        Instant storedAt = Instant.ofEpochMilli(Files.getLastModifiedTime(file).toMillis());
        index.put(new FragmentInfo(new FragmentId(tessera, shard, parity, checksum), size, storedAt, Optional.empty()),
                paths.relative(tessera, shard));
        LOG.warn("fs store '{}': {} was not in the index; re-indexed it as fragment {} ({}) of tessera {}, {} bytes,"
                + " checksum {}", name, file, shard, parity ? "parity" : "data", tessera, size, checksum);
    }

    /**
     * Puts back the shard files that earlier versions moved to {@code lost+found/{tessera}/} when the
     * index did not know them: to their place when nothing is indexed there (the main pass then
     * re-indexes them), or over a missing or wrong-sized file whose row has their checksum.
     * Anything else stays where it is.
     */
    private void recoverLostAndFound(Findings found) {
        Path lostAndFound = paths.lostAndFound();
        if (!Files.isDirectory(lostAndFound, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(lostAndFound)) {
            for (Path dir : dirs) {
                Optional<ContentHash> tessera = FragmentPaths.tesseraOf(dir.getFileName().toString());
                if (tessera.isEmpty() || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    LOG.warn("fs store '{}': leaving {} in {}: not a tessera directory", name, dir, lostAndFound);
                    continue;
                }
                try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                    for (Path file : files) {
                        if (restore(tessera.get(), file)) {
                            found.recovered++;
                        }
                    }
                }
                deleteIfEmpty(dir);
            }
        } catch (IOException e) {
            LOG.warn("fs store '{}': could not go through {}: {}; its files stay there", name, lostAndFound, e.toString());
        }
        try {
            deleteIfEmpty(lostAndFound);
        } catch (IOException e) {
            LOG.debug("could not remove empty {}: {}", lostAndFound, e.toString());
        }
    }

    private boolean restore(ContentHash tessera, Path file) throws IOException {
        OptionalInt shard = FragmentPaths.indexOf(file.getFileName().toString());
        if (shard.isEmpty() || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            LOG.warn("fs store '{}': leaving {} in {}: not a shard file", name, file, paths.lostAndFound());
            return false;
        }
        Path target = paths.file(tessera, shard.getAsInt());
        Optional<FragmentInfo> row = index.find(tessera, shard.getAsInt());
        if (row.isEmpty()) {
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                LOG.warn("fs store '{}': leaving {}: {} exists too; compare them and keep the one that is right",
                        name, file, target);
                return false;
            }
        } else {
            boolean whole = Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) && Files.size(target) == row.get().size();
            if (whole || !Blake3Hashing.hash(file).equals(row.get().id().checksum())) {
                LOG.info("fs store '{}': leaving {} in {}: fragment {} of tessera {} is already held", name, file,
                        paths.lostAndFound(), shard.getAsInt(), tessera);
                return false;
            }
        }
        Files.createDirectories(target.getParent());
        Files.move(file, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (syncDirectories) {
            fsyncDirectory(target.getParent());
            fsyncDirectory(paths.root());
        }
        LOG.warn("fs store '{}': moved {} back to {}", name, file, target);
        return true;
    }

    private void unknown(Findings found, Path entry, String why) {
        LOG.warn("fs store '{}': leaving {} alone: {}", name, entry, why);
        found.unknown++;
    }

    private static void deleteIfEmpty(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
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

    private static int stripe(ContentHash tessera, int index) {
        return Math.floorMod(tessera.hashCode() * 31 + index, STRIPES);
    }

    private <T> T locked(ContentHash tessera, int index, IoWork<T> work) {
        ReentrantLock lock = stripes[stripe(tessera, index)];
        lock.lock();
        try {
            return work.run();
        } finally {
            lock.unlock();
        }
    }

    /** Replaces how the volume's free space is found, for tests of the reserve. */
    void freeSpace(FreeSpace probe) {
        this.freeSpace = probe;
    }

    /** The usable bytes of the store's volume. */
    @FunctionalInterface
    interface FreeSpace {
        long usable() throws IOException;
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
