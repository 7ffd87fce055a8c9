package net.tesseras.shell.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import net.tesseras.core.ContentHash;
import net.tesseras.tessera.ExportResult;
import net.tesseras.tessera.Manifest;
import net.tesseras.tessera.ManifestEntry;
import net.tesseras.tessera.TesseraDetails;
import net.tesseras.tessera.TesseraDetails.FragmentState;
import net.tesseras.tessera.TesseraInfo;
import net.tesseras.tessera.TesseraService;
import net.tesseras.tessera.TesseraVerification;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * {@code tesseras:*} commands for tesseras: create one from files, list, show, verify, export and
 * delete. {@code verify} of a hash that names no tessera (fragments stored with tesseras:put, or all
 * fragments when no hash is given) re-hashes the stored fragments as before.
 */
@Component(service = TesseraCommands.class)
@GogoCommand(scope = "tesseras", function = {"create", "tesseras", "show", "verify", "export", "delete"})
public final class TesseraCommands {

    private static final int PAGE = 500;

    /** A deletion cannot be undone: a shorter prefix would delete whatever tessera it happens to match. */
    static final int DELETE_PREFIX = 8;

    private static final Usage CREATE = new Usage("tesseras:create [--publish] <file|directory>...", 1, Integer.MAX_VALUE,
            "makes a tessera of files and directories (recursively): a signed manifest and a tar payload cut into",
            "Reed-Solomon fragments that go to the node's store; prints the tessera hash, tier and fragments",
            "relative paths and ~ resolve in your working and home directory; each file keeps its name relative",
            "to the directory given; Ctrl-C stops and nothing is kept",
            "--publish  then places its fragments on peers at once, as tesseras:publish does (with publish.on.create",
            "           in etc/net.tesseras.replication.cfg, the node publishes every new tessera by itself)");
    private static final Usage LIST = new Usage("tesseras:tesseras", 0, 0,
            "lists the tesseras created on this node: hash, files, size, tier, created");
    private static final Usage SHOW = new Usage("tesseras:show <hash>", 1, 1,
            "the manifest, the fragment plan and which fragments the store holds",
            "<hash>  the tessera hash, or its first characters when they are unique");
    private static final Usage VERIFY = new Usage("tesseras:verify [<hash>]", 0, 1,
            "of a tessera: checks the manifest signature, the plan signature, every fragment's checksum, rebuilds",
            "the payload and checks every file's hash; says which part failed and exits 1 if any did",
            "of fragments stored with tesseras:put (or, without a hash, of every fragment): re-hashes them",
            "<hash>  the tessera hash, or its first characters when they are unique");
    private static final Usage EXPORT = new Usage("tesseras:export <hash> <directory>", 2, 2,
            "writes the tessera's files under their original names into a new (or empty) directory, rebuilding",
            "from the parity fragments when some are missing or damaged; the manifest, its signature and the",
            "creator's key are written beside them; never overwrites; the directory appears whole or not at all");
    private static final Usage DELETE = new Usage("tesseras:delete <hash>", 1, 1,
            "deletes the tessera's fragments from the store and its record; it cannot be undone",
            "<hash>  the tessera hash, or at least its first " + DELETE_PREFIX + " characters");

    private volatile TesseraService tesseras;

    @Reference
    private StorageCommands storage;

    @Reference
    private ReplicationCommands replication;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindTesseras(TesseraService service) {
        tesseras = service;
    }

    void unbindTesseras(TesseraService service) {
        if (tesseras == service) {
            tesseras = null;
        }
    }

    public TesseraCommands() {}

    TesseraCommands(TesseraService service, StorageCommands storage) {
        this.tesseras = service;
        this.storage = storage;
    }

    @Descriptor("make a tessera of files and directories and store its fragments")
    public void create(CommandSession session,
            @Descriptor("<file|directory>...: what to preserve (relative paths and ~ resolve in your directories); --help")
            String... args) {
        List<String> given = new ArrayList<>(args == null ? List.of() : List.of(args));
        boolean publish = given.remove("--publish");
        String[] a = CREATE.parse(session.getConsole(), given.toArray(String[]::new));
        if (a != null) {
            List<Path> inputs = new ArrayList<>();
            for (String arg : a) {
                inputs.add(CommandPaths.resolve(session, arg));
            }
            if (publish) {
                // Refuse before the work, not after: a tessera made but not published is not what was asked.
                replication.require();
            }
            TesseraInfo info = create(session.getConsole(), inputs, Progress.sinkOf(session));
            if (publish) {
                replication.publish(session.getConsole(), info.hash(), Progress.sinkOf(session));
            }
        }
    }

