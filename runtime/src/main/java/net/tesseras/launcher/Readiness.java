package net.tesseras.launcher;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.osgi.framework.Bundle;

/**
 * The node's one notion of "ready", used by {@code bin/tesseras start} (through the launcher) and
 * by {@code /health} (through the service the launcher publishes):
 *
 * <ul>
 *   <li>every bundle is active (a fragment: resolved);
 *   <li>no enabled Declarative Services component is waiting for a reference or failed to
 *       activate (components waiting for a configuration that may never come, such as factory
 *       components, and components waiting for a service no installed bundle provides, such as
 *       meters without the metrics feature, are not problems);
 *   <li>every network listener the installed bundles are configured for is bound.
 * </ul>
 *
 * <p>This class only judges snapshots ({@link BundleState}, {@link ComponentState},
 * {@link ListenerState}); {@link NodeReadiness} reads them from the running framework. Each problem
 * is one short line: what, why and, where it is known, which file to change. Never a stack trace.
 *
 * <p>A problem is <em>permanent</em> when nothing will change it without an operator (a component
 * whose activation failed, a bundle that could not resolve or start, a listener whose server gave
 * up); the others (a reference still missing, a listener not bound yet) may still resolve while the
 * node starts.
 */
final class Readiness {

    private Readiness() {}

    /** Component configuration states of Declarative Services (ComponentConfigurationDTO, DS 1.4+). */
    static final int UNSATISFIED_CONFIGURATION = 1;
    static final int UNSATISFIED_REFERENCE = 2;
    static final int SATISFIED = 4;
    static final int ACTIVE = 8;
    static final int FAILED_ACTIVATION = 16;

    /** Longest reason kept from a component's failure. */
    private static final int MAX_REASON = 300;

    record Problem(String text, boolean permanent) {}

    record BundleState(String symbolicName, String version, int state, boolean fragment) {}

    /**
     * One configuration of one DS component. {@code settings} is the file its configuration comes
     * from when there is one (e.g. {@code etc/net.tesseras.transport.cfg}), else null.
     */
    record ComponentState(String name, String bundle, int state, String failure, List<MissingReference> unsatisfiedReferences,
            String settings) {}

    /**
     * A service a component requires and does not have. {@code provided}: an installed bundle
     * declares that it provides such services. When none does, the component belongs to a feature
     * that is not installed (every bundle's meters wait for the metrics feature's registry) and
     * is no problem.
     */
    record MissingReference(String service, String target, boolean provided) {
        @Override
        public String toString() {
            return service + (target == null ? "" : " " + target);
        }
    }

    /**
     * A listener the node is configured for. {@code where} names it for an operator (e.g. "UDP
     * 127.0.0.1:4433"), {@code change} says what to edit to move it. {@code gaveUp}: the server that
     * owns it stopped trying (so waiting longer changes nothing).
     */
    record ListenerState(String name, String where, boolean bound, boolean gaveUp, String change) {}

    /** The verdict: what is wrong, by kind. Empty lists: ready. */
    record Report(List<Problem> bundles, List<Problem> components, List<Problem> listeners) {

        boolean ready() {
            return bundles.isEmpty() && components.isEmpty() && listeners.isEmpty();
        }

        /** Some problem will not go away by waiting. */
        boolean permanent() {
            return all().stream().anyMatch(Problem::permanent);
        }

        List<Problem> all() {
            List<Problem> all = new ArrayList<>(bundles);
            all.addAll(components);
            all.addAll(listeners);
            return all;
        }

        /** Every problem, one line each. */
        List<String> lines() {
            return all().stream().map(Problem::text).toList();
        }

        /**
         * The form {@code /health} serves: {@code status} ("UP" or "DOWN") and one list of short
         * lines per kind ({@code bundles}, {@code components}, {@code listeners}), in that order.
         * Only JDK types, so any bundle can read it.
         */
        Map<String, Object> toMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("status", ready() ? "UP" : "DOWN");
            map.put("bundles", texts(bundles));
            map.put("components", texts(components));
            map.put("listeners", texts(listeners));
            return map;
        }

