package net.tesseras.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.tesseras.cache.internal.CacheSettings;
import net.tesseras.cache.internal.CacheSettings.Policy;
import net.tesseras.cache.internal.CacheStatistics;
import net.tesseras.cache.internal.CachingFragmentStore;
import net.tesseras.cache.internal.FragmentCache;
import net.tesseras.core.Blake3Hashing;
import net.tesseras.core.ContentHash;

/**
 * Two measurements that are counts rather than times, run as a program:
 *
 * <ul>
 *   <li>{@code footprint}: one cache with a 64 MiB budget in front of 1, 10 and 100 stores, each
 *       read through 96 MiB of distinct fragments: the bytes the cache accounts for, and the heap
 *       actually retained after a full GC, against the budget;
 *   <li>{@code hitratio}: the hit ratio of lru and tiered on the same Zipf-distributed trace.
 * </ul>
 *
 * <p>Run: {@code java -Xmx2g -cp bench/target/benchmarks.jar net.tesseras.bench.CacheSimulations}
 */
public final class CacheSimulations {

    private static final ContentHash T = Blake3Hashing.hash(new byte[] {7});

    private CacheSimulations() {}

    public static void main(String[] args) {
        footprint();
        hitRatio();
    }

    static void footprint() {
        long budget = 64L << 20;
        int fragmentSize = 16 * 1024;
        long perStore = 96L << 20;
        System.out.printf("%nfootprint: budget %d MiB, %d KiB fragments, each store read through %d MiB%n",
                budget >> 20, fragmentSize >> 10, perStore >> 20);
        System.out.printf("%-7s %14s %16s %10s%n", "stores", "accounted MiB", "heap retained MiB", "<= budget");
        for (int storeCount : new int[] {1, 10, 100}) {
            long before = retainedHeap();
            FragmentCache cache = new FragmentCache(new CacheSettings(Policy.LRU, budget, budget, 0.2,
                    Duration.ofMinutes(10), Duration.ofHours(1)));
            List<CachingFragmentStore> stores = new ArrayList<>();
            for (int s = 0; s < storeCount; s++) {
                stores.add(new CachingFragmentStore("store-" + s, new FixedBytesStore(fragmentSize, true), cache));
            }
            int reads = (int) (perStore / fragmentSize);
            for (int i = 0; i < reads; i++) {
                for (CachingFragmentStore store : stores) {
                    store.read(T, i % 65536);
                }
            }
            long accounted = cache.statistics().bytes();
            long retained = retainedHeap() - before;
            System.out.printf("%-7d %14.1f %16.1f %10s%n", storeCount, accounted / 1048576.0, retained / 1048576.0,
                    accounted <= budget && retained <= budget * 1.1 ? "yes" : "NO");
            stores.clear();
            cache.configure(cache.settings()); // keep the cache reachable until here
        }
    }

    static void hitRatio() {
        int fragments = 20_000;
        int accesses = 400_000;
        int fragmentSize = 4096;
        long budget = (long) fragments * fragmentSize / 10; // room for a tenth of the working set
        System.out.printf("%nhit ratio: %d fragments of %d KiB, budget %.1f MiB (a tenth), %d accesses, Zipf s=0.9%n",
                fragments, fragmentSize >> 10, budget / 1048576.0, accesses);
        int[] trace = zipfTrace(fragments, accesses, 0.9, new Random(11));
        for (Policy policy : new Policy[] {Policy.LRU, Policy.TIERED}) {
            FragmentCache cache = new FragmentCache(new CacheSettings(policy, budget, budget, 0.2,
                    Duration.ofMinutes(10), Duration.ofHours(1)));
            CachingFragmentStore store = new CachingFragmentStore("fs", new FixedBytesStore(fragmentSize, true), cache);
            for (int index : trace) {
                store.read(T, index);
            }
            CacheStatistics stats = cache.statistics();
            System.out.printf("%-7s hit ratio %.3f (%d hits, %d misses)%n", policy.name().toLowerCase(), stats.hitRatio(),
                    stats.hits(), stats.misses());
        }
    }

    /** Indices 0..n-1 drawn with probability proportional to 1/(rank^s), ranks shuffled. */
    static int[] zipfTrace(int n, int length, double s, Random random) {
        double[] cumulative = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += 1 / Math.pow(i + 1, s);
            cumulative[i] = sum;
        }
        int[] rankToIndex = new int[n];
        for (int i = 0; i < n; i++) {
            rankToIndex[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = rankToIndex[i];
            rankToIndex[i] = rankToIndex[j];
            rankToIndex[j] = t;
        }
        int[] trace = new int[length];
        for (int k = 0; k < length; k++) {
            double u = random.nextDouble() * sum;
            int lo = 0;
            int hi = n - 1;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (cumulative[mid] < u) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            trace[k] = rankToIndex[lo] % 65536;
        }
        return trace;
    }

    private static long retainedHeap() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

}
