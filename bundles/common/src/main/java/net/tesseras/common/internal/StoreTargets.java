package net.tesseras.common.internal;

/**
 * Which {@code FragmentStore} a consumer (the shell's storage commands, the transport) binds: the
 * node's main cache front, or, when the cache bundle is not running, the configured backend. Never
 * another backend because the configured one is down: writes acknowledged there would vanish when
 * it returns. While the cache bundle runs without its configured backend, it registers a main
 * front that refuses every call ({@code front.refusing=true}, ranked between the real front and the
 * backends), so consumers bind that instead of falling back to fs. A consumer with nothing to bind
 * refuses writes and says which store is missing.
 *
 * <p>Used as the default target of each consumer's reference named {@code store}; an operator who
 * serves from another backend sets {@code store.target} in the consumer's configuration.
 */
public final class StoreTargets {

    /** The main front (extra fronts carry front.name) or, without the cache, the fs backend. */
    public static final String CONSUMER =
            "(|(&(store.role=front)(!(front.name=*)))(&(store.role=backend)(store.name=fs)))";

    /** The configuration key that overrides {@link #CONSUMER} for a reference named {@code store}. */
    public static final String KEY = "store.target";

    private StoreTargets() {}

    /** The store a consumer with these component properties binds, in words for error messages. */
    public static String describe(Object target) {
        String filter = target == null ? CONSUMER : String.valueOf(target);
        return CONSUMER.equals(filter) ? "the cache front, or the fs backend when the cache bundle is not running"
                : "store.target " + filter;
    }
}
