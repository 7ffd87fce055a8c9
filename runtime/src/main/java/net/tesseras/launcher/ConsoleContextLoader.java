package net.tesseras.launcher;

import java.net.URL;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * A context class loader that also finds jline's classes and resources in the jline bundle.
 *
 * <p>jline discovers its terminal providers through the thread context class loader; inside the
 * framework that is the launcher's, which cannot see bundles, so the Gogo console would fall back
 * to a dumb terminal (no line editing, no history). Felix's threads inherit this loader from the
 * launcher's thread.
 */
final class ConsoleContextLoader extends ClassLoader {

    private static final String JLINE = "org.jline";

    private volatile BundleContext context;

    ConsoleContextLoader(ClassLoader parent) {
        super(parent);
    }

    void attach(BundleContext frameworkContext) {
        this.context = frameworkContext;
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        Bundle jline = jline();
        if (jline != null && name.startsWith(JLINE + ".")) {
            return jline.loadClass(name);
        }
        throw new ClassNotFoundException(name);
    }

    @Override
    protected URL findResource(String name) {
        Bundle jline = jline();
        return jline != null && name.startsWith("META-INF/services/org/jline/") ? jline.getResource(name) : null;
    }

    private Bundle jline() {
        BundleContext current = context;
        if (current == null) {
            return null;
        }
        for (Bundle bundle : current.getBundles()) {
            if (JLINE.equals(bundle.getSymbolicName())) {
                return bundle;
            }
        }
        return null;
    }
}
