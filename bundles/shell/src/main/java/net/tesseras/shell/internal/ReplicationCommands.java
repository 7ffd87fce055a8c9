package net.tesseras.shell.internal;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import net.tesseras.core.ContentHash;
import net.tesseras.replication.LedgerEntry;
import net.tesseras.replication.Peer;
import net.tesseras.replication.PeerLookup;
import net.tesseras.replication.RepairReport;
import net.tesseras.replication.ReplicationService;
import net.tesseras.replication.RestoreResult;
import net.tesseras.replication.TesseraStatus;
import net.tesseras.tessera.TesseraService;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * {@code tesseras:*} commands for the network: publish a tessera, repair, restore one from peers,
 * the peer table and the reciprocity ledger. {@code tesseras:status <hash>} (in {@link StorageCommands})
 * prints a tessera's standing through {@link #printStatus}.
 */
@Component(service = ReplicationCommands.class)
@GogoCommand(scope = "tesseras", function = {"publish", "repair", "restore", "peers", "ledger"})
public final class ReplicationCommands {

    private static final Usage PUBLISH = new Usage("tesseras:publish <hash>", 1, 1,
            "places the tessera's fragments on peers: offers each chosen peer the signed fragment plan, sends the",
            "fragments it accepts and prints where the tessera stands; failed transfers are retried in the background",
            "<hash>  the tessera hash, or its first characters when they are unique");
    private static final Usage REPAIR = new Usage("tesseras:repair [<hash>]", 0, 1,
            "runs a repair pass now: asks every holder for a signed attestation and a challenge on real bytes,",
            "rebuilds lost or damaged fragments and places them on new peers; prints what it did",
            "<hash>  one tessera (its hash or a unique prefix); without it, every tessera this node publishes");
    private static final Usage RESTORE = new Usage("tesseras:restore <hash> <directory>", 2, 2,
            "fetches a tessera from the network by its full hash (this node need hold nothing of it), rebuilds it,",
            "checks the plan's and the manifest's signatures and every file, and writes the files into a new (or",
            "empty) directory");
    private static final Usage PEERS = new Usage("tesseras:peers", 0, 0,
            "the peers this node knows: NodeId, address, last seen, consecutive failures, institutional");
    private static final Usage LEDGER = new Usage("tesseras:ledger", 0, 0,
            "the reciprocity ledger: per peer, the bytes this node stores for it, the bytes it stores for this node,",
            "the balance; a peer whose deficit passes ledger.deficit.limit.mb is refused unless institutional");

    private volatile ReplicationService replication;
    private volatile PeerLookup peers;
    private volatile TesseraService tesseras;

    public ReplicationCommands() {}

