package net.tesseras.tessera.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import net.tesseras.common.internal.BatchWriter;
import net.tesseras.core.ContentHash;
import net.tesseras.erasure.InsufficientShardsException;
import net.tesseras.storage.FragmentStore;
import net.tesseras.storage.FragmentStoreException;
import net.tesseras.storage.VerifyResult;
import net.tesseras.tessera.FragmentPlan;
import net.tesseras.tessera.SignedFragmentPlan;
import net.tesseras.tessera.TesseraException;
import net.tesseras.tessera.TesseraProgress;
import net.tesseras.tessera.internal.erasure.PayloadDecoder;
import net.tesseras.tessera.internal.erasure.PayloadEncoder;
import net.tesseras.tessera.internal.erasure.ShardLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Regenerates fragments of a tessera the store lacks or holds damaged, from other good fragments
 * in the store, through Reed-Solomon; every regenerated fragment matches the signed plan's checksum
 * before it is stored. Used by repair (local bit rot, fragments to place again) and by restore.
 */
final class FragmentRebuilder {

    private static final Logger LOG = LoggerFactory.getLogger(FragmentRebuilder.class);

    private final Collaborators services;
    private final Path workRoot;
    private final WriterLimits limits;
    private final Executor executor;

    FragmentRebuilder(Collaborators services, Path workRoot, WriterLimits limits, Executor executor) {
        this.services = services;
        this.workRoot = workRoot;
        this.limits = limits;
        this.executor = executor;
    }

    SortedSet<Integer> rebuild(SignedFragmentPlan signed, Set<Integer> indices, TesseraProgress progress) {
        FragmentPlan plan = requireSigned(signed, "rebuild fragments");
        ContentHash hash = plan.tessera();
        for (int index : indices) {
            if (index < 0 || index >= plan.totalShards()) {
                throw new TesseraException("fragment " + index + " is not one of tessera " + hash + ", whose plan has "
                        + plan.totalShards() + " fragments (0.." + (plan.totalShards() - 1) + ")");
            }
        }
        FragmentStore store = services.store();
        // verify() re-reads and re-hashes: the index alone cannot tell bit rot from a good fragment.
        Map<Integer, VerifyResult> held = new TreeMap<>();
        for (VerifyResult result : store.verify(hash)) {
            held.putIfAbsent(result.id().index(), result);
        }
        Set<Integer> notGood = new TreeSet<>();
        for (int index = 0; index < plan.totalShards(); index++) {
            VerifyResult result = held.get(index);
            if (result == null || !result.ok() || !result.id().checksum().equals(plan.checksums().get(index))) {
                notGood.add(index);
            }
        }
        SortedSet<Integer> targets = new TreeSet<>(indices);
        targets.retainAll(notGood);
        if (targets.isEmpty()) {
            return Collections.emptySortedSet();
        }
        int good = plan.totalShards() - notGood.size();
        ShardLayout layout = new ShardLayout(plan.dataShards(), plan.parityShards(), plan.payloadLength());
        try (WorkDirectory work = WorkDirectory.create(workRoot, "rebuild")) {
            progress.phase("rebuild", plan.shardSize() * targets.size());
            Map<Integer, Path> rebuilt;
            try {
                rebuilt = new PayloadDecoder(services.coder(), PayloadEncoder.DEFAULT_WINDOW, work.path())
                        .rebuild(layout, plan.checksums(), new StoreShardSource(store, hash, notGood), targets, work.path());
            } catch (InsufficientShardsException e) {
                throw new TesseraException("cannot rebuild fragments " + targets + " of tessera " + hash + ": the store"
                        + " holds " + good + " good fragments and " + plan.dataShards() + " are needed (" + e.getMessage()
                        + "); fetch more fragments from peers first", e);
            }
            progress.advanced(plan.shardSize() * targets.size());
            store(store, plan, rebuilt, held.keySet(), progress);
            LOG.info("Rebuilt fragments {} of tessera {} from {} good fragments", targets, hash, good);
            return Collections.unmodifiableSortedSet(targets);
        } catch (InterruptedIOException e) {
            throw new TesseraException("rebuilding fragments of tessera " + hash + " was interrupted; the fragments"
                    + " stored before stay, the others are still missing", e);
        } catch (IOException | UncheckedIOException e) {
            throw new TesseraException("cannot rebuild fragments " + targets + " of tessera " + hash + ": "
                    + e.getMessage(), e);
        }
    }

    /** Replaces what the store holds under each index (damaged or foreign bytes) by the rebuilt fragment. */
    private void store(FragmentStore store, FragmentPlan plan, Map<Integer, Path> rebuilt, Set<Integer> indexed,
            TesseraProgress progress) throws IOException {
        progress.phase("store", plan.shardSize() * rebuilt.size());
        BatchWriter writer = limits.writer(store, executor);
        boolean done = false;
        try {
            for (Map.Entry<Integer, Path> fragment : rebuilt.entrySet()) {
                int index = fragment.getKey();
                if (indexed.contains(index)) {
                    // A damaged copy of the same checksum would be replaced by store(), but bytes of
                    // another checksum would conflict: deleting first replaces both the same way.
                    store.delete(plan.tessera(), index);
                }
                ReadableByteChannel shard = Channels.counting(FileChannel.open(fragment.getValue(), StandardOpenOption.READ),
                        progress::advanced);
                try (shard) {
                    writer.write(plan.fragmentId(index), shard, plan.shardSize());
                }
            }
            writer.finish();
            done = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("storing rebuilt fragments of tessera " + plan.tessera() + " was interrupted");
        } catch (FragmentStoreException e) {
            throw new TesseraException("storing rebuilt fragments of tessera " + plan.tessera() + " failed: "
                    + e.getMessage(), e);
        } finally {
            if (!done) {
                writer.abort();
            }
        }
    }

    /** The plan, once its creator's signature is checked. */
    static FragmentPlan requireSigned(SignedFragmentPlan signed, String what) {
        if (signed == null) {
            throw new TesseraException("no fragment plan given: cannot " + what);
        }
        if (!signed.verifies()) {
            throw new TesseraException("the fragment plan of tessera " + signed.plan().tessera() + " is not signed by"
                    + " its creator key " + java.util.HexFormat.of().formatHex(signed.plan().creatorKey())
                    + " (altered or damaged); refusing to " + what + " from it: get the plan again from its creator");
        }
        return signed.plan();
    }
}
