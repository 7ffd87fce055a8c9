package net.tesseras.common.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import net.tesseras.storage.FragmentStore;
import org.apache.felix.framework.FrameworkFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.launch.Framework;
import org.slf4j.Logger;

/** {@code store.target} under the one configuration rule, against a real service registry. */
class StoreBindingTest {

    @TempDir
    Path storage;

    private Framework framework;
    private BundleContext context;
    private final List<String> errors = new ArrayList<>();
    private final String pid = "net.tesseras.test-" + System.nanoTime();

    @BeforeEach
    void start() throws Exception {
        framework = new FrameworkFactory().newFramework(Map.of("org.osgi.framework.storage", storage.toString(),
                "org.osgi.framework.storage.clean", "onFirstInit"));
        framework.start();
        context = framework.getBundleContext();
    }

    @AfterEach
    void stop() throws Exception {
        framework.stop();
        framework.waitForStop(10_000);
    }

    @Test
    void anInvalidFilterIsRefusedInOneLineAndTheLastGoodTargetKept() {
        FragmentStore sqlite = register("sqlite");
        register("fs");
        try (StoreBinding binding = new StoreBinding(context, pid, "the transport", logger())) {
            binding.configure(Map.of(StoreTargets.KEY, "(store.name=sqlite)"));
            assertSame(sqlite, binding.store());

            binding.configure(Map.of(StoreTargets.KEY, "(store.name=fs"));
            assertSame(sqlite, binding.store(), "the last good target is kept");
            assertEquals(1, errors.size(), errors.toString());
            String line = errors.get(0);
            assertTrue(line.contains("store.target = '(store.name=fs' refused: not a valid LDAP filter"), line);
            assertTrue(line.endsWith("keeping (store.name=sqlite)"), line);
            assertTrue(problems().isEmpty(), "a store is in use: no problem " + problems());
        }
    }

    @Test
    void aValidFilterMatchingNoStoreBindsNoneAndIsAProblemUntilSuchAStoreAppears() {
        register("fs");
        try (StoreBinding binding = new StoreBinding(context, pid, "the transport", logger())) {
            binding.configure(Map.of(StoreTargets.KEY, "(store.name=sqlit)"));
            assertNull(binding.store(), "never another store than the one named");
            assertTrue(binding.missing().contains("store.target (store.name=sqlit), as etc/" + pid + ".cfg sets it: no running store matches"),
                    binding.missing());
            List<String> problems = problems();
            assertEquals(1, problems.size(), problems.toString());
            assertTrue(problems.get(0).startsWith("the transport: ") && problems.get(0).contains("(store.name=sqlit)"), problems.get(0));

            FragmentStore sqlit = register("sqlit");
            assertSame(sqlit, binding.store());
            assertTrue(problems().isEmpty(), problems().toString());
        }
        assertTrue(problems().isEmpty(), "closing withdraws every problem");
    }

    @Test
    void anInvalidFilterThatNeverHadAGoodOneBindsNothingAndSaysSo() {
        register("fs");
        try (StoreBinding binding = new StoreBinding(context, pid, "the storage commands", logger())) {
            binding.configure(Map.of(StoreTargets.KEY, "store.name=fs"));
            assertNull(binding.store(), "no silent fall back to the default target");
            assertTrue(errors.get(0).contains("store.target = 'store.name=fs' refused"), errors.toString());
            assertTrue(binding.missing().contains("refused"), binding.missing());
            assertEquals(1, problems().size());

            binding.configure(Map.of(StoreTargets.KEY, "(store.name=fs)"));
            assertEquals("fs", binding.current().properties().get(FragmentStore.NAME), "fixing the file recovers it live");
            assertTrue(problems().isEmpty());
        }
    }

    @Test
    void theDefaultTargetFollowsTheBestRankedStoreAndAMissingDefaultIsNoProblemOfItsOwn() {
        try (StoreBinding binding = new StoreBinding(context, pid, "the transport", logger())) {
            binding.configure(Map.of());
            assertNull(binding.store());
            assertTrue(problems().isEmpty(), "the store's own component reports a missing default store");
            FragmentStore fs = register("fs");
            assertSame(fs, binding.store());
        }
    }

    private FragmentStore register(String name) {
        FragmentStore store = (FragmentStore) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {FragmentStore.class},
                (p, m, a) -> switch (m.getName()) {
                    case "toString" -> "store " + name;
                    case "hashCode" -> System.identityHashCode(p);
                    case "equals" -> p == a[0];
                    default -> throw new UnsupportedOperationException(m.getName());
                });
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(FragmentStore.NAME, name);
        props.put(FragmentStore.ROLE, "backend");
        ServiceRegistration<FragmentStore> registration = context.registerService(FragmentStore.class, store, props);
        assertTrue(registration != null);
        return store;
    }

    @SuppressWarnings("rawtypes")
    private List<String> problems() {
        try {
            Collection<ServiceReference<Supplier>> refs = context.getServiceReferences(Supplier.class,
                    "(" + PublishedProblem.PROPERTY + "=*)");
            return refs.stream().map(r -> String.valueOf(r.getProperty(PublishedProblem.PROPERTY))).toList();
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new AssertionError(e);
        }
    }

    /** A logger that records ERROR lines as SLF4J would format them. */
    private Logger logger() {
        return (Logger) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Logger.class}, (p, m, a) -> {
            if (m.getName().equals("error") && a != null && a[0] instanceof String format) {
                String line = format;
                for (int i = 1; i < a.length; i++) {
                    Object[] args = a[i] instanceof Object[] array ? array : new Object[] {a[i]};
                    for (Object arg : args) {
                        line = line.replaceFirst("\\{}", java.util.regex.Matcher.quoteReplacement(String.valueOf(arg)));
                    }
                }
                errors.add(line);
            }
            return m.getReturnType() == boolean.class ? true : null;
        });
    }
}
