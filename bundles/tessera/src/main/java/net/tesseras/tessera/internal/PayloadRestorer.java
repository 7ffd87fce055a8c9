package net.tesseras.tessera.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import net.tesseras.core.ContentHash;
import net.tesseras.erasure.ErasureCoder;
import net.tesseras.erasure.InsufficientShardsException;
import net.tesseras.storage.FragmentInfo;
import net.tesseras.storage.FragmentStore;
import net.tesseras.tessera.FragmentPlan;
import net.tesseras.tessera.TesseraException;
import net.tesseras.tessera.TesseraProgress;
import net.tesseras.tessera.internal.erasure.PayloadDecoder;
import net.tesseras.tessera.internal.erasure.PayloadEncoder;
import net.tesseras.tessera.internal.erasure.ShardLayout;

/**
 * Rebuilds a tessera's tar payload from the fragments in the store into a file of the work
 * directory: from the data fragments alone when they are all good, otherwise through Reed-Solomon
 * from any {@code dataShards} good fragments. A fragment the index does not hold with the plan's
 * checksum is never opened; one whose bytes fail the checksum is left out by the decoder.
 */
final class PayloadRestorer {

    /** The rebuilt payload and the fragments that could not be used. */
    record Restored(Path payload, List<Integer> unusable) {}

    private PayloadRestorer() {}

    /** What the store's index holds of a tessera, by fragment index. */
    static Map<Integer, FragmentInfo> heldByIndex(FragmentStore store, ContentHash tessera) {
        return store.fragments(tessera).stream()
                .collect(Collectors.toMap(f -> f.id().index(), Function.identity(), (a, b) -> a));
    }

    /** @param skip fragments not to use, whatever the index says (found damaged or missing just before) */
    static Restored restore(FragmentStore store, ErasureCoder coder, FragmentPlan plan, WorkDirectory work,
            TesseraProgress progress, java.util.Collection<Integer> skip) throws IOException {
        ContentHash hash = plan.tessera();
        Map<Integer, FragmentInfo> held = heldByIndex(store, hash);
        List<Integer> unusable = new ArrayList<>();
        for (int index = 0; index < plan.checksums().size(); index++) {
            FragmentInfo info = held.get(index);
            if (info == null || !info.id().checksum().equals(plan.checksums().get(index)) || skip.contains(index)) {
                unusable.add(index);
            }
        }
        ShardLayout layout = new ShardLayout(plan.dataShards(), plan.parityShards(), plan.payloadLength());
        Path payload = work.resolve("payload.tar");
        progress.phase("rebuild", plan.payloadLength());
        try (FileChannel out = FileChannel.open(payload, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            Map<Integer, String> skipped = new PayloadDecoder(coder, PayloadEncoder.DEFAULT_WINDOW, work.path())
                    .decode(layout, plan.checksums(), new StoreShardSource(store, hash, unusable), out, progress::advanced);
            // The index's view (not held, other checksum) and the decoder's (missing or damaged on disk).
            TreeSet<Integer> all = new TreeSet<>(unusable);
            all.addAll(skipped.keySet());
            return new Restored(payload, List.copyOf(all));
        } catch (InsufficientShardsException e) {
            throw new TesseraException("tessera " + hash + " cannot be rebuilt: " + e.getMessage()
                    + "; the store holds too few good fragments (tesseras:verify " + hash.toShortHex(12) + " lists them)", e);
        }
    }
}
