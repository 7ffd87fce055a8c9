package net.tesseras.shell.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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
import net.tesseras.database.Database;
import net.tesseras.identity.NodeIdentity;
import net.tesseras.database.DatabaseSettings;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.StoreStats;
import net.tesseras.storage.VerifyResult;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * {@code tesseras:*} commands for the node's storage. They use whichever {@link FragmentStore} ranks
 * highest (the cache when it runs, else a backend) and follow it when it changes.
 */
@Component(service = StorageCommands.class)
@GogoCommand(scope = "tesseras", function = {"init", "status", "put", "fragments", "get", "verify"})
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

    private final Path dataDirectory;
    private volatile BoundStore store;
    private volatile Database database;
    private volatile NodeIdentity identity;

    @Activate
    public StorageCommands(BundleContext context) {
        this(DataDirectory.of(context));
    }

    StorageCommands(Path dataDirectory) {
        this.dataDirectory = dataDirectory;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindStore(FragmentStore fragmentStore, Map<String, Object> properties) {
        store = new BoundStore(fragmentStore, Map.copyOf(properties));
    }

    void unbindStore(FragmentStore fragmentStore) {
        BoundStore current = store;
        if (current != null && current.store() == fragmentStore) {
            store = null;
        }
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

    @Descriptor("create the node's data directories and database, and say what was done")
    public void init(CommandSession session) throws IOException {
        init(session.getConsole());
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
        BoundStore current = store;
        out.println("Fragment store " + (current == null ? "none available yet" : current.name() + ": " + current.store()));
        NodeIdentity node = identity;
        // The identity bundle makes the key pair once, on the node's first start, and never replaces it.
        out.println("Node identity  " + (node == null ? "not available (the identity bundle is not running)"
                : node.nodeId() + " (key under " + dataDirectory.resolve("identity") + "; tesseras:identity shows it)"));
    }

    @Descriptor("show the store in use, what it holds and the live database settings")
    public void status(CommandSession session) {
        status(session.getConsole());
    }

    void status(PrintStream out) {
        out.println("Data directory     " + dataDirectory);
        BoundStore current = store;
        if (current == null) {
            out.println("Fragment store     none available");
        } else {
            StoreStats stats = current.store().stats();
            out.println("Fragment store     " + current.name() + " (" + current.role() + "): " + current.store());
            out.println("  tesseras         " + stats.tesseras());
            out.println("  fragments        " + stats.fragments());
            out.println("  bytes            " + Units.bytes(stats.bytes()) + " (" + stats.bytes() + ")");
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
    public void put(CommandSession session, @Descriptor("the file to store") String file) throws IOException {
        put(session.getConsole(), session.currentDir(), file);
    }

    void put(PrintStream out, Path cwd, String file) throws IOException {
        Path path = resolve(cwd, file);
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("cannot store " + path + ": not a readable regular file");
        }
        BoundStore current = requireStore();
        ContentHash checksum = Blake3Hashing.hash(path);
        // A tessera's hash is BLAKE3 over its memories' hashes in hex order; here there is one memory.
        ContentHash tessera = Blake3Hashing.hash(checksum.toBytes());
        FragmentId id = new FragmentId(tessera, 0, false, checksum);
        long size = Files.size(path);
        FragmentInfo info;
        try (FileChannel in = FileChannel.open(path, StandardOpenOption.READ)) {
            info = current.store().store(id, in, size);
        }
        out.println("Stored " + path + " (" + Units.bytes(info.size()) + ") in store " + current.name());
        out.println("  tessera   " + tessera);
        out.println("  fragment  " + id.index() + " (data), checksum " + checksum);
    }

    @Descriptor("list the tesseras held, with their fragment counts and sizes")
    public void fragments(CommandSession session) {
        fragments(session.getConsole(), null);
    }

    @Descriptor("list the fragments of one tessera")
    public void fragments(CommandSession session, @Descriptor("tessera hash (64 hex characters)") String tessera) {
        fragments(session.getConsole(), tessera);
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

    @Descriptor("write a fragment's bytes to a file, after checking them against the recorded checksum")
    public void get(CommandSession session, @Descriptor("tessera hash") String tessera,
            @Descriptor("fragment index") long index, @Descriptor("output file (must not exist)") String output)
            throws IOException {
        get(session.getConsole(), session.currentDir(), tessera, index, output);
    }

    void get(PrintStream out, Path cwd, String tessera, long fragmentIndex, String output) throws IOException {
        ContentHash hash = parseHash(tessera);
        int index = fragmentIndex(fragmentIndex);
        Path target = resolve(cwd, output);
        BoundStore current = requireStore();
        Optional<FragmentInfo> info =
                current.store().fragments(hash).stream().filter(f -> f.id().index() == index).findFirst();
        if (info.isEmpty()) {
            throw new IllegalArgumentException("store " + current.name() + " holds no fragment " + index
                    + " of tessera " + hash + " (see tesseras:fragments " + hash + ")");
        }
        // Streamed through open(), so a fragment larger than the heap can be written out; the store's
        // channel checks the checksum at the end, and so does this copy: a damaged fragment leaves no file.
        SeekableByteChannel source = current.store().open(hash, index).orElseThrow(() -> new IllegalStateException(
                "fragment " + index + " of tessera " + hash + " is indexed but its bytes are missing; run tesseras:verify"));
        try (source; FileChannel channel = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            Blake3 hasher = new Blake3();
            ByteBuffer buffer = ByteBuffer.allocate(256 * 1024);
            try {
                while (source.read(buffer.clear()) >= 0) {
                    buffer.flip();
                    hasher.update(buffer);
                    while (buffer.hasRemaining()) {
                        channel.write(buffer);
                    }
                }
                ContentHash actual = Blake3Hashing.finish(hasher);
                if (!actual.equals(info.get().id().checksum())) {
                    throw new IllegalStateException("fragment " + index + " of tessera " + hash + " is corrupt: it hashes to "
                            + actual + " instead of " + info.get().id().checksum() + "; nothing written");
                }
            } catch (IOException | RuntimeException e) {
                channel.close();
                Files.deleteIfExists(target);
                if (e instanceof IOException io) {
                    throw new IllegalStateException("cannot read fragment " + index + " of tessera " + hash + ": "
                            + io.getMessage() + "; nothing written", io);
                }
                throw e;
            }
        } catch (FileAlreadyExistsException e) {
            throw new IllegalArgumentException(target + " already exists; remove it or choose another name");
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("cannot write " + target + ": its directory does not exist");
        }
        out.println("Wrote " + Units.bytes(info.get().size()) + " to " + target + " (checksum verified)");
    }

    @Descriptor("re-hash stored fragments (all tesseras, or one) and report any that are corrupt or missing")
    public void verify(CommandSession session) {
        verify(session.getConsole(), null);
    }

    @Descriptor("re-hash the stored fragments of one tessera and report any that are corrupt or missing")
    public void verify(CommandSession session, @Descriptor("tessera hash") String tessera) {
        verify(session.getConsole(), tessera);
    }

    void verify(PrintStream out, String tessera) {
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
        BoundStore current = store;
        if (current == null) {
            throw new IllegalStateException("no fragment store is available; is the storage bundle active? (try: lb)");
        }
        return current;
    }

    private Database requireDatabase() {
        Database db = database;
        if (db == null) {
            throw new IllegalStateException("the database is not available; is the storage bundle active? (try: lb)");
        }
        return db;
    }

    /**
     * A fragment index typed at the shell. Gogo hands numbers over as longs and narrows them to an
     * {@code int} parameter silently (4294967296 became 0), so commands take a long and check it here.
     */
    static int fragmentIndex(long index) {
        if (index < 0 || index > FragmentId.MAX_INDEX) {
            throw new IllegalArgumentException("fragment index must be between 0 and " + FragmentId.MAX_INDEX
                    + ", got " + index);
        }
        return (int) index;
    }

    private static ContentHash parseHash(String text) {
        return ContentHash.parse(text.trim());
    }

    private static Path resolve(Path cwd, String file) {
        Path p = Path.of(file);
        return (p.isAbsolute() || cwd == null ? p : cwd.resolve(p)).toAbsolutePath().normalize();
    }

    private static String describe(Map<String, Integer> schemas) {
        StringBuilder s = new StringBuilder();
        schemas.forEach((name, version) -> s.append(s.length() == 0 ? "" : ", ").append(name).append(" v").append(version));
        return s.toString();
    }

}
