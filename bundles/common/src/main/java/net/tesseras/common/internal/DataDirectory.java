package net.tesseras.common.internal;

import java.nio.file.Path;
import org.osgi.framework.BundleContext;

/** Resolves configured paths against the node's data directory (framework property {@value #PROPERTY}). */
public final class DataDirectory {

    /** Framework property holding the node's data directory. */
    public static final String PROPERTY = "tesseras.data";

    private DataDirectory() {}

    /** The node's data directory: the framework property, else {@code ./data}. */
    public static Path of(BundleContext context) {
        String configured = context.getProperty(PROPERTY);
        return Path.of(configured == null || configured.isBlank() ? "data" : configured).toAbsolutePath();
    }

    /** {@code path} itself if absolute, else resolved against the data directory. */
    public static Path resolve(BundleContext context, String path) {
        Path p = Path.of(path);
        return p.isAbsolute() ? p : of(context).resolve(p).normalize();
    }
}