    ReplicationCommands(ReplicationService replication, PeerLookup peers, TesseraService tesseras) {
        this.replication = replication;
        this.peers = peers;
        this.tesseras = tesseras;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindReplication(ReplicationService service) {
        replication = service;
    }

    void unbindReplication(ReplicationService service) {
        if (replication == service) {
            replication = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindPeers(PeerLookup lookup) {
        peers = lookup;
    }

    void unbindPeers(PeerLookup lookup) {
        if (peers == lookup) {
            peers = null;
        }
    }

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

    @Descriptor("place a tessera's fragments on peers")
    public void publish(CommandSession session, @Descriptor("<hash>: the tessera hash or a unique prefix; --help") String... args) {
        String[] a = PUBLISH.parse(session.getConsole(), args);
        if (a != null) {
            publish(session.getConsole(), resolve(a[0]), Progress.sinkOf(session));
        }
    }

    void publish(PrintStream out, ContentHash hash, Progress.Sink sink) {
        ReplicationService service = require();
        TesseraProgressReport progress = new TesseraProgressReport(sink, "publish " + hash.toShortHex(12));
        TesseraStatus status;
        try {
            status = service.publish(hash, progress);
        } finally {
            progress.finish();
        }
        out.println("Published tessera " + hash);
        printStatus(out, status);
    }

    @Descriptor("run a repair pass now and print what it did")
    public void repair(CommandSession session, @Descriptor("[<hash>]: one tessera (hash or unique prefix); --help") String... args) {
        String[] a = REPAIR.parse(session.getConsole(), args);
        if (a != null) {
            repair(session.getConsole(), a.length == 0 ? Optional.empty() : Optional.of(resolve(a[0])), Progress.sinkOf(session));
        }
    }

    void repair(PrintStream out, Optional<ContentHash> hash, Progress.Sink sink) {
        ReplicationService service = require();
        TesseraProgressReport progress = new TesseraProgressReport(sink, "repair");
        RepairReport report;
        try {
            report = service.repair(hash, progress);
        } finally {
            progress.finish();
        }
        if (report.tesseras().isEmpty()) {
            out.println("Nothing to repair: this node publishes no tessera yet (tesseras:publish <hash>).");
            return;
        }
        for (RepairReport.TesseraRepair r : report.tesseras()) {
            out.println("Tessera " + r.tessera() + ": " + health(r.before()) + " -> " + health(r.after()));
            out.println("  holders asked   " + r.holdersAsked() + ", proofs failed " + r.proofsFailed());
            out.println("  fragments lost  " + r.fragmentsLost() + ", rebuilt here " + r.localRebuilt() + ", placed on peers "
                    + r.fragmentsPlaced());
            for (String note : r.notes()) {
                out.println("  - " + note);
            }
        }
    }

    @Descriptor("fetch a tessera from the network into a new directory")
    public void restore(CommandSession session,
            @Descriptor("<hash> <directory>: the tessera's full hash and a directory that does not exist or is empty; --help")
            String... args) {
        String[] a = RESTORE.parse(session.getConsole(), args);
        if (a != null) {
            restore(session.getConsole(), a[0], CommandPaths.resolve(session, a[1]), Progress.sinkOf(session));
        }
    }

    void restore(PrintStream out, String hash, Path directory, Progress.Sink sink) {
        String text = hash.strip();
        if (!ContentHash.isValid(text)) {
            throw new IllegalArgumentException("'" + hash + "' is not a tessera hash: restoring from the network needs all"
                    + " 64 hexadecimal characters (a prefix names nothing on other nodes)");
        }
        ReplicationService service = require();
        ContentHash tessera = ContentHash.parse(text);
        TesseraProgressReport progress = new TesseraProgressReport(sink, "restore " + tessera.toShortHex(12));
        RestoreResult result;
        try {
            result = service.restore(tessera, directory, progress);
        } finally {
            progress.finish();
        }
        out.println("Restored " + result.export().files() + " files (" + Units.bytes(result.export().bytes()) + ") of tessera "
                + tessera + " to " + result.export().directory());
        out.println("  fetched    " + result.fragmentsFetched() + " fragments (" + Units.bytes(result.bytesFetched()) + ") from "
                + result.peers().size() + " peers");
    }

    @Descriptor("list the peers this node knows")
    public void peers(CommandSession session, @Descriptor("--help") String... args) {
        if (PEERS.parse(session.getConsole(), args) != null) {
            peers(session.getConsole());
        }
    }

    void peers(PrintStream out) {
        PeerLookup lookup = peers;
        if (lookup == null) {
            throw new IllegalStateException("no peer lookup is running; is the replication bundle active? (try: lb replication)");
        }
        List<Peer> known = lookup.peers();
        if (known.isEmpty()) {
            out.println("No peers known yet: list some in bootstrap in etc/net.tesseras.replication.cfg (host:port, ...).");
            return;
        }
        TextTable table = new TextTable("NODEID", "ADDRESS", "LAST SEEN", ">FAILURES", "INSTITUTIONAL");
        for (Peer peer : known) {
            table.row(peer.nodeId().toHex(), peer.addresses().isEmpty() ? "-" : peer.address().getHostString() + ":"
                    + peer.address().getPort(), Units.time(peer.lastSeen()), peer.failures(), peer.institutional() ? "yes" : "");
        }
        out.print(table);
        out.println(known.size() + " peers");
    }

    @Descriptor("show the reciprocity ledger")
    public void ledger(CommandSession session, @Descriptor("--help") String... args) {
        if (LEDGER.parse(session.getConsole(), args) != null) {
            ledger(session.getConsole());
        }
    }

    void ledger(PrintStream out) {
        List<LedgerEntry> entries = require().ledger();
        if (entries.isEmpty()) {
            out.println("The ledger is empty: no fragment has gone to or come from a peer yet.");
            return;
        }
        TextTable table = new TextTable("NODEID", ">STORED FOR THEM", ">THEY STORE FOR US", ">BALANCE", "INSTITUTIONAL");
        for (LedgerEntry e : entries) {
            table.row(e.peer().toHex(), Units.bytes(e.storedForThem()), Units.bytes(e.theyStoreForUs()), signedBytes(e.balance()),
                    e.institutional() ? "yes" : "");
        }
        out.print(table);
    }

    /** A tessera's standing, as {@code tesseras:status <hash>} and {@code tesseras:publish} print it. */
    static void printStatus(PrintStream out, TesseraStatus s) {
        out.println("tessera     " + s.tessera());
        out.println("health      " + health(s.health()));
        if (s.totalFragments() == 1) {
            out.println("fragments   1 whole copy, on " + s.copies() + " peers proven live (1 needed)");
        } else {
            out.println("fragments   " + s.placedFragments() + " placed, " + s.liveFragments() + " live of " + s.totalFragments()
                    + " (" + s.dataShards() + " needed)");
        }
        out.println("holders     " + s.holders().size() + " peers" + (s.pendingPlacements() == 0 ? ""
                : ", " + s.pendingPlacements() + " placements pending (retried in the background)"));
        out.println("survives    " + (s.survivablePeerLosses() < 0 ? "no loss: fewer than " + s.dataShards()
                + " fragments are live on peers" : s.survivablePeerLosses() + " peer losses"));
        out.println("last repair " + s.lastRepair().map(Units::time).orElse("never"));
        if (s.holders().isEmpty()) {
            return;
        }
        TextTable table = new TextTable("PEER", "FRAGMENTS", "LIVE", "LAST PROOF", "RESULT");
        for (TesseraStatus.Holder h : s.holders()) {
            table.row(h.peer().toHex(), indices(h.fragments()), indices(h.live()), h.lastProof().map(Units::time).orElse("never"),
                    h.proof().name().toLowerCase(Locale.ROOT) + (h.detail().isEmpty() ? "" : ": " + h.detail()));
        }
        out.print(table);
    }

    static String health(TesseraStatus.Health health) {
        String name = health.name().toLowerCase(Locale.ROOT);
        return Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }

    private static String indices(List<Integer> indices) {
        return indices.isEmpty() ? "-" : indices.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    private static String signedBytes(long n) {
        return n < 0 ? "-" + Units.bytes(-n) : Units.bytes(n);
    }

    /** The tessera a hash or unique prefix names among this node's tesseras; a full hash is taken as is. */
    ContentHash resolve(String hash) {
        String text = hash.strip();
        if (ContentHash.isValid(text)) {
            return ContentHash.parse(text);
        }
        TesseraService service = tesseras;
        if (service == null) {
            throw new IllegalArgumentException("give the full 64-character hash: the tessera service, which resolves"
                    + " prefixes, is not running");
        }
        return service.resolve(text).hash();
    }

    ReplicationService require() {
        ReplicationService service = replication;
        if (service == null) {
            throw new IllegalStateException("the replication service is not running; is the replication bundle active?"
                    + " (try: lb replication)");
        }
        return service;
    }

    /** The replication service, or null when it is not running. */
    ReplicationService replicationOrNull() {
        return replication;
    }
}