    TesseraInfo create(PrintStream out, List<Path> inputs, Progress.Sink sink) {
        TesseraService service = require();
        TesseraProgressReport progress = new TesseraProgressReport(sink, inputs.size() == 1
                ? String.valueOf(inputs.get(0).getFileName()) : inputs.size() + " inputs");
        long started = System.nanoTime();
        TesseraInfo info;
        try {
            info = service.create(inputs, progress);
        } finally {
            progress.finish();
        }
        double seconds = Math.max(1e-9, (System.nanoTime() - started) / 1e9);
        out.println("Created tessera " + info.hash());
        out.println("  files      " + info.files() + " (" + Units.bytes(info.size()) + ")");
        out.println("  tier       " + tierText(info));
        out.println("  payload    " + Units.bytes(info.payloadLength()) + " tar, fragments of " + Units.bytes(info.shardSize()));
        out.printf(Locale.ROOT, "  took       %.2f s (%s/s)%n", seconds, Units.bytes((long) (info.size() / seconds)));
        return info;
    }

    @Descriptor("list the tesseras created on this node")
    public void tesseras(CommandSession session, @Descriptor("--help") String... args) {
        if (LIST.parse(session.getConsole(), args) != null) {
            list(session.getConsole());
        }
    }

    void list(PrintStream out) {
        TesseraService service = require();
        TextTable table = new TextTable("TESSERA", ">FILES", ">SIZE", "TIER", "CREATED");
        int count = 0;
        ContentHash after = null;
        List<TesseraInfo> page;
        do {
            page = service.list(after, PAGE);
            for (TesseraInfo info : page) {
                table.row(info.hash(), info.files(), Units.bytes(info.size()), info.tier().name().toLowerCase(Locale.ROOT),
                        Units.time(info.created()));
                count++;
                after = info.hash();
            }
            Progress.checkInterruptedUnchecked("tesseras:tesseras");
        } while (page.size() == PAGE);
        out.print(count == 0 ? "No tesseras yet: tesseras:create <file|directory> makes one.\n" : table.toString());
    }

    @Descriptor("show a tessera's manifest, fragment plan and the fragments the store holds")
    public void show(CommandSession session, @Descriptor("<hash>: the tessera hash or a unique prefix; --help") String... args) {
        String[] a = SHOW.parse(session.getConsole(), args);
        if (a != null) {
            show(session.getConsole(), a[0]);
        }
    }

    void show(PrintStream out, String hash) {
        TesseraService service = require();
        TesseraDetails details = service.show(service.resolve(hash).hash());
        TesseraInfo info = details.info();
        Manifest manifest = details.manifest();
        out.println("Tessera  " + info.hash());
        out.println("  creator    " + info.creator());
        out.println("  created    " + info.created());
        out.println("  files      " + info.files() + " (" + Units.bytes(info.size()) + ")");
        out.println("  tier       " + tierText(info));
        out.println("  payload    " + info.payloadLength() + " bytes, fragments of " + info.shardSize() + " bytes");
        out.println("  held       " + details.held() + " of " + info.fragments() + " fragments by the store's index (any "
                + info.tier().dataShards() + " rebuild it; tesseras:verify re-reads their bytes)");
        TextTable files = new TextTable("PATH", "MIME", ">SIZE", "BLAKE3");
        for (ManifestEntry entry : manifest.entries()) {
            files.row(entry.path(), entry.mime(), Units.bytes(entry.size()), entry.hash().toShortHex(16));
        }
        out.println("Manifest");
        out.print(files);
        TextTable fragments = new TextTable(">INDEX", "KIND", "STATE", "CHECKSUM");
        for (FragmentState f : details.fragments()) {
            fragments.row(f.index(), f.parity() ? "parity" : "data", f.state().name().toLowerCase(Locale.ROOT).replace('_', ' '),
                    details.plan().plan().checksums().get(f.index()).toShortHex(16));
        }
        out.println("Fragment plan (signed by the creator: " + (details.plan().verifies() ? "valid" : "INVALID") + ")");
        out.print(fragments);
    }

    @Descriptor("check a tessera (signatures, fragments, every file) or re-hash stored fragments")
    public void verify(CommandSession session, @Descriptor("[<hash>]: a tessera hash or unique prefix; --help") String... args)
            throws IOException {
        String[] a = VERIFY.parse(session.getConsole(), args);
        if (a != null) {
            verify(session.getConsole(), a.length == 0 ? null : a[0], Progress.sinkOf(session));
        }
    }

