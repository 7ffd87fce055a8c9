package net.tesseras.tessera.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import net.tesseras.common.internal.BatchWriter;
import net.tesseras.core.ContentHash;
import net.tesseras.erasure.ErasureCoder;
import net.tesseras.identity.NodeIdentity;
import net.tesseras.storage.FragmentConflictException;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.FragmentStoreException;
import net.tesseras.tessera.FragmentPlan;
import net.tesseras.tessera.SignedFragmentPlan;
import net.tesseras.tessera.TesseraException;
import net.tesseras.tessera.TesseraInfo;
import net.tesseras.tessera.TesseraProgress;
import net.tesseras.tessera.Tier;
import net.tesseras.tessera.internal.erasure.EncodedPayload;
import net.tesseras.tessera.internal.erasure.PayloadEncoder;
import net.tesseras.tessera.internal.erasure.ShardLayout;
import net.tesseras.tessera.internal.payload.InputFile;
import net.tesseras.tessera.internal.payload.InputFiles;
import net.tesseras.tessera.internal.payload.MimeDetector;
import net.tesseras.tessera.internal.payload.TesseraInputException;
import net.tesseras.tessera.internal.payload.PayloadWriter;
import net.tesseras.tessera.internal.payload.WrittenPayload;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns files into a stored tessera: the tar payload and its signed manifest, the Reed-Solomon
 * shards and their signed plan, then every fragment through the batch writer. The row is recorded
 * as {@code creating} before the first fragment is stored and made {@code complete} after the last,
 * so a failure or a crash at any point leaves nothing behind (see {@link TesseraTable}).
 */
final class TesseraCreator {

    private static final Logger LOG = LoggerFactory.getLogger(TesseraCreator.class);

    private final TesseraTable table;
    private final Collaborators services;
    private final Path workRoot;
    private final WriterLimits limits;
    private final Executor executor;
    private final Clock clock;
    private final Set<ContentHash> inProgress;
    private final MimeDetector mimeDetector = new MimeDetector();
    private final Consumer<TesseraTable.Row> leftOver;

    TesseraCreator(TesseraTable table, Collaborators services, Path workRoot, WriterLimits limits, Executor executor,
            Clock clock, Set<ContentHash> inProgress, Consumer<TesseraTable.Row> leftOver) {
        this.inProgress = inProgress;
        this.leftOver = leftOver;
        this.table = table;
        this.services = services;
        this.workRoot = workRoot;
        this.limits = limits;
        this.executor = executor;
        this.clock = clock;
    }

    TesseraInfo create(List<Path> inputs, TesseraProgress progress) {
        NodeIdentity identity = services.identity();
        ErasureCoder coder = services.coder();
        FragmentStore store = services.store();
        List<InputFile> files = collect(inputs);
        long total = files.stream().mapToLong(InputFile::size).sum();
        try (WorkDirectory work = WorkDirectory.create(workRoot, "create")) {
            Path tar = work.resolve("payload.tar");
            progress.phase("read", 2 * total);
            Instant created = clock.instant();
            WrittenPayload payload = new PayloadWriter(mimeDetector).write(files, identity.publicKey(), identity::sign,
                    created, tar, progress::advanced);
            ContentHash hash = payload.manifest().contentHash();
            // Claimed before its row is looked at: no other command or recovery works on it meanwhile.
            if (!inProgress.add(hash)) {
                throw busy(hash);
            }
            try {
                return encodeAndStore(hash, payload, tar, work, identity, coder, store, total, progress);
            } finally {
                inProgress.remove(hash);
            }
        } catch (TesseraInputException e) {
            throw new TesseraException(e.getMessage() + "; nothing was kept", e);
        } catch (InterruptedIOException e) {
            throw new TesseraException("creating the tessera was interrupted; nothing was kept", e);
        } catch (IOException e) {
            throw new TesseraException("cannot create the tessera (" + e + "; work directory " + workRoot
                    + ", fragment store " + store + "); nothing was kept", e);
        } catch (UncheckedIOException e) {
            throw new TesseraException("cannot create the tessera: " + e.getMessage(), e);
        }
    }

