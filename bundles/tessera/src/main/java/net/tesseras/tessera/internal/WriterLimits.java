package net.tesseras.tessera.internal;

import java.util.concurrent.Executor;
import net.tesseras.common.internal.BatchWriter;
import net.tesseras.storage.FragmentStore;

/**
 * How hard creating a tessera may push the store: batches stored at once and bytes read ahead of
 * the store. Bounded so that a 10 GiB tessera is stored with a few megabytes of heap.
 *
 * @param concurrentBatches batches the store works on at the same time
 * @param bytesInFlight bytes read from the shards and not yet stored; the reader waits beyond it
 */
record WriterLimits(int concurrentBatches, long bytesInFlight) {

    static final WriterLimits DEFAULT = new WriterLimits(2, 64L << 20);

    BatchWriter writer(FragmentStore store, Executor executor) {
        return new BatchWriter(store, executor, concurrentBatches, bytesInFlight, 24, Math.min(bytesInFlight / 2, 16L << 20));
    }
}
