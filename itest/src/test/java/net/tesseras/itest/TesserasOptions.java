package net.tesseras.itest;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemPackage;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.File;
import java.nio.file.Path;
import org.ops4j.pax.exam.Option;

/** The framework every integration test boots: SCR, Configuration Admin and the real Tesseras bundles. */
final class TesserasOptions {

    private TesserasOptions() {}

    static Option[] node(String testName) {
        Path work = Path.of(System.getProperty("itest.work", "target/itest-work"));
        Path data = work.resolve(testName + "-" + System.nanoTime()).toAbsolutePath();
        return options(
                frameworkProperty("tesseras.data").value(data.toString()),
                systemProperty("org.sqlite.tmpdir").value(work.toAbsolutePath().toString()),
                // Appends to the packages pax-exam itself exports from the system bundle.
                systemPackage("jdk.net"),
                systemPackage("com.sun.management"),
                frameworkProperty("felix.log.level").value(System.getProperty("felix.log.level", "1")),
                systemProperty("pax.exam.service.timeout").value("30000"),
                cleanCaches(),
                junitBundles(),
                jar("bundle.function"),
                jar("bundle.promise"),
                jar("bundle.component"),
                jar("bundle.configadmin"),
                jar("bundle.scr"),
                jar("bundle.gogo"),
                jar("bundle.sqlite"),
                jar("bundle.codec"),
                jar("bundle.api"),
                jar("bundle.storage"),
                jar("bundle.storage.sqlite"),
                jar("bundle.caffeine"),
                jar("bundle.cache"),
                jar("bundle.shell"));
    }

    /** A bundle from the jar the build handed over in a system property. */
    private static Option jar(String property) {
        String path = System.getProperty(property);
        if (path == null || !new File(path).isFile()) {
            throw new IllegalStateException("system property " + property + " must name a bundle jar, got " + path);
        }
        return bundle(new File(path).toURI().toString());
    }
}