    void verify(PrintStream out, String hash, Progress.Sink sink) throws IOException {
        TesseraService service = tesseras;
        TesseraInfo info = hash == null || service == null ? null : findTessera(service, hash);
        if (info == null) {
            if (service == null && hash != null) {
                out.println("The tessera service is not running: only the stored fragments' checksums are checked,"
                        + " not the signatures, the plan or the files (lb tessera shows the bundle).");
            }
            storage.verify(out, hash);
            return;
        }
        TesseraProgressReport progress = new TesseraProgressReport(sink, info.hash().toShortHex(12));
        TesseraVerification result;
        try {
            result = service.verify(info.hash(), progress);
        } finally {
            progress.finish();
        }
        out.println("Tessera " + info.hash());
        TextTable table = new TextTable("CHECK", "RESULT", "DETAIL");
        for (TesseraVerification.Check check : result.checks()) {
            table.row(check.part(), check.passed() ? "ok" : "FAILED", check.detail());
        }
        out.print(table);
        long failed = result.checks().stream().filter(c -> !c.passed()).count();
        if (failed > 0) {
            throw new IllegalStateException("Verification FAILED: " + failed + " of " + result.checks().size()
                    + " checks failed (listed above)");
        }
        out.println("Verification passed");
    }

    /** The tessera a hash or prefix names, or null when it names none (raw fragments). */
    private static TesseraInfo findTessera(TesseraService service, String hash) {
        String text = hash.strip();
        if (ContentHash.isValid(text)) {
            return service.find(ContentHash.parse(text)).orElse(null);
        }
        return service.resolve(text);
    }

    @Descriptor("write a tessera's files, under their original names, into a new directory")
    public void export(CommandSession session,
            @Descriptor("<hash> <directory>: the tessera and a directory that does not exist or is empty; --help")
            String... args) {
        String[] a = EXPORT.parse(session.getConsole(), args);
        if (a != null) {
            export(session.getConsole(), a[0], CommandPaths.resolve(session, a[1]), Progress.sinkOf(session));
        }
    }

    void export(PrintStream out, String hash, Path directory, Progress.Sink sink) {
        TesseraService service = require();
        TesseraInfo info = service.resolve(hash);
        TesseraProgressReport progress = new TesseraProgressReport(sink, info.hash().toShortHex(12));
        ExportResult result;
        try {
            result = service.export(info.hash(), directory, progress);
        } finally {
            progress.finish();
        }
        out.println("Exported " + result.files() + " files (" + Units.bytes(result.bytes()) + ") of tessera " + info.hash()
                + " to " + result.directory());
        if (!result.unusableFragments().isEmpty()) {
            out.println("  rebuilt around " + result.unusableFragments().size() + " missing or damaged fragments "
                    + result.unusableFragments() + "; tesseras:verify lists them");
        }
    }

    @Descriptor("delete a tessera's fragments and its record")
    public void delete(CommandSession session, @Descriptor("<hash>: the tessera hash or a unique prefix; --help") String... args) {
        String[] a = DELETE.parse(session.getConsole(), args);
        if (a != null) {
            delete(session.getConsole(), a[0]);
        }
    }

    void delete(PrintStream out, String hash) {
        if (hash.strip().length() < DELETE_PREFIX) {
            throw new IllegalArgumentException("give at least " + DELETE_PREFIX + " characters of the tessera's hash to"
                    + " delete it (a deletion cannot be undone); tesseras:tesseras lists the hashes");
        }
        TesseraService service = require();
        TesseraInfo info = service.resolve(hash);
        if (!service.delete(info.hash())) {
            throw new IllegalStateException("tessera " + info.hash() + " was deleted by another command meanwhile");
        }
        out.println("Deleted tessera " + info.hash() + " (" + info.files() + " files, " + info.fragments() + " fragments)");
    }

    private static String tierText(TesseraInfo info) {
        return switch (info.tier()) {
            case SMALL -> "small: one fragment holding the whole payload";
            case MEDIUM, LARGE -> info.tier().name().toLowerCase(Locale.ROOT) + ": " + info.tier().dataShards() + " data + "
                    + info.tier().parityShards() + " parity fragments (any " + info.tier().dataShards() + " rebuild it)";
        };
    }

    private TesseraService require() {
        TesseraService service = tesseras;
        if (service == null) {
            throw new IllegalStateException("the tessera service is not running; is the tessera bundle active? (try: lb tessera)");
        }
        return service;
    }
}
