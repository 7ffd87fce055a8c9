package net.tesseras.itest;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Fails the build unless failsafe ran as many tests as the *IT classes declare: tests that run
 * inside an OSGi framework can otherwise vanish without a failure (a probe that never deploys, a
 * runner that finds nothing).
 */
public final class TestCountCheck {

    private TestCountCheck() {}

    public static void main(String[] args) throws Exception {
        Path summary = Path.of(args[0]);
        Path testClasses = Path.of(args[1]);
        int declared = declaredTests(testClasses);
        if (!Files.exists(summary)) {
            throw new IllegalStateException("no failsafe summary at " + summary + ": the integration tests did not run");
        }
        Matcher m = Pattern.compile("<completed>(\\d+)</completed>").matcher(Files.readString(summary));
        int completed = m.find() ? Integer.parseInt(m.group(1)) : 0;
        if (declared == 0 || completed < declared) {
            throw new IllegalStateException("integration tests: " + declared + " declared but only " + completed + " ran");
        }
        System.out.println("[tesseras] integration tests: " + completed + " of " + declared + " declared tests ran");
    }

    private static int declaredTests(Path root) throws IOException, ClassNotFoundException {
        int count = 0;
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith("IT.class")).toList()) {
                String name = root.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                for (Method method : Class.forName(name).getMethods()) {
                    if (method.isAnnotationPresent(org.junit.Test.class)) {
                        count++;
                    }
                }
            }
        }
        return count;
    }
}