        private static List<String> texts(List<Problem> problems) {
            return problems.stream().map(Problem::text).toList();
        }
    }

    /** A problem that waiting cannot fix is final once nothing changed for this long. */
    static final Duration QUIET = Duration.ofSeconds(5);

    /**
     * Any problem is final once nothing changed for this long after the start level was reached
     * (a component that stays unregistered leaves others waiting for it): the long work of a start,
     * opening and reconciling stores, runs while bundles start, before.
     */
    static final Duration STILL = Duration.ofSeconds(20);

    /**
     * Whether a start should stop waiting for readiness: ready; or past the deadline; or a
     * permanent problem stands while nothing changed (bundles, services) for {@link #QUIET}
     * (configuration read at start may still arrive and re-activate a component); or any problem
     * while nothing changed for {@link #STILL}.
     */
    static boolean settled(Report report, Duration sinceLastChange, boolean pastDeadline) {
        return report.ready() || pastDeadline || (report.permanent() && sinceLastChange.compareTo(QUIET) >= 0)
                || sinceLastChange.compareTo(STILL) >= 0;
    }

    static Report judge(List<BundleState> bundles, List<ComponentState> components, List<ListenerState> listeners) {
        List<Problem> bundleProblems = new ArrayList<>();
        for (BundleState b : bundles) {
            boolean ok = b.fragment() ? b.state() == Bundle.RESOLVED : b.state() == Bundle.ACTIVE;
            if (!ok) {
                bundleProblems.add(new Problem(b.symbolicName() + " " + b.version() + ": " + bundleState(b.state()),
                        b.state() == Bundle.INSTALLED || b.state() == Bundle.RESOLVED));
            }
        }
        List<Problem> componentProblems = new ArrayList<>();
        for (ComponentState c : components) {
            String where = c.name() + " (bundle " + c.bundle() + ")";
            String settings = c.settings() == null ? "" : "; its settings: " + c.settings();
            switch (c.state()) {
                case FAILED_ACTIVATION -> componentProblems.add(new Problem(
                        where + ": failed to activate: " + shortReason(c.failure()) + settings, true));
                case UNSATISFIED_REFERENCE -> {
                    List<String> missing = c.unsatisfiedReferences().stream().filter(MissingReference::provided)
                            .map(MissingReference::toString).toList();
                    if (!missing.isEmpty() || c.unsatisfiedReferences().isEmpty()) {
                        componentProblems.add(new Problem(where + ": waiting for "
                                + (missing.isEmpty() ? "a service" : String.join(", ", missing)), false));
                    }
                }
                default -> {
                    // satisfied, active, or waiting for an optional configuration (factory components)
                }
            }
        }
        List<Problem> listenerProblems = new ArrayList<>();
        for (ListenerState l : listeners) {
            if (!l.bound()) {
                listenerProblems.add(new Problem(l.name() + ": " + l.where() + " is not bound"
                        + (l.change() == null ? "" : "; to use another, change " + l.change()), l.gaveUp()));
            }
        }
        return new Report(bundleProblems, componentProblems, listenerProblems);
    }

    static String bundleState(int state) {
        return switch (state) {
            case Bundle.INSTALLED -> "installed, not resolved (a package or capability it needs is missing)";
            case Bundle.RESOLVED -> "resolved, not started (stopped, or its start failed: see the log)";
            case Bundle.STARTING -> "starting";
            case Bundle.STOPPING -> "stopping";
            case Bundle.UNINSTALLED -> "uninstalled";
            default -> "state " + state;
        };
    }

    /** A fully qualified exception class name at the start of a message ("java.lang.X: "). */
    private static final Pattern EXCEPTION_PREFIX = Pattern.compile("^(?:[a-zA-Z_$][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error|Throwable)?:\\s*");

    /**
     * The reason of a component's failure as one short line: SCR records a whole stack trace; keep
     * the message of its first line, without exception class names. When the first line has no
     * message of its own, the outermost "Caused by" that has one (it says most about the context).
     */
    static String shortReason(String failure) {
        if (failure == null || failure.isBlank()) {
            return "no reason recorded (see the log)";
        }
        List<String> lines = failure.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        String reason = stripClassNames(lines.get(0));
        if (reason.isEmpty()) {
            // A wrapper without a message (SCR's InvocationTargetException): the first cause that says something.
            for (String line : lines) {
                if (line.startsWith("Caused by:")) {
                    reason = stripClassNames(line.substring("Caused by:".length()).strip());
                    if (!reason.isEmpty()) {
                        break;
                    }
                }
            }
        }
        if (reason.isEmpty()) {
            String first = lines.get(0);
            reason = first.substring(first.lastIndexOf('.') + 1);
        }
        return reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON - 1) + "…" : reason;
    }

    private static String stripClassNames(String line) {
        String previous;
        String current = line;
        do {
            previous = current;
            current = EXCEPTION_PREFIX.matcher(current).replaceFirst("");
        } while (!current.equals(previous));
        // A bare class name (an exception without message) is no reason.
        return current.matches("(?:[a-zA-Z_$][\\w$]*\\.)+[A-Z][\\w$]*") ? "" : current.strip();
    }
}
