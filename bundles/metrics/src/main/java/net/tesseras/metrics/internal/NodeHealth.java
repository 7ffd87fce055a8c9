package net.tesseras.metrics.internal;

import java.util.ArrayList;
import java.util.List;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * Whether the node is ready: every bundle active (fragments resolved) and every enabled DS
 * component satisfied or active.
 *
 * <p>Our own rather than Felix Health Checks: those would fit (they have bundle and DS checks),
 * but bring an API, a core and a checks bundle plus their configuration, for the two checks this
 * needs.
 */
final class NodeHealth {

    /** What is missing; empty lists mean ready. */
    record Report(List<String> bundles, List<String> components) {
        boolean ready() {
            return bundles.isEmpty() && components.isEmpty();
        }

        String json() {
            return "{\"status\":\"" + (ready() ? "UP" : "DOWN") + "\",\"bundles\":" + array(bundles)
                    + ",\"components\":" + array(components) + "}";
        }

        private static String array(List<String> items) {
            StringBuilder s = new StringBuilder("[");
            for (String item : items) {
                if (s.length() > 1) {
                    s.append(',');
                }
                s.append('"').append(item.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
            return s.append(']').toString();
        }
    }

    private final BundleContext context;
    private final ServiceComponentRuntime scr;

    NodeHealth(BundleContext context, ServiceComponentRuntime scr) {
        this.context = context;
        this.scr = scr;
    }

    Report check() {
        List<String> bundles = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            BundleRevision revision = b.adapt(BundleRevision.class);
            boolean fragment = revision != null && (revision.getTypes() & BundleRevision.TYPE_FRAGMENT) != 0;
            boolean ok = fragment ? b.getState() == Bundle.RESOLVED : b.getState() == Bundle.ACTIVE;
            if (!ok) {
                bundles.add(b.getSymbolicName() + " " + b.getVersion() + ": " + state(b.getState()));
            }
        }
        List<String> components = new ArrayList<>();
        for (ComponentDescriptionDTO description : scr.getComponentDescriptionDTOs()) {
            if (!scr.isComponentEnabled(description)) {
                continue;
            }
            for (ComponentConfigurationDTO configuration : scr.getComponentConfigurationDTOs(description)) {
                if (configuration.state != ComponentConfigurationDTO.SATISFIED
                        && configuration.state != ComponentConfigurationDTO.ACTIVE) {
                    components.add(description.name + ": " + componentState(configuration));
                }
            }
        }
        return new Report(bundles, components);
    }

    private static String state(int state) {
        return switch (state) {
            case Bundle.INSTALLED -> "installed (unresolved)";
            case Bundle.RESOLVED -> "resolved (not started)";
            case Bundle.STARTING -> "starting";
            case Bundle.STOPPING -> "stopping";
            default -> "state " + state;
        };
    }

    private static String componentState(ComponentConfigurationDTO c) {
        return switch (c.state) {
            case ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION -> "waiting for configuration";
            case ComponentConfigurationDTO.UNSATISFIED_REFERENCE -> "unsatisfied reference";
            case ComponentConfigurationDTO.FAILED_ACTIVATION -> "activation failed: " + c.failure;
            default -> "state " + c.state;
        };
    }
}
