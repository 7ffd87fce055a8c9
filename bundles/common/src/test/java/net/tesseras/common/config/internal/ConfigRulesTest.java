package net.tesseras.common.config.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.MarkerIgnoringBase;

class ConfigRulesTest {

    @interface Config {
        long size_mb() default 128;

        int readers() default 4;

        double hot_fraction() default 0.2;

        String policy() default "lru";

        String delegate_target() default "(x=y)";

        String[] write_allow() default {};

        int service_ranking() default 10;
    }

    private static ConfigRules<Config> rules() {
        return ConfigRules.of("net.tesseras.test", "the test component", Config.class)
                .atLeast("size.mb", 0)
                .range("readers", 1, 64)
                .range("hot.fraction", 0.0, 1.0)
                .oneOf("policy", "lru", "tiered", "none")
                .nonBlank("delegate.target");
    }

    private static Map<String, Object> props(Object... pairs) {
        Map<String, Object> m = new HashMap<>();
        m.put("service.pid", "net.tesseras.test");
        m.put("component.name", "x");
        m.put("felix.fileinstall.filename", "file:/opt/node/etc/net.tesseras.test.cfg");
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], pairs[i + 1]);
        }
        return m;
    }

    @Test
    void keysTypesAndDefaultsComeFromTheAnnotation() {
        ConfigRules<Config>.Checked c = rules().check(props("size.mb", "256", "policy", "TIERED", "write.allow", "a, b"));
        assertTrue(c.clean());
        assertEquals(256, c.config().size_mb());
        assertEquals(4, c.config().readers());
        assertEquals("tiered", c.config().policy());
        assertArrayEquals(new String[] {"a", "b"}, c.config().write_allow());
        assertEquals(10, c.config().service_ranking(), "service.ranking is a declared key, not a framework one");
        assertEquals("service.ranking", ConfigRules.keyName("service_ranking"));
        assertEquals("a_b", ConfigRules.keyName("a__b"));
    }

    @Test
    void aBadValueWithoutALastGoodOneLeavesTheComponentDownNamingKeyValueAndFile() {
        Capture log = new Capture();
        ConfigRules<Config>.Checked c = rules().check(props("size.mb", "lots")).log(log);
        assertFalse(c.usable());
        assertEquals(1, log.errors.size());
        String line = log.errors.get(0);
        assertTrue(line.contains("size.mb = 'lots' refused: not a whole number"), line);
        assertTrue(line.contains("the test component stays down until etc/net.tesseras.test.cfg is fixed"), line);
        String message = c.down(null).getMessage();
        assertTrue(message.contains("size.mb = 'lots'") && message.contains("etc/net.tesseras.test.cfg"), message);
    }

    @Test
    void aBadValueAfterAGoodOneKeepsTheLastGoodValueAndSaysWhichInOneLine() {
        ConfigRules<Config> rules = rules();
        rules.check(props("size.mb", 64L, "readers", 8)).accepted();
        Capture log = new Capture();
        ConfigRules<Config>.Checked c = rules.check(props("size.mb", "-1", "readers", "abc", "policy", "fifo")).log(log);
        assertTrue(c.usable());
        assertEquals(64, c.config().size_mb());
        assertEquals(8, c.config().readers());
        assertEquals("lru", c.config().policy(), "the default was the last good policy");
        assertEquals(3, log.errors.size(), String.valueOf(log.errors));
        assertTrue(log.errors.contains("configuration net.tesseras.test: size.mb = '-1' refused: out of range (expected at least 0); keeping 64"),
                String.valueOf(log.errors));
        assertTrue(log.errors.contains("configuration net.tesseras.test: readers = 'abc' refused: not a whole number (expected 1 to 64); keeping 8"),
                String.valueOf(log.errors));
        assertTrue(log.errors.contains("configuration net.tesseras.test: policy = 'fifo' refused: allowed: lru, tiered, none; keeping lru"),
                String.valueOf(log.errors));
    }

    @Test
    void unknownKeysAreLoggedAndFrameworkKeysAreNot() {
        Capture log = new Capture();
        rules().alsoKnown("store.target").check(props("size.mbb", "5", "store.target", "(a=b)", "service.factoryPid", "p",
                "component.id", 3L)).log(log);
        assertEquals(1, log.warnings.size(), String.valueOf(log.warnings));
        assertTrue(log.warnings.get(0).contains("unknown key size.mbb = '5' ignored"), log.warnings.get(0));
    }

    @Test
    void aFailureToApplyAValueGoesBackToItsLastGoodOne() {
        ConfigRules<Config> rules = rules();
        rules.check(props("delegate.target", "(good=1)")).accepted();
        Capture log = new Capture();
        ConfigRules<Config>.Checked next = rules.check(props("delegate.target", "(bad=1)"));
        ConfigRules<Config>.Checked back = next.without("delegate.target", "cannot open it", log).orElseThrow();
        assertEquals("(good=1)", back.config().delegate_target());
        assertEquals(1, log.errors.size());
        assertTrue(log.errors.get(0).contains("delegate.target = '(bad=1)' refused: cannot open it; keeping (good=1)"));
        assertTrue(rules().check(props()).without("delegate.target", "x", log).isEmpty(), "no last good value");
    }

    @Test
    void wholeNumbersMustBeWhole() {
        ConfigRules<Config> rules = rules();
        assertFalse(rules.check(props("readers", "1.5")).usable());
        assertFalse(rules.check(props("readers", 3.0)).usable());
        assertFalse(rules.check(props("readers", "99999999999")).usable());
        assertFalse(rules.check(props("hot.fraction", "NaN")).usable());
        assertTrue(rules.check(props("readers", " 7 ")).usable());
    }

    /** A logger that keeps the formatted lines. */
    static final class Capture extends MarkerIgnoringBase {
        final java.util.List<String> errors = new java.util.ArrayList<>();
        final java.util.List<String> warnings = new java.util.ArrayList<>();

        private static String f(String format, Object... args) {
            return MessageFormatter.arrayFormat(format, args).getMessage();
        }

        public boolean isTraceEnabled() { return false; }
        public void trace(String msg) {}
        public void trace(String format, Object arg) {}
        public void trace(String format, Object arg1, Object arg2) {}
        public void trace(String format, Object... arguments) {}
        public void trace(String msg, Throwable t) {}
        public boolean isDebugEnabled() { return false; }
        public void debug(String msg) {}
        public void debug(String format, Object arg) {}
        public void debug(String format, Object arg1, Object arg2) {}
        public void debug(String format, Object... arguments) {}
        public void debug(String msg, Throwable t) {}
        public boolean isInfoEnabled() { return false; }
        public void info(String msg) {}
        public void info(String format, Object arg) {}
        public void info(String format, Object arg1, Object arg2) {}
        public void info(String format, Object... arguments) {}
        public void info(String msg, Throwable t) {}
        public boolean isWarnEnabled() { return true; }
        public void warn(String msg) { warnings.add(msg); }
        public void warn(String format, Object arg) { warnings.add(f(format, arg)); }
        public void warn(String format, Object... arguments) { warnings.add(f(format, arguments)); }
        public void warn(String format, Object arg1, Object arg2) { warnings.add(f(format, arg1, arg2)); }
        public void warn(String msg, Throwable t) { warnings.add(msg); }
        public boolean isErrorEnabled() { return true; }
        public void error(String msg) { errors.add(msg); }
        public void error(String format, Object arg) { errors.add(f(format, arg)); }
        public void error(String format, Object arg1, Object arg2) { errors.add(f(format, arg1, arg2)); }
        public void error(String format, Object... arguments) { errors.add(f(format, arguments)); }
        public void error(String msg, Throwable t) { errors.add(msg); }
    }
}
