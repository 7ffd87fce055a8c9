package net.tesseras.shell.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.core.Blake3;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.common.internal.DataDirectory;
import net.tesseras.common.internal.StoreBinding;
import net.tesseras.common.internal.StoreTargets;
import net.tesseras.database.Database;
import net.tesseras.identity.NodeIdentity;
import net.tesseras.database.DatabaseSettings;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.StoreStats;
import net.tesseras.storage.StoreUnavailableException;
import net.tesseras.storage.VerifyResult;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.framework.BundleContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * {@code tesseras:*} commands for the node's storage. They use the store the configuration names
 * ({@link StoreTargets}: the cache front, else the configured backend) and follow it when it
 * changes; when it is missing they refuse to work and say which store is missing, never falling
 * back to another backend. {@code store.target} is applied under the one configuration rule by a
 * {@link StoreBinding} (immediate, so that a target matching no store shows in readiness at once).
 */
@Component(service = StorageCommands.class, configurationPid = LocalShellServer.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true)
@GogoCommand(scope = "tesseras", function = {"init", "status", "put", "fragments", "get"})
public final class StorageCommands {

    /** A store together with the service properties that name it. */
    record BoundStore(FragmentStore store, Map<String, Object> properties) {
        /** The store's name; a front (the cache) is named after the store it serves from. */
        String name() {
            Object name = properties.get(FragmentStore.NAME);
            if (name != null) {
                return String.valueOf(name);
            }
            Object delegate = properties.get("delegate.store.name");
            return delegate != null ? "cache>" + delegate : "?";
        }

        String role() {
            return String.valueOf(properties.getOrDefault(FragmentStore.ROLE, "?"));
        }
    }

    /** Bytes written per call, so progress and interruption are noticed during a large write. */
    private static final int COPY_CHUNK = 1 << 20;

    private static final Logger LOG = LoggerFactory.getLogger(StorageCommands.class);

    private final Path dataDirectory;
    // The store the configuration names; null where tests hand a store in (bindStore).
    private final StoreBinding stores;
    private volatile BoundStore given;
    private volatile Database database;
    private volatile NodeIdentity identity;
    @Reference
    private ReplicationCommands replication;

    @Activate
    public StorageCommands(BundleContext context, Map<String, Object> properties) {
        this.dataDirectory = DataDirectory.of(context);
        this.stores = new StoreBinding(context, LocalShellServer.PID, "the storage commands (tesseras:put, get, verify, ...)", LOG);
        stores.configure(properties);
    }

    StorageCommands(Path dataDirectory) {
        this.dataDirectory = dataDirectory;
        this.stores = null;
    }

    @Deactivate
    void deactivate() {
        if (stores != null) {
            stores.close();
        }
    }

    /** Tests: use this store, as the binding would. */
    void bindStore(FragmentStore fragmentStore, Map<String, Object> properties) {
        given = new BoundStore(fragmentStore, Map.copyOf(properties));
    }

    void unbindStore(FragmentStore fragmentStore) {
        BoundStore current = given;
        if (current != null && current.store() == fragmentStore) {
            given = null;
        }
    }