    /** The rest of a creation, with the tessera claimed: the row, the shards, the fragments, the record made complete. */
    private TesseraInfo encodeAndStore(ContentHash hash, WrittenPayload payload, Path tar, WorkDirectory work,
            NodeIdentity identity, ErasureCoder coder, FragmentStore store, long total, TesseraProgress progress)
            throws IOException {
        Optional<TesseraTable.Row> existing = table.find(hash);
        if (existing.isPresent() && existing.get().state() != TesseraTable.State.COMPLETE) {
            // Left half-done by a command that died (this one holds the claim now): finish undoing it.
            leftOver.accept(existing.get());
            existing = table.find(hash);
        }
        if (existing.isPresent()) {
            throw new TesseraException("a tessera with these files exists already: " + hash + " (created "
                    + existing.get().info().created() + "); the content hash covers the files' bytes only, so the same"
                    + " files make the same tessera. tesseras:show " + hash.toShortHex(12) + " describes it");
        }
        Tier tier = Tier.forPayload(payload.payloadLength());
        ShardLayout layout = new ShardLayout(tier.dataShards(), tier.parityShards(), payload.payloadLength());
        progress.phase("encode", payload.payloadLength());
        try (EncodedPayload encoded = new PayloadEncoder(coder).encode(tar, layout, work.path(), progress::advanced)) {
            FragmentPlan plan = new FragmentPlan(hash, tier, tier.dataShards(), tier.parityShards(),
                    encoded.shardSize(), payload.payloadLength(), encoded.checksums(), identity.publicKey());
            SignedFragmentPlan signed = SignedFragmentPlan.sign(plan, identity::sign);
            TesseraInfo info = new TesseraInfo(hash, HexFormat.of().formatHex(identity.publicKey()),
                    payload.manifest().created(), payload.manifest().entries().size(), total, tier,
                    payload.payloadLength(), encoded.shardSize());
            if (!table.insertCreating(info, payload.manifestBytes(), payload.signature(), signed.toBytes())) {
                throw new TesseraException("tessera " + hash + " was recorded by another command meanwhile;"
                        + " tesseras:show " + hash.toShortHex(12) + " describes it");
            }
            storeFragments(store, plan, encoded, progress);
            LOG.info("Created tessera {}: {} files, {} bytes, tier {} ({} fragments of {} bytes)", hash,
                    info.files(), total, tier, tier.totalShards(), encoded.shardSize());
            return info;
        }
    }

    private static List<InputFile> collect(List<Path> inputs) {
        try {
            return new InputFiles().collect(inputs);
        } catch (TesseraInputException e) {
            throw new TesseraException(e.getMessage(), e);
        }
    }

    /** The answer to a command on a tessera another command holds. */
    static TesseraException busy(ContentHash hash) {
        return new TesseraException("tessera " + hash + " is being created or deleted by another command;"
                + " try again when it has finished");
    }

    private void storeFragments(FragmentStore store, FragmentPlan plan, EncodedPayload encoded, TesseraProgress progress)
            throws IOException {
        ContentHash hash = plan.tessera();
        int total = plan.checksums().size();
        progress.phase("store", encoded.shardSize() * total);
        BatchWriter writer = limits.writer(store, executor);
        boolean done = false;
        try {
            for (int index = 0; index < total; index++) {
                ReadableByteChannel shard = Channels.counting(encoded.open(index), progress::advanced);
                try (shard) {
                    writer.write(plan.fragmentId(index), shard, encoded.shardSize());
                }
            }
            writer.finish();
            if (!table.transition(hash, TesseraTable.State.CREATING, TesseraTable.State.COMPLETE)) {
                throw new TesseraException("the record of tessera " + hash + " changed while its fragments were stored;"
                        + " nothing was kept");
            }
            done = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("creating tessera " + hash + " was interrupted; nothing was kept");
        } catch (FragmentConflictException e) {
            throw new TesseraException("the store already holds fragments of tessera " + hash
                    + " with other bytes (stored by tesseras:put, or received from a peer): " + e.getMessage(), e);
        } catch (FragmentStoreException e) {
            throw new TesseraException("storing tessera " + hash + " failed: " + e.getMessage() + "; nothing was kept", e);
        } finally {
            if (!done) {
                // Undone on another thread and waited for without interruption: an interrupted command
                // (Ctrl-C, possibly more than once) must not interrupt its own clean-up, since file
                // channels refuse to work for an interrupted thread.
                CompletableFuture.runAsync(() -> {
                    writer.abort();
                    Undo.Removed removed = Undo.removeFragments(store, plan, LOG);
                    if (removed.complete()) {
                        table.remove(hash);
                    }
                    LOG.info("Creating tessera {} did not finish: removed {} stored fragments{}", hash, removed.removed(),
                            removed.complete() ? " and its record" : "; the record stays for the next start to finish");
                }, task -> {
                    Thread undo = new Thread(task, "tesseras-tessera-undo");
                    undo.setDaemon(true);
                    undo.start();
                }).exceptionally(e -> {
                    LOG.error("Could not undo the unfinished creation of tessera {}: {}; the next start finishes it",
                            hash, e.getMessage(), e);
                    return null;
                }).join();
            }
        }
    }
}
