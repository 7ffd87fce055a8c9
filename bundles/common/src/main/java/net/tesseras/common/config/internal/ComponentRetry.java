package net.tesseras.common.config.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * Brings back a component whose activation failed for its configuration, once that configuration
 * changes.
 *
 * <p>Why: Felix SCR (2.2) re-creates a failed component on a configuration change only when the
 * component has no modified method; with one, it calls modified on the instance that does not
 * exist and the component stays failed, so fixing the file would not recover it. This listener
 * waits for the next change of the PID and then disables and re-enables the component through
 * {@link ServiceComponentRuntime}, which activates it with the configuration now in force. It acts
 * only while a configuration of the component is still failed, and once.
 */
public final class ComponentRetry {

    private static final Map<String, ServiceRegistration<ConfigurationListener>> WAITING = new ConcurrentHashMap<>();

    private final BundleContext context;
    private final String pid;
    private final String componentName;

    /**
     * @param context the bundle context of the component's bundle
     * @param pid the configuration PID whose change should bring the component back
     * @param componentName the component's name (by default its class name)
     */
    public ComponentRetry(BundleContext context, String pid, String componentName) {
        this.context = context;
        this.pid = pid;
        this.componentName = componentName;
    }

    /** Waits (without blocking) for the next change of the PID, then re-creates the component if it is still failed. */
    void onConfigurationChange() {
        AtomicBoolean done = new AtomicBoolean();
        ConfigurationListener listener = event -> {
            if (!pid.equals(event.getPid()) && !pid.equals(event.getFactoryPid())) {
                return;
            }
            if (event.getType() != ConfigurationEvent.CM_UPDATED && event.getType() != ConfigurationEvent.CM_DELETED) {
                return;
            }
            if (done.compareAndSet(false, true)) {
                ServiceRegistration<ConfigurationListener> self = WAITING.remove(key());
                unregister(self);
                recreateIfFailed();
            }
        };
        ServiceRegistration<ConfigurationListener> registration;
        try {
            registration = context.registerService(ConfigurationListener.class, listener, null);
        } catch (IllegalStateException e) {
            return; // the bundle is stopping: nothing to bring back
        }
        unregister(WAITING.put(key(), registration));
    }

    private void recreateIfFailed() {
        ServiceReference<ServiceComponentRuntime> ref;
        try {
            ref = context.getServiceReference(ServiceComponentRuntime.class);
        } catch (IllegalStateException e) {
            return;
        }
        if (ref == null) {
            return;
        }
        ServiceComponentRuntime scr = context.getService(ref);
        if (scr == null) {
            return;
        }
        try {
            Bundle bundle = context.getBundle();
            ComponentDescriptionDTO description = scr.getComponentDescriptionDTO(bundle, componentName);
            if (description == null || !scr.isComponentEnabled(description)) {
                return;
            }
            boolean failed = scr.getComponentConfigurationDTOs(description).stream()
                    .anyMatch(c -> c.state == ComponentConfigurationDTO.FAILED_ACTIVATION);
            if (failed) {
                scr.disableComponent(description).onResolve(() -> scr.enableComponent(description));
            }
        } finally {
            try {
                context.ungetService(ref);
            } catch (IllegalStateException ignored) {
                // the bundle stopped meanwhile
            }
        }
    }

    private String key() {
        return context.getBundle().getBundleId() + "/" + componentName;
    }

    private static void unregister(ServiceRegistration<?> registration) {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException ignored) {
                // already gone with its bundle
            }
        }
    }
}
