package net.tesseras.tessera.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.stream.Collectors;
import net.tesseras.core.ContentHash;
import net.tesseras.identity.Ed25519;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.VerifyResult;
import net.tesseras.tessera.ContentHashes;
import net.tesseras.tessera.ExportResult;
import net.tesseras.tessera.FragmentPlan;
import net.tesseras.tessera.Manifest;
import net.tesseras.tessera.SignedFragmentPlan;
import net.tesseras.tessera.TesseraDetails;
import net.tesseras.tessera.TesseraDetails.FragmentState;
import net.tesseras.tessera.TesseraException;
import net.tesseras.tessera.TesseraFormatException;
import net.tesseras.tessera.TesseraInfo;
import net.tesseras.tessera.TesseraNotFoundException;
import net.tesseras.tessera.TesseraProgress;
import net.tesseras.tessera.TesseraService;
import net.tesseras.tessera.TesseraVerification;
import net.tesseras.tessera.TesseraVerification.Check;
import net.tesseras.tessera.internal.payload.PayloadCheck;
import net.tesseras.tessera.internal.payload.PayloadException;
import net.tesseras.tessera.internal.payload.PayloadProblem;
import net.tesseras.tessera.internal.payload.PayloadReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The node's {@link TesseraService}: the table of tesseras, and the store and coder it is wired to. */
final class NodeTesseras implements TesseraService {

    private static final Logger LOG = LoggerFactory.getLogger(NodeTesseras.class);

    /** Prefix matches looked up at most; two are enough to call a prefix ambiguous. */
    private static final int PREFIX_MATCHES = 2;

    private final TesseraTable table;
    private final Collaborators services;
    private final Path workRoot;
    private final TesseraCreator creator;
    private final FragmentRebuilder rebuilder;
    private final TesseraAdopter adopter;
    /**
     * Tesseras a command is creating, deleting or finishing now, claimed before their row is looked
     * at: recovery and other commands leave them alone. Owned by the component, so that a new
     * configuration (a new instance of this class) does not forget commands still running.
     */
    private final Set<ContentHash> inProgress;

    NodeTesseras(TesseraTable table, Collaborators services, Path workRoot, WriterLimits limits, Executor executor,
            Clock clock) {
        this(table, services, workRoot, limits, executor, clock, ConcurrentHashMap.newKeySet());
    }

    NodeTesseras(TesseraTable table, Collaborators services, Path workRoot, WriterLimits limits, Executor executor,
            Clock clock, Set<ContentHash> inProgress) {
        this.inProgress = inProgress;
        this.table = table;
        this.services = services;
        this.workRoot = workRoot;
        this.creator = new TesseraCreator(table, services, workRoot, limits, executor, clock, inProgress, this::finishLeftOver);
        this.rebuilder = new FragmentRebuilder(services, workRoot, limits, executor);
        this.adopter = new TesseraAdopter(table, services, workRoot, inProgress);
    }

    Path workRoot() {
        return workRoot;
    }

    @Override
    public TesseraInfo create(List<Path> inputs, TesseraProgress progress) {
        try {
            return creator.create(inputs, orNone(progress));
        } catch (TesseraException e) {
            LOG.warn("Creating a tessera of {} failed: {}", inputs, e.getMessage());
            throw e;
        }
    }