    /** The store in use now, or null. */
    private BoundStore store() {
        if (stores == null) {
            return given;
        }
        StoreBinding.Bound bound = stores.current();
        return bound == null ? null : new BoundStore(bound.store(), bound.properties());
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindDatabase(Database db) {
        database = db;
    }

    void unbindDatabase(Database db) {
        if (database == db) {
            database = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void bindIdentity(NodeIdentity nodeIdentity) {
        identity = nodeIdentity;
    }

    void unbindIdentity(NodeIdentity nodeIdentity) {
        if (identity == nodeIdentity) {
            identity = null;
        }
    }

    private static final Usage INIT = new Usage("tesseras:init", 0, 0,
            "creates the node's data directories and database (the node also does this on start) and says what exists");
    private static final Usage STATUS = new Usage("tesseras:status [<hash>]", 0, 1,
            "without a hash: the store in use and its counts, the live SQLite settings and the schema versions",
            "with a tessera's hash (or a unique prefix): where it stands in the network: Local, Publishing,",
            "Replicated, Healthy, Degraded or Critical, fragments placed and proven live, the peers holding it",
            "with their last proof, how many peer losses it survives and when it was last repaired");
    private static final Usage PUT = new Usage("tesseras:put <file>", 1, 1,
            "stores a file as fragment 0 of a new tessera; prints the tessera hash and the checksum",
            "<file>  relative paths and ~ resolve in your working and home directory",
            "progress is shown for large files; Ctrl-C stops the put and nothing is kept");
    private static final Usage FRAGMENTS = new Usage("tesseras:fragments [<hash>]", 0, 1,
            "without a hash: the tesseras held, with fragment counts and sizes",
            "with a tessera hash (64 hex characters): its fragments, checksums, stored and verified times");
    private static final Usage GET = new Usage("tesseras:get <hash> <index> <file>", 3, 3,
            "writes one fragment to a new file, after checking it against its recorded checksum",
            "<hash>   the tessera hash (64 hex characters, see tesseras:fragments)",
            "<index>  the fragment index, 0 to 65535",
            "<file>   a file that must not exist yet; relative paths and ~ resolve in your directories",
            "the file appears complete or not at all: a failure or Ctrl-C leaves nothing behind");
    @Descriptor("create the node's data directories and database, and say what was done")
    public void init(CommandSession session, @Descriptor("--help") String... args) throws IOException {
        if (INIT.parse(session.getConsole(), args) != null) {
            init(session.getConsole());
        }
    }

    void init(PrintStream out) throws IOException {
        out.println("Data directory " + dataDirectory);
        for (String sub : List.of("", "db", "log", "run")) {
            Path dir = dataDirectory.resolve(sub);
            boolean existed = Files.isDirectory(dir);
            Files.createDirectories(dir);
            out.printf("  %-12s %s%n", sub.isEmpty() ? "." : sub + "/", existed ? "exists" : "created");
        }
        Database db = requireDatabase();
        DatabaseSettings settings = db.settings();
        out.println("Database " + settings.location());
        out.println("  journal mode " + settings.journalMode() + ", synchronous " + settings.synchronous());
        Map<String, Integer> schemas = db.schemaVersions();
        out.println("  schemas      " + (schemas.isEmpty() ? "none yet" : describe(schemas)));
        BoundStore current = store();
        out.println("Fragment store " + (current == null ? "none available yet" : current.name() + ": " + current.store()));
        NodeIdentity node = identity;
        // The identity bundle makes the key pair once, on the node's first start, and never replaces it.
        out.println("Node identity  " + (node == null ? "not available (the identity bundle is not running)"
                : node.nodeId() + " (key under " + dataDirectory.resolve("identity") + "; tesseras:identity shows it)"));
    }

    @Descriptor("show the store in use, what it holds and the live database settings")
    public void status(CommandSession session, @Descriptor("[<hash>]: a tessera's standing in the network; --help") String... args) {
        String[] a = STATUS.parse(session.getConsole(), args);
        if (a == null) {
            return;
        }
        if (a.length == 0) {
            status(session.getConsole());
        } else {
            ReplicationCommands network = replication;
            ReplicationCommands.printStatus(session.getConsole(), network.require().status(network.resolve(a[0])));
        }
    }

    void status(PrintStream out) {
        out.println("Data directory     " + dataDirectory);
        BoundStore current = store();
        if (current == null) {
            out.println("Fragment store     none: " + missingStore());
        } else {
            StoreStats stats = null;
            try {
                stats = current.store().stats();
            } catch (StoreUnavailableException e) {
                // The cache front standing in for its missing backend: it refuses, and says which one.
                out.println("Fragment store     none: " + e.getMessage());
            }
            if (stats != null) {
                out.println("Fragment store     " + current.name() + " (" + current.role() + "): " + current.store());
                out.println("  tesseras         " + stats.tesseras());
                out.println("  fragments        " + stats.fragments());
                out.println("  bytes            " + Units.bytes(stats.bytes()) + " (" + stats.bytes() + ")");
            }
        }
        Database db = database;
        if (db == null) {
            out.println("Database           not available");
            return;
        }
        DatabaseSettings s = db.settings();
        out.println("Database           " + s.location());
        out.println("  journal mode     " + s.journalMode());
        out.println("  synchronous      " + s.synchronous());
        out.println("  cache size       " + s.cacheSizeKiB() + " KiB");
        out.println("  busy timeout     " + s.busyTimeoutMillis() + " ms");
        out.println("  wal autocheckpoint " + s.walAutocheckpointPages() + " pages");
        out.println("  foreign keys     " + (s.foreignKeys() ? "on" : "off"));
        out.println("  schemas          " + describe(db.schemaVersions()));
    }

    @Descriptor("store a file as one fragment of a new tessera and print its hashes")
    public void put(CommandSession session,
            @Descriptor("<file>: the file to store (relative paths and ~ resolve in your directories); --help") String... args)
            throws IOException {
        String[] a = PUT.parse(session.getConsole(), args);
        if (a != null) {
            putFile(session.getConsole(), CommandPaths.resolve(session, a[0]), Progress.sinkOf(session));
        }
    }

    void put(PrintStream out, Path cwd, String file) throws IOException {
        putFile(out, CommandPaths.resolve(cwd, null, file), null);
    }

    void putFile(PrintStream out, Path path, Progress.Sink progress) throws IOException {
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new IllegalArgumentException("cannot store " + path + ": not a readable regular file");
        }
        BoundStore current = requireStore();
        long size = Files.size(path);
        String name = String.valueOf(path.getFileName());
        ContentHash checksum;
        try (FileChannel in = FileChannel.open(path, StandardOpenOption.READ)) {
            Progress hashing = new Progress(progress, "hash " + name, size);
            checksum = Blake3Hashing.hash(hashing.track(in));
            hashing.finish();
        }
        // A tessera's hash is BLAKE3 over its memories' hashes in hex order; here there is one memory.
        ContentHash tessera = Blake3Hashing.hash(checksum.toBytes());
        FragmentId id = new FragmentId(tessera, 0, false, checksum);
        FragmentInfo info;
        try (FileChannel in = FileChannel.open(path, StandardOpenOption.READ)) {
            Progress storing = new Progress(progress, "store " + name, size);
            info = current.store().store(id, storing.track(in), size);
            storing.finish();
        }
        out.println("Stored " + path + " (" + Units.bytes(info.size()) + ") in store " + current.name());
        out.println("  tessera   " + tessera);
        out.println("  fragment  " + id.index() + " (data), checksum " + checksum);
    }

    @Descriptor("list the tesseras held, or the fragments of one tessera")
    public void fragments(CommandSession session, @Descriptor("[<hash>]: a tessera hash (64 hex characters); --help") String... args) {
        String[] a = FRAGMENTS.parse(session.getConsole(), args);
        if (a != null) {
            fragments(session.getConsole(), a.length == 0 ? null : a[0]);
        }
    }

    void fragments(PrintStream out, String tessera) {
        BoundStore current = requireStore();
        if (tessera == null || tessera.isBlank()) {
            TextTable table = new TextTable("TESSERA", ">FRAGMENTS", ">BYTES");
            for (ContentHash hash : current.store().tesseras()) {
                List<FragmentInfo> fragments = current.store().fragments(hash);
                table.row(hash, fragments.size(), Units.bytes(fragments.stream().mapToLong(FragmentInfo::size).sum()));
            }
            out.print(table.isEmpty() ? "No tesseras in store " + current.name() + ".\n" : table.toString());
            return;
        }
        ContentHash hash = parseHash(tessera);
        List<FragmentInfo> fragments = current.store().fragments(hash);
        if (fragments.isEmpty()) {
            out.println("Store " + current.name() + " holds no fragment of tessera " + hash + ".");
            return;
        }
        TextTable table = new TextTable(">INDEX", "KIND", ">SIZE", "CHECKSUM", "STORED", "VERIFIED");
        for (FragmentInfo f : fragments) {
            table.row(f.id().index(), f.id().parity() ? "parity" : "data", Units.bytes(f.size()), f.id().checksum(),
                    Units.time(f.storedAt()), f.lastVerified().map(Units::time).orElse("never"));
        }
        out.println("Tessera " + hash + " in store " + current.name());
        out.print(table);
    }

    @Descriptor("write a fragment's bytes to a new file, after checking them against the recorded checksum")
    public void get(CommandSession session,
            @Descriptor("<hash> <index> <file>: tessera hash, fragment index, a file that must not exist; --help") String... args)
            throws IOException {
        String[] a = GET.parse(session.getConsole(), args);
        if (a != null) {
            get(session.getConsole(), a[0], Usage.index(a[1]), CommandPaths.resolve(session, a[2]), Progress.sinkOf(session));
        }
    }

    void get(PrintStream out, Path cwd, String tessera, int index, String output) throws IOException {
        get(out, tessera, index, CommandPaths.resolve(cwd, null, output), null);
    }

    void get(PrintStream out, String tessera, int index, Path target, Progress.Sink progress) throws IOException {
        ContentHash hash = parseHash(tessera);
        FragmentId.checkIndex(index);
        BoundStore current = requireStore();
        Optional<FragmentInfo> info =
                current.store().fragments(hash).stream().filter(f -> f.id().index() == index).findFirst();
        if (info.isEmpty()) {
            throw new IllegalArgumentException("store " + current.name() + " holds no fragment " + index
                    + " of tessera " + hash + " (see tesseras:fragments " + hash + ")");
        }
        AtomicFiles.checkNew(target);
        // Streamed through open(), so a fragment larger than the heap can be written out; the store's
        // channel checks the checksum at the end, and so does this copy: a damaged fragment leaves no file.
        ContentHash expected = info.get().id().checksum();
        try (SeekableByteChannel source = current.store().open(hash, index).orElseThrow(() -> new IllegalStateException(
                "fragment " + index + " of tessera " + hash + " is indexed but its bytes are missing; run tesseras:verify"))) {
            AtomicFiles.writeNew(target, channel -> {
                Progress writing = new Progress(progress, "write " + target.getFileName(), info.get().size());
                Blake3 hasher = new Blake3();
                ByteBuffer buffer = ByteBuffer.allocate(COPY_CHUNK);
                while (readFragment(source, buffer.clear(), hash, index) >= 0) {
                    buffer.flip();
                    hasher.update(buffer);
                    while (buffer.hasRemaining()) {
                        writing.add(channel.write(buffer));
                    }
                }
                ContentHash actual = Blake3Hashing.finish(hasher);
                if (!actual.equals(expected)) {
                    throw new IllegalStateException("fragment " + index + " of tessera " + hash + " is corrupt: it hashes to "
                            + actual + " instead of " + expected + "; nothing written");
                }
                writing.finish();
            });
        } catch (java.io.InterruptedIOException | java.nio.channels.ClosedByInterruptException e) {
            throw new java.io.InterruptedIOException("interrupted: nothing was written to " + target);
        } catch (IOException e) {
            throw new IOException("cannot write " + target + ": " + LocalShellServer.message(e) + "; nothing was written", e);
        }
        out.println("Wrote " + Units.bytes(info.get().size()) + " to " + target + " (checksum verified)");
    }

    /** Re-hashes stored fragments (of one tessera, or all); tesseras:verify calls it for hashes that name no tessera. */
    void verify(PrintStream out, String tessera) throws IOException {
        BoundStore current = requireStore();
        List<ContentHash> targets = tessera == null ? current.store().tesseras() : List.of(parseHash(tessera));
        if (tessera != null && current.store().fragments(targets.get(0)).isEmpty()) {
            // Nothing to verify is not a pass: the node does not hold what was asked about.
            throw new IllegalStateException("store " + current.name() + " holds no fragment of tessera " + targets.get(0)
                    + "; nothing verified (tesseras:fragments lists what is held)");
        }
        int ok = 0;
        int corrupt = 0;
        int missing = 0;
        TextTable problems = new TextTable("TESSERA", ">INDEX", "STATUS", "DETAIL");
        int done = 0;
        for (ContentHash hash : targets) {
            for (VerifyResult r : current.store().verify(hash)) {
                switch (r.status()) {
                    case OK -> ok++;
                    case CORRUPT -> corrupt++;
                    case MISSING -> missing++;
                }
                if (!r.ok()) {
                    problems.row(hash.toShortHex(16), r.id().index(), r.status(), r.detail());
                }
            }
            done++;
            Progress.checkInterrupted("tesseras:verify");
            if (targets.size() >= 100 && done % 100 == 0) {
                out.println("  ... " + done + " of " + targets.size() + " tesseras verified");
            }
        }
        if (!problems.isEmpty()) {
            out.print(problems);
        }
        String summary = "Verified " + (ok + corrupt + missing) + " fragment(s) of " + targets.size() + " tessera(e) in store "
                + current.name() + ": " + ok + " ok, " + corrupt + " corrupt, " + missing + " missing";
        if (corrupt + missing > 0) {
            throw new IllegalStateException(summary);
        }
        out.println(summary);
    }

    private BoundStore requireStore() {
        BoundStore current = store();
        if (current == null) {
            throw new IllegalStateException(missingStore() + "; nothing was read or written");
        }
        return current;
    }

    /** Names the configured store that is missing and what to look at; another store is never used instead. */
    private String missingStore() {
        if (stores != null) {
            return stores.missing() + ": see scr:list or /health, and the log for why";
        }
        return "the configured fragment store is not available (" + StoreTargets.describe(null) + "); it is down, not replaced by "
                + "another store: see scr:list or /health, and the log for why";
    }

    private Database requireDatabase() {
        Database db = database;
        if (db == null) {
            throw new IllegalStateException("the database is not available; is the storage bundle active? (try: lb)");
        }
        return db;
    }

    /** Reads from a fragment's channel; a failure of the store (a damaged fragment) is not one of the file written. */
    private static int readFragment(SeekableByteChannel source, ByteBuffer into, ContentHash hash, int index)
            throws IOException {
        try {
            return source.read(into);
        } catch (java.io.InterruptedIOException | java.nio.channels.ClosedByInterruptException e) {
            throw e;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read fragment " + index + " of tessera " + hash + ": " + e.getMessage()
                    + "; nothing written", e);
        }
    }

    private static ContentHash parseHash(String text) {
        return ContentHash.parse(text.trim());
    }

    private static String describe(Map<String, Integer> schemas) {
        StringBuilder s = new StringBuilder();
        schemas.forEach((name, version) -> s.append(s.length() == 0 ? "" : ", ").append(name).append(" v").append(version));
        return s.toString();
    }

}
