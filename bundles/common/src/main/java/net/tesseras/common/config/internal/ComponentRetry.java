package net.tesseras.common.config.internal;

import java.lang.reflect.Array;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings back a component whose activation failed for its configuration, once that configuration
 * changes.
 *
 * <p>Why: Felix SCR (2.2) re-creates a failed component on a configuration change only when the
 * component has no modified method; with one, it calls modified on the instance that does not
 * exist and the component stays failed, so fixing the file would not recover it. After a failure
 * this class watches the PID (a {@link ConfigurationListener}, kept while the bundle runs) and,
 * whenever the component is failed with other properties than the configuration now holds,
 * disables and re-enables it through {@link ServiceComponentRuntime}, which activates it with the
 * configuration in force. Checking the state rather than counting events means that no change is
 * missed, whichever comes first: the failure or the event of the change that fixes it.
 */
public final class ComponentRetry {

    private static final Map<String, ServiceRegistration<ConfigurationListener>> LISTENING = new ConcurrentHashMap<>();

    /**
     * The properties each component's last failed activation was given. SCR's own view of the
     * component's properties follows the configuration even while the component stays failed, so
     * it cannot tell whether the failure saw the configuration now in force.
     */
    private static final Map<String, Map<String, Object>> FAILED_WITH = new ConcurrentHashMap<>();

    /** One quiet thread, gone when idle: checks wait for a component to settle, never on a framework thread. */
    private static final ThreadPoolExecutor CHECKS = new ThreadPoolExecutor(1, 1, 10, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "tesseras-configuration-retry");
                t.setDaemon(true);
                return t;
            });

    static {
        CHECKS.allowCoreThreadTimeOut(true);
    }

    private static final long SETTLE_MILLIS = 20_000;

    private static final Logger LOG = LoggerFactory.getLogger(ComponentRetry.class);

    private final BundleContext context;
    private final String pid;
    private final String componentName;

    /**
     * @param context the bundle context of the component's bundle
     * @param pid the configuration PID (not a factory PID) whose change should bring the component back
     * @param componentName the component's name (by default its class name)
     */
    public ComponentRetry(BundleContext context, String pid, String componentName) {
        this.context = context;
        this.pid = pid;
        this.componentName = componentName;
    }

    /** Called as the activation with {@code properties} fails: watch the PID, and check once the failure is recorded. */
    void onConfigurationChange(Map<String, ?> properties) {
        String key = key();
        FAILED_WITH.put(key, new java.util.HashMap<>(properties));
        LISTENING.computeIfAbsent(key, k -> {
            ConfigurationListener listener = event -> {
                if (pid.equals(event.getPid()) && (event.getType() == ConfigurationEvent.CM_UPDATED
                        || event.getType() == ConfigurationEvent.CM_DELETED)) {
                    CHECKS.execute(this::recreateIfFailedWithOldProperties);
                }
            };
            try {
                return context.registerService(ConfigurationListener.class, listener, null);
            } catch (IllegalStateException e) {
                return null; // the bundle is stopping: nothing to bring back
            }
        });
        CHECKS.execute(this::recreateIfFailedWithOldProperties);
    }

    private void recreateIfFailedWithOldProperties() {
        try {
            ServiceReference<ServiceComponentRuntime> scrRef = context.getServiceReference(ServiceComponentRuntime.class);
            ServiceReference<ConfigurationAdmin> cmRef = context.getServiceReference(ConfigurationAdmin.class);
            if (scrRef == null || cmRef == null) {
                return;
            }
            ServiceComponentRuntime scr = context.getService(scrRef);
            ConfigurationAdmin cm = context.getService(cmRef);
            try {
                ComponentDescriptionDTO description = scr.getComponentDescriptionDTO(context.getBundle(), componentName);
                if (description == null || !scr.isComponentEnabled(description)) {
                    return;
                }
                ComponentConfigurationDTO settled = awaitSettled(scr, description);
                Map<String, Object> failedWith = FAILED_WITH.get(key());
                if (settled != null && settled.state == ComponentConfigurationDTO.FAILED_ACTIVATION && failedWith != null
                        && !matches(failedWith, description.properties, current(cm))) {
                    LOG.info("configuration {} changed: starting {} again", pid, componentName);
                    scr.disableComponent(description).getValue();
                    scr.enableComponent(description).getValue();
                }
            } finally {
                context.ungetService(scrRef);
                context.ungetService(cmRef);
            }
        } catch (IllegalStateException e) {
            // the bundle stopped meanwhile: nothing to bring back
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.error("configuration {} changed but {} could not be started again: {}", pid, componentName, e.toString());
        }
    }

    private String key() {
        return context.getBundle().getBundleId() + "/" + componentName;
    }

    /** The component's configuration once it is active or failed (an activation under way shows as satisfied). */
    private static ComponentConfigurationDTO awaitSettled(ServiceComponentRuntime scr, ComponentDescriptionDTO description)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SETTLE_MILLIS);
        while (true) {
            for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(description)) {
                if (c.state == ComponentConfigurationDTO.FAILED_ACTIVATION || c.state == ComponentConfigurationDTO.ACTIVE) {
                    return c;
                }
            }
            if (System.nanoTime() > deadline) {
                return null;
            }
            Thread.sleep(20);
        }
    }

    private Dictionary<String, Object> current(ConfigurationAdmin cm) throws Exception {
        Configuration[] found = cm.listConfigurations("(service.pid=" + pid + ")");
        return found == null || found.length == 0 ? null : found[0].getProperties();
    }

    /** Whether the failed activation already saw the configuration now in force. */
    private static boolean matches(Map<String, Object> used, Map<String, Object> declared, Dictionary<String, Object> now) {
        if (now == null) {
            // No configuration now: the failed activation saw one if it had a service.pid.
            return !used.containsKey("service.pid");
        }
        for (Enumeration<String> keys = now.keys(); keys.hasMoreElements();) {
            String key = keys.nextElement();
            if (!same(used.get(key), now.get(key))) {
                return false;
            }
        }
        for (String key : used.keySet()) {
            if (now.get(key) == null && !ConfigRules.isFrameworkKey(key) && !declared.containsKey(key)) {
                // A configured key the failed activation saw was removed since.
                return false;
            }
        }
        return true;
    }

    private static boolean same(Object a, Object b) {
        if (a != null && b != null && a.getClass().isArray() && b.getClass().isArray()) {
            int n = Array.getLength(a);
            if (n != Array.getLength(b)) {
                return false;
            }
            for (int i = 0; i < n; i++) {
                if (!String.valueOf(Array.get(a, i)).equals(String.valueOf(Array.get(b, i)))) {
                    return false;
                }
            }
            return true;
        }
        return Objects.equals(a == null ? null : String.valueOf(a), b == null ? null : String.valueOf(b));
    }
}
