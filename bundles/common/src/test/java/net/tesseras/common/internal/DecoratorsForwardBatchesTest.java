package net.tesseras.common.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.tesseras.common.metrics.internal.MeasuredFragmentStore;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;
import net.tesseras.storage.FragmentBytes;
import org.junit.jupiter.api.Test;

/** A batch through the metrics wrapper reaches the backend as one storeAll, not fragment by fragment. */
class DecoratorsForwardBatchesTest {

    @Test
    void theMetricsWrapperHandsABatchToTheBackendWhole() throws Exception {
        MemoryStore backend = new MemoryStore();
        MeasuredFragmentStore measured = new MeasuredFragmentStore("m", backend);
        ContentHash tessera = Blake3Hashing.hash(new byte[] {1, 'd'});
        List<FragmentBytes> batch = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            byte[] bytes = new byte[] {(byte) i, 2, 3};
            batch.add(new FragmentBytes(new FragmentId(tessera, i, false, Blake3Hashing.hash(bytes)), ByteBuffer.wrap(bytes)));
        }
        assertEquals(5, measured.storeAll(batch).size());
        assertEquals(1, backend.batches.size());

        BatchWriter writer = new BatchWriter(measured, Runnable::run);
        for (FragmentBytes f : batch) {
            writer.write(f.id(), f.data());
        }
        assertEquals(5, writer.finish().size());
        assertEquals(2, backend.batches.size(), "the writer's one batch went through the wrapper whole");
    }
}
