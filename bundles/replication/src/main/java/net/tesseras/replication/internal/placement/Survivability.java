package net.tesseras.replication.internal.placement;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.tesseras.identity.NodeId;

/**
 * How many holders a tessera can lose, whichever they are: the largest k such that losing ANY k
 * holders leaves at least {@code dataShards} distinct live fragments on the others (-1 when fewer
 * are live even now).
 *
 * <p>Equivalently, one less than the fewest holders whose loss destroys enough fragments (a
 * fragment is destroyed when every holder of it is lost). That minimum is found exactly by a
 * depth-first search over sets of holders of growing size, holders taken by descending fragment
 * count and each branch cut when even the largest remaining holders could not destroy enough.
 * The search starts at a proven lower bound: k holders destroy at most the fragments the k
 * largest of them hold, so fewer than the smallest k whose largest counts reach the need cannot
 * suffice. When every fragment has a single holder (the usual spread) that bound is the answer.
 *
 * <p>The search is capped at {@link #DEFAULT_WORK} visited branches (realistic sizes, up to 72
 * fragments on 72 peers with copies, need far fewer). Beyond the cap it returns the size proven so
 * far minus one: every smaller set of losses was shown survivable, so the answer is a lower bound
 * and never overstates what the tessera survives. Pure and thread safe.
 */
public final class Survivability {

    /** Branches visited before the search settles for its proven lower bound. */
    public static final long DEFAULT_WORK = 2_000_000;

    private final long maxWork;

    public Survivability() {
        this(DEFAULT_WORK);
    }

    /** @param maxWork branches the exact search may visit (tests lower it to see the fallback) */
    public Survivability(long maxWork) {
        if (maxWork < 1) {
            throw new IllegalArgumentException("the search needs at least 1 branch of work, not " + maxWork);
        }
        this.maxWork = maxWork;
    }

    /**
     * @param live the fragment indices each holder has live
     * @param dataShards fragments needed to rebuild the tessera (1 for whole copies)
     * @return the holder losses survived whichever holders they are, or -1 when fewer than
     *     {@code dataShards} distinct fragments are live now
     */
    public int peerLosses(Map<NodeId, Set<Integer>> live, int dataShards) {
        if (dataShards < 1) {
            throw new IllegalArgumentException("dataShards must be at least 1, not " + dataShards);
        }
        List<Set<Integer>> holders = new ArrayList<>();
        for (Set<Integer> fragments : live.values()) {
            if (!fragments.isEmpty()) {
                holders.add(fragments);
            }
        }
        // Largest holders first: they destroy most, which makes the bound below tight and the cuts early.
        holders.sort(Comparator.comparingInt((Set<Integer> s) -> s.size()).reversed());
        Map<Integer, Integer> holdersOf = new HashMap<>();
        for (Set<Integer> fragments : holders) {
            for (int index : fragments) {
                holdersOf.merge(index, 1, Integer::sum);
            }
        }
        int distinct = holdersOf.size();
        if (distinct < dataShards) {
            return -1;
        }
        int need = distinct - dataShards + 1; // fragments to destroy to leave fewer than dataShards
        Search search = new Search(holders, holdersOf, need, maxWork);
        for (int k = search.lowerBound(); k <= holders.size(); k++) {
            Boolean found = search.canDestroyWith(k);
            if (found == null) {
                return k - 1; // work cap: all sets smaller than k were proven survivable
            }
            if (found) {
                return k - 1;
            }
        }
        return holders.size(); // unreachable: losing every holder destroys every fragment
    }

    /** The depth-first search of one call. */
    private static final class Search {
        private final int[][] fragments; // per holder, dense fragment numbers
        private final int[] remaining; // per fragment, holders not lost in the current branch
        private final int[] counts;
        private final int need;
        private final long maxWork;
        private long work;

        Search(List<Set<Integer>> holders, Map<Integer, Integer> holdersOf, int need, long maxWork) {
            Map<Integer, Integer> dense = new HashMap<>();
            remaining = new int[holdersOf.size()];
            for (Map.Entry<Integer, Integer> e : holdersOf.entrySet()) {
                int slot = dense.size();
                dense.put(e.getKey(), slot);
                remaining[slot] = e.getValue();
            }
            fragments = new int[holders.size()][];
            counts = new int[holders.size()];
            for (int h = 0; h < holders.size(); h++) {
                fragments[h] = holders.get(h).stream().mapToInt(dense::get).toArray();
                counts[h] = fragments[h].length;
            }
            this.need = need;
            this.maxWork = maxWork;
        }

        /** The smallest k whose k largest holders hold at least {@code need} fragments. */
        int lowerBound() {
            long sum = 0;
            for (int k = 0; k < counts.length; k++) {
                sum += counts[k];
                if (sum >= need) {
                    return k + 1;
                }
            }
            return counts.length;
        }

        /** Whether some k holders destroy {@code need} fragments; null when the work cap was hit. */
        Boolean canDestroyWith(int k) {
            try {
                return dfs(0, k, 0);
            } catch (WorkExhausted e) {
                return null;
            }
        }

        private boolean dfs(int from, int left, int destroyed) {
            if (destroyed >= need) {
                return true;
            }
            if (left == 0 || counts.length - from < left) {
                return false;
            }
            // Cut: the next `left` holders are the largest remaining (sorted), so they bound what is still possible.
            long possible = destroyed;
            for (int h = from; h < from + left; h++) {
                possible += counts[h];
            }
            if (possible < need) {
                return false;
            }
            for (int h = from; h < counts.length; h++) {
                if (++work > maxWork) {
                    throw new WorkExhausted();
                }
                int gained = 0;
                for (int f : fragments[h]) {
                    if (--remaining[f] == 0) {
                        gained++;
                    }
                }
                boolean found = dfs(h + 1, left - 1, destroyed + gained);
                for (int f : fragments[h]) {
                    remaining[f]++;
                }
                if (found) {
                    return true;
                }
                // Holders are sorted: once the largest left cannot reach the need, later ones cannot either.
                long bound = destroyed;
                for (int j = h + 1; j < Math.min(counts.length, h + 1 + left); j++) {
                    bound += counts[j];
                }
                if (bound < need) {
                    return false;
                }
            }
            return false;
        }
    }

    private static final class WorkExhausted extends RuntimeException {
        private static final long serialVersionUID = 1L;

        WorkExhausted() {
            super(null, null, false, false);
        }
    }
}
