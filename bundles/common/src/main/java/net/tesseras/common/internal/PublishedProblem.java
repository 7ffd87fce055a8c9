package net.tesseras.common.internal;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.function.Supplier;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * A problem of a component that Declarative Services cannot see (a consumer bound to no store, a
 * store that stays down while its component runs), published for the node's readiness and so for
 * {@code /health} and {@code bin/tesseras start}: while it lasts, a service with the property
 * {@value #PROPERTY} holding one line of text. The launcher reads only that property (it lives
 * outside OSGi and cannot load bundle classes), so the service is a JDK {@link Supplier}.
 */
public final class PublishedProblem {

    /** Service property: the problem in one line. */
    public static final String PROPERTY = "tesseras.problem";

    /** Service property: "true" when only an operator can end the problem (then start does not wait for it). */
    public static final String PERMANENT = "tesseras.problem.permanent";

    private final BundleContext context;
    private final boolean permanent;
    private ServiceRegistration<?> registration;
    private String text;

    /** @param permanent whether only an operator can end the problem (a bad file), not time (a store still starting) */
    public PublishedProblem(BundleContext context, boolean permanent) {
        this.context = context;
        this.permanent = permanent;
    }

    /** Publishes {@code problem} (replacing the one before), or withdraws it when null. */
    public synchronized void set(String problem) {
        if (problem == null ? text == null : problem.equals(text)) {
            return;
        }
        clear();
        if (problem != null) {
            Dictionary<String, Object> props = new Hashtable<>();
            props.put(PROPERTY, problem);
            props.put(PERMANENT, String.valueOf(permanent));
            Supplier<String> says = () -> problem;
            registration = context.registerService(Supplier.class, says, props);
            text = problem;
        }
    }

    /** Withdraws the problem. */
    public synchronized void clear() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException e) {
                // already gone with the bundle
            }
            registration = null;
        }
        text = null;
    }
}