    @Override
    public List<TesseraInfo> list(ContentHash after, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("a page holds at least one tessera, not " + limit);
        }
        return table.list(after, limit);
    }

    @Override
    public Optional<TesseraInfo> find(ContentHash hash) {
        return complete(hash).map(TesseraTable.Row::info);
    }

    @Override
    public TesseraInfo resolve(String hashOrPrefix) {
        String prefix = hashOrPrefix == null ? "" : hashOrPrefix.strip().toLowerCase(Locale.ROOT);
        if (prefix.isEmpty() || prefix.length() > ContentHash.LENGTH * 2 || !prefix.chars().allMatch(HexFormat::isHexDigit)) {
            throw new TesseraNotFoundException("'" + hashOrPrefix + "' is not a tessera hash: give the 64 hex characters"
                    + " tesseras:tesseras lists, or the first few of them");
        }
        List<TesseraInfo> matches = table.withPrefix(prefix, PREFIX_MATCHES);
        if (matches.isEmpty()) {
            throw new TesseraNotFoundException("no tessera on this node has a hash starting with " + prefix
                    + " (tesseras:tesseras lists them)");
        }
        if (matches.size() > 1) {
            throw new TesseraNotFoundException("several tesseras have a hash starting with " + prefix + " ("
                    + matches.get(0).hash().toShortHex(12) + "…, " + matches.get(1).hash().toShortHex(12)
                    + "…); give more characters");
        }
        return matches.get(0);
    }

    @Override
    public TesseraDetails show(ContentHash hash) {
        TesseraTable.Row row = require(hash);
        SignedFragmentPlan plan = plan(row);
        return new TesseraDetails(row.info(), manifest(row), plan, fragmentStates(services.store(), plan.plan()));
    }

    private static List<FragmentState> fragmentStates(FragmentStore store, FragmentPlan plan) {
        Map<Integer, FragmentInfo> held = PayloadRestorer.heldByIndex(store, plan.tessera());
        List<FragmentState> states = new ArrayList<>();
        for (int index = 0; index < plan.checksums().size(); index++) {
            FragmentInfo info = held.get(index);
            FragmentState.State state = info == null ? FragmentState.State.MISSING
                    : info.id().checksum().equals(plan.checksums().get(index)) ? FragmentState.State.HELD
                    : FragmentState.State.OTHER_CHECKSUM;
            states.add(new FragmentState(index, index >= plan.dataShards(), state));
        }
        return states;
    }

    @Override
    public TesseraVerification verify(ContentHash hash, TesseraProgress progress) {
        TesseraTable.Row row = require(hash);
        List<Check> checks = new ArrayList<>();
        byte[] creatorKey = creatorKey(row);
        Manifest manifest = null;
        try {
            manifest = Manifest.parse(row.manifest());
            checks.add(new Check("manifest", true, manifest.entries().size() + " files, created " + manifest.created()));
        } catch (TesseraFormatException e) {
            checks.add(new Check("manifest", false, "does not parse: " + e.getMessage()));
        }
        boolean signed = creatorKey.length == Ed25519.PUBLIC_KEY_LENGTH
                && Ed25519.verify(creatorKey, row.manifest(), row.manifestSignature());
        checks.add(new Check("manifest signature", signed, signed ? "valid, by creator " + row.info().creator()
                : "INVALID: the manifest or its signature was altered, or another key signed it"));
        if (manifest != null) {
            ContentHash recomputed = ContentHashes.of(manifest.entries().stream().map(e -> e.hash()).toList());
            boolean same = recomputed.equals(hash) && manifest.contentHash().equals(hash);
            checks.add(new Check("content hash", same, same ? hash.toHex()
                    : "the manifest's file hashes give " + recomputed + ", its content_hash line says "
                            + manifest.contentHash() + ", the tessera is " + hash));
        }
        SignedFragmentPlan plan = null;
        try {
            plan = SignedFragmentPlan.parse(row.plan());
            boolean planOk = plan.verifies() && plan.plan().tessera().equals(hash)
                    && java.util.Arrays.equals(plan.plan().creatorKey(), creatorKey);
            checks.add(new Check("fragment plan", planOk, planOk
                    ? plan.plan().tier().name().toLowerCase(Locale.ROOT) + ", " + plan.plan().dataShards() + " data + " + plan.plan().parityShards()
                            + " parity fragments of " + plan.plan().shardSize() + " bytes, signature valid"
                    : "INVALID: its signature does not verify, or it names another tessera or creator"));
        } catch (TesseraFormatException e) {
            checks.add(new Check("fragment plan", false, "does not parse: " + e.getMessage()));
        }
        if (plan == null) {
            return new TesseraVerification(hash, checks);
        }
        FragmentStore store = services.store();
        Set<Integer> notGood = new java.util.TreeSet<>();
        try {
            checks.addAll(fragmentChecks(store, plan.plan(), notGood));
        } catch (RuntimeException e) {
            checks.add(new Check("fragments", false, "the store could not check them: " + e.getMessage()));
            return new TesseraVerification(hash, checks);
        }
        try (WorkDirectory work = WorkDirectory.create(workRoot, "verify")) {
            // Rebuilt from the fragments whose stored bytes were just found good: a copy the cache
            // still holds of a fragment gone from the disk must not make the tessera look rebuildable.
            PayloadRestorer.Restored restored = PayloadRestorer.restore(store, services.coder(), plan.plan(), work,
                    orNone(progress), notGood);
            checks.add(new Check("rebuild", true, "payload of " + plan.plan().payloadLength() + " bytes rebuilt"
                    + (restored.unusable().isEmpty() ? " from the data fragments"
                            : " around unusable fragments " + restored.unusable())));
            try (InputStream in = Files.newInputStream(restored.payload())) {
                PayloadCheck payload = new PayloadReader().check(in);
                checks.add(new Check("files", payload.ok(), payload.ok()
                        ? payload.memories().size() + " files, every one as its manifest entry says; manifest in the"
                                + " payload signed by its creator"
                        : payload.problems().size() + " problems in the rebuilt payload, listed below"));
                for (PayloadProblem problem : payload.problems()) {
                    checks.add(new Check(problem.part(), false, problem.problem()));
                }
            }
        } catch (TesseraException e) {
            checks.add(new Check("rebuild", false, e.getMessage()));
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof java.io.InterruptedIOException) {
                throw e; // Ctrl-C: the verification did not fail, it was stopped
            }
            checks.add(new Check("rebuild", false, "cannot rebuild the payload: " + e.getMessage()));
        } catch (IOException e) {
            checks.add(new Check("rebuild", false, "cannot rebuild the payload: " + e.getMessage()));
        }
        return new TesseraVerification(hash, checks);
    }

    /**
     * One check for all good fragments, one per fragment that is missing, altered or damaged; the
     * indices of those go into {@code notGood}.
     */
    private static List<Check> fragmentChecks(FragmentStore store, FragmentPlan plan, Set<Integer> notGood) {
        Map<Integer, VerifyResult> results = store.verify(plan.tessera()).stream()
                .collect(Collectors.toMap(r -> r.id().index(), Function.identity(), (a, b) -> a));
        List<Check> bad = new ArrayList<>();
        int good = 0;
        for (int index = 0; index < plan.checksums().size(); index++) {
            VerifyResult result = results.get(index);
            String part = "fragment " + index + (index >= plan.dataShards() ? " (parity)" : " (data)");
            if (result == null || !result.ok() || !result.id().checksum().equals(plan.checksums().get(index))) {
                notGood.add(index);
            }
            if (result == null || result.status() == VerifyResult.Status.MISSING) {
                bad.add(new Check(part, false, "missing from the store"));
            } else if (!result.id().checksum().equals(plan.checksums().get(index))) {
                bad.add(new Check(part, false, "the store holds other bytes (checksum " + result.id().checksum()
                        + ", the plan says " + plan.checksums().get(index) + ")"));
            } else if (!result.ok()) {
                bad.add(new Check(part, false, "damaged: " + result.detail()));
            } else {
                good++;
            }
        }
        List<Check> checks = new ArrayList<>();
        String rebuildable = good >= plan.dataShards()
                ? "; still enough to rebuild the tessera (" + plan.dataShards() + " needed)"
                : "; TOO FEW to rebuild the tessera (" + plan.dataShards() + " needed): store the missing ones again";
        checks.add(new Check("fragments", bad.isEmpty(), good + " of " + plan.checksums().size()
                + " fragments good" + (bad.isEmpty() ? "" : rebuildable)));
        checks.addAll(bad);
        return checks;
    }

    @Override
    public ExportResult export(ContentHash hash, Path destination, TesseraProgress progress) {
        TesseraTable.Row row = require(hash);
        checkDestination(destination);
        SignedFragmentPlan plan = plan(row);
        try (WorkDirectory work = WorkDirectory.create(workRoot, "export")) {
            PayloadRestorer.Restored restored = PayloadRestorer.restore(services.store(), services.coder(), plan.plan(),
                    work, orNone(progress), Set.of());
            try (InputStream in = Files.newInputStream(restored.payload())) {
                var exported = new PayloadReader().export(in, destination);
                return new ExportResult(exported.destination(), exported.files(), exported.bytes(), restored.unusable());
            }
        } catch (PayloadException | IOException | UncheckedIOException e) {
            throw new TesseraException("cannot export tessera " + hash + " to " + destination + ": " + e.getMessage(), e);
        }
    }

    private static void checkDestination(Path destination) {
        if (Files.exists(destination)) {
            boolean empty;
            try (var entries = Files.list(destination)) {
                empty = Files.isDirectory(destination) && entries.findAny().isEmpty();
            } catch (IOException e) {
                empty = false;
            }
            if (!empty) {
                throw new TesseraException(destination + " exists and is not an empty directory; export never"
                        + " overwrites: name a new directory");
            }
        }
    }

    @Override
    public boolean delete(ContentHash hash) {
        Optional<TesseraTable.Row> row = complete(hash);
        if (row.isEmpty()) {
            return false;
        }
        FragmentStore store = services.store();
        FragmentPlan plan = plan(row.get()).plan();
        if (!inProgress.add(hash)) {
            throw TesseraCreator.busy(hash);
        }
        try {
            if (!table.transition(hash, TesseraTable.State.COMPLETE, TesseraTable.State.DELETING)) {
                return false;
            }
            Undo.Removed removed = Undo.removeFragments(store, plan, LOG);
            if (!removed.complete()) {
                throw new TesseraException("could not delete " + removed.failed() + " fragments of tessera " + hash
                        + " (the log names them); its record stays marked for deletion and the next start tries again");
            }
            table.remove(hash);
            LOG.info("Deleted tessera {} and {} of its fragments", hash, removed.removed());
            return true;
        } finally {
            inProgress.remove(hash);
        }
    }

    /**
     * Finishes what a crash interrupted: rows left {@code creating} or {@code deleting} lose their
     * fragments and their record. A row another command holds is left alone; one that cannot be
     * finished now is logged and kept for the next try.
     *
     * @return whether every row could be finished
     */
    boolean recover() {
        boolean all = true;
        for (TesseraTable.Row row : table.unfinished()) {
            ContentHash hash = row.info().hash();
            if (!inProgress.add(hash)) {
                continue;
            }
            try {
                finishLeftOver(row);
            } catch (RuntimeException e) {
                all = false;
                LOG.error("Could not finish tessera {}, left {} by an interrupted command: {}; will try again", hash,
                        row.state().sql(), e.getMessage(), e);
            } finally {
                inProgress.remove(hash);
            }
        }
        return all;
    }

    /**
     * Undoes a creation or finishes a deletion that a dead command (crash, kill) left half-done.
     * The caller holds the tessera in {@link #inProgress}.
     */
    void finishLeftOver(TesseraTable.Row row) {
        Undo.Removed removed = Undo.removeFragments(services.store(), plan(row).plan(), LOG);
        if (!removed.complete()) {
            throw new TesseraException("could not delete " + removed.failed() + " fragments of tessera " + row.info().hash());
        }
        table.remove(row.info().hash());
        LOG.warn("Tessera {} was left {} by an interrupted command: removed its {} stored fragments and its record",
                row.info().hash(), row.state().sql(), removed.removed());
    }

    private Optional<TesseraTable.Row> complete(ContentHash hash) {
        return table.find(hash).filter(r -> r.state() == TesseraTable.State.COMPLETE);
    }

    private TesseraTable.Row require(ContentHash hash) {
        return complete(hash).orElseThrow(() -> new TesseraNotFoundException("this node has no tessera " + hash
                + " (tesseras:tesseras lists them)"));
    }

    /** The creator's key as recorded; a damaged record gives an empty key, which no signature verifies with. */
    private static byte[] creatorKey(TesseraTable.Row row) {
        try {
            return HexFormat.of().parseHex(row.info().creator());
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }

    /** The stored plan; the database is ours, so one that does not parse is damage, said as such. */
    private static SignedFragmentPlan plan(TesseraTable.Row row) {
        try {
            return SignedFragmentPlan.parse(row.plan());
        } catch (TesseraFormatException e) {
            throw new TesseraException("the fragment plan recorded for tessera " + row.info().hash()
                    + " is damaged: " + e.getMessage() + "; tesseras:verify shows what else is", e);
        }
    }

    private static Manifest manifest(TesseraTable.Row row) {
        try {
            return Manifest.parse(row.manifest());
        } catch (TesseraFormatException e) {
            throw new TesseraException("the manifest recorded for tessera " + row.info().hash()
                    + " is damaged: " + e.getMessage() + "; tesseras:verify shows what else is", e);
        }
    }

    private static TesseraProgress orNone(TesseraProgress progress) {
        return progress == null ? TesseraProgress.NONE : progress;
    }

    @Override
    public java.util.SortedSet<Integer> rebuild(SignedFragmentPlan plan, Set<Integer> indices, TesseraProgress progress) {
        try {
            return rebuilder.rebuild(plan, Set.copyOf(indices), orNone(progress));
        } catch (TesseraException e) {
            LOG.warn("Rebuilding fragments {} failed: {}", indices, e.getMessage());
            throw e;
        }
    }

    @Override
    public TesseraInfo adopt(SignedFragmentPlan plan, TesseraProgress progress) {
        try {
            return adopter.adopt(plan, orNone(progress));
        } catch (TesseraException e) {
            LOG.warn("Adopting a tessera failed: {}", e.getMessage());
            throw e;
        }
    }
}
