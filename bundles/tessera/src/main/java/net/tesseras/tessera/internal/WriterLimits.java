package net.tesseras.tessera.internal;

import java.util.concurrent.Executor;
import net.tesseras.common.internal.BatchWriter;
import net.tesseras.storage.FragmentStore;
import net.tesseras.tessera.Tier;

/**
 * How hard creating a tessera may push the store: batches stored at once and bytes read ahead of
 * the store. Bounded so that a 10 GiB tessera is stored with a few megabytes of heap.
 *
 * @param concurrentBatches batches the store works on at the same time
 * @param bytesInFlight bytes read from the shards and not yet stored; the reader waits beyond it
 */
record WriterLimits(int concurrentBatches, long bytesInFlight) {

    static final WriterLimits DEFAULT = new WriterLimits(2, 64L << 20);

    /** Batches hold up to the 72 fragments of the largest tier, and half the bytes in flight up to 16 MiB. */
    BatchWriter writer(FragmentStore store, Executor executor) {
        long batchBytes = Math.max(1, Math.min(bytesInFlight / 2, 16L << 20));
        return new BatchWriter(store, executor, new BatchWriter.Limits(concurrentBatches, bytesInFlight,
                Tier.LARGE.totalShards(), batchBytes));
    }
}
