package net.tesseras.common.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.tesseras.storage.FragmentStore;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;
import org.osgi.util.tracker.ServiceTrackerCustomizer;
import org.slf4j.Logger;

/**
 * The {@link FragmentStore} a consumer (the shell's storage commands, the transport) uses: the
 * best-ranked store that {@value StoreTargets#KEY} names ({@link StoreTargets#CONSUMER} when it is
 * not set), followed as stores come and go.
 *
 * <p>Why not a Declarative Services reference: DS reads {@code store.target} itself and applies a
 * bad filter silently (it binds nothing and says so only in its own log), so the one configuration
 * rule could not be kept. Here a filter that is not valid LDAP is refused in one line naming the
 * key, the value and the filter kept, and the consumer keeps its last good target (per
 * configuration, for the bundle's life, since DS may re-create the consumer for a change). A valid
 * filter the operator set that matches no store is a problem the node's readiness names
 * ({@code /health} DOWN): while it lasts it is a {@link PublishedProblem} saying which consumer
 * lacks which store.
 */
public final class StoreBinding implements AutoCloseable {

    /** A store and its service properties. */
    public record Bound(FragmentStore store, Map<String, Object> properties) {}

    /** The last good target per configuration PID, kept across re-creations of its consumer. */
    private static final Map<String, String> LAST_GOOD = new ConcurrentHashMap<>();

    private final BundleContext context;
    private final String pid;
    private final String consumer;
    private final Logger log;
    private final Map<ServiceReference<FragmentStore>, FragmentStore> matching = new HashMap<>();
    private ServiceTracker<FragmentStore, FragmentStore> tracker;
    private String target;
    private boolean operatorSet;
    private String refused;
    private final PublishedProblem problem;
    private volatile Bound current;

    /**
     * @param pid the consumer's configuration, for messages and for its last good target
     * @param consumer names the consumer in messages ("the transport", "the storage commands")
     */
    public StoreBinding(BundleContext context, String pid, String consumer, Logger log) {
        this.context = context;
        this.pid = pid;
        this.consumer = consumer;
        this.log = log;
        // Not permanent: the store it names may still be starting.
        this.problem = new PublishedProblem(context, false);
    }

    /**
     * Applies the {@value StoreTargets#KEY} of a consumer's component properties under the one
     * configuration rule: an invalid filter is refused (one ERROR line) and the last good one kept;
     * one that never had a good value binds nothing, and readiness says so. Unchanged: nothing happens.
     */
    public synchronized void configure(Map<String, ?> properties) {
        Object raw = properties.get(StoreTargets.KEY);
        String wanted = raw == null || String.valueOf(raw).isBlank() ? StoreTargets.CONSUMER : String.valueOf(raw).trim();
        String file = "etc/" + pid + ".cfg";
        String next;
        refused = null;
        try {
            FrameworkUtil.createFilter(wanted);
            next = wanted;
            LAST_GOOD.put(pid, next);
        } catch (InvalidSyntaxException e) {
            String kept = LAST_GOOD.get(pid);
            String reason = "not a valid LDAP filter (" + e.getMessage() + ")";
            if (kept != null) {
                log.error("configuration {}: {} = '{}' refused: {}; keeping {}", pid, StoreTargets.KEY, raw, reason, kept);
                next = kept;
            } else {
                refused = StoreTargets.KEY + " = '" + raw + "' refused: " + reason + "; " + consumer + " uses no fragment store until "
                        + file + " is fixed";
                log.error("configuration {}: {}", pid, refused);
                next = null;
            }
        }
        if (next != null && next.equals(target) && tracker != null) {
            updateProblem();
            return;
        }
        retarget(next);
    }

    private void retarget(String next) {
        if (tracker != null) {
            tracker.close();
            tracker = null;
        }
        matching.clear();
        target = next;
        operatorSet = next != null && !StoreTargets.CONSUMER.equals(next);
        if (next != null) {
            Filter filter;
            try {
                filter = FrameworkUtil.createFilter("(&(objectClass=" + FragmentStore.class.getName() + ")" + next + ")");
            } catch (InvalidSyntaxException e) {
                throw new IllegalStateException("a checked filter became invalid: " + next, e);
            }
            tracker = new ServiceTracker<>(context, filter, new Customizer());
            tracker.open();
        }
        choose();
    }

    /** The store in use, or null when none matches (then requests are refused: see {@link #missing()}). */
    public Bound current() {
        return current;
    }

    /** The store in use, or null. */
    public FragmentStore store() {
        Bound bound = current;
        return bound == null ? null : bound.store();
    }

    /** Why there is no store, naming the target, for the refusal of a request. */
    public synchronized String missing() {
        if (refused != null) {
            return "the configured fragment store is not available: " + refused;
        }
        return "the configured fragment store is not available (" + StoreTargets.describe(target) + ", as etc/" + pid
                + ".cfg sets it: no running store matches); it is down, not replaced by another store";
    }

    @Override
    public synchronized void close() {
        if (tracker != null) {
            tracker.close();
            tracker = null;
        }
        matching.clear();
        current = null;
        problem.clear();
    }

    /** Greedy, like a DS reference: the highest-ranked matching store (then the oldest). */
    private synchronized void choose() {
        // ServiceReference orders by ranking, then by age: the greatest is the one DS would bind.
        Map.Entry<ServiceReference<FragmentStore>, FragmentStore> best =
                matching.entrySet().stream().max(Map.Entry.comparingByKey()).orElse(null);
        Bound next = best == null ? null : new Bound(best.getValue(), properties(best.getKey()));
        Bound before = current;
        current = next;
        if (before != null && next == null) {
            log.warn("{} uses no fragment store: {}", consumer, missing());
        } else if (next != null && (before == null || before.store() != next.store())) {
            Object name = next.properties().get(FragmentStore.NAME);
            Object behind = next.properties().get("delegate.store.name");
            log.info("{} uses fragment store {} ({})", consumer, name != null ? name : behind != null ? "cache>" + behind : "?",
                    StoreTargets.describe(target));
        }
        updateProblem();
    }

    /** Registers or withdraws the problem readiness reports: an operator's target (or a refused one) that binds no store. */
    private void updateProblem() {
        problem.set(current != null ? null : refused != null ? consumer + ": " + refused
                : operatorSet ? consumer + ": " + missing() : null);
    }

    private static Map<String, Object> properties(ServiceReference<?> reference) {
        Map<String, Object> map = new HashMap<>();
        for (String key : reference.getPropertyKeys()) {
            map.put(key, reference.getProperty(key));
        }
        return Map.copyOf(map);
    }

    private final class Customizer implements ServiceTrackerCustomizer<FragmentStore, FragmentStore> {
        @Override
        public FragmentStore addingService(ServiceReference<FragmentStore> reference) {
            FragmentStore store = context.getService(reference);
            if (store != null) {
                synchronized (StoreBinding.this) {
                    matching.put(reference, store);
                    choose();
                }
            }
            return store;
        }

        @Override
        public void modifiedService(ServiceReference<FragmentStore> reference, FragmentStore store) {
            synchronized (StoreBinding.this) {
                // A new ranking may make another store the best.
                matching.put(reference, store);
                choose();
            }
        }

        @Override
        public void removedService(ServiceReference<FragmentStore> reference, FragmentStore store) {
            synchronized (StoreBinding.this) {
                matching.remove(reference);
                choose();
            }
            context.ungetService(reference);
        }
    }
}
