package net.tesseras.common.config.internal;

import java.lang.annotation.Annotation;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;

/**
 * The node's one rule for configuration, applied by every component to its raw properties.
 *
 * <p>The rule: a bad value is refused, and one log line names the key, the value and the value
 * kept instead; the component keeps its last good configuration; a component that never had a
 * good configuration stays down (its activation fails with a message naming the key, the value
 * and the fix) until the file is fixed; unknown keys are logged too.
 *
 * <p>Why raw properties: a DS component property type converts values itself, so
 * {@code size.mb = lots} throws a {@code NumberFormatException} that never names the key, before
 * the component's code runs. Here the keys, their types and their defaults come from the same
 * {@code @ObjectClassDefinition} annotation that Metatype publishes, each key gets its range or
 * its allowed values, and {@link Checked#config()} hands the component a value of that annotation
 * type holding only values that passed.
 *
 * <p>The last good values are kept per configuration (its {@code service.pid}) for the life of
 * the bundle, so a component that DS re-creates for a change still keeps them.
 *
 * @param <C> the component's configuration annotation
 */
public final class ConfigRules<C extends Annotation> {

    /** Properties that Configuration Admin, DS and FileInstall add themselves; never reported as unknown. */
    private static final List<String> FRAMEWORK_PREFIXES = List.of("service.", "component.", "felix.", "osgi.", "objectClass");

    private static final String FILEINSTALL_FILENAME = "felix.fileinstall.filename";

    /** What the operator may write for a key, and how it is read. */
    private static final class Key {
        final String name;
        final Method method;
        final Class<?> type;
        final Object defaultValue;
        Number min;
        Number max;
        List<String> options;
        Function<Object, String> check;

        Key(String name, Method method) {
            this.name = name;
            this.method = method;
            this.type = method.getReturnType();
            this.defaultValue = method.getDefaultValue();
        }
    }

    private final String pid;
    private final String what;
    private final Class<C> type;
    private final Map<String, Key> keys = new LinkedHashMap<>();
    private final Set<String> alsoKnown = new TreeSet<>();
    private final Map<String, Map<String, Object>> lastGood = new ConcurrentHashMap<>();

    private ConfigRules(String pid, String what, Class<C> type) {
        this.pid = pid;
        this.what = what;
        this.type = type;
        for (Method m : type.getDeclaredMethods()) {
            if (m.getParameterCount() == 0 && !m.isSynthetic()) {
                String name = keyName(m.getName());
                keys.put(name, new Key(name, m));
            }
        }
    }

    /**
     * The rules for configuration {@code pid} read into {@code type}; {@code what} names the
     * component in messages ("the database", "the fs store").
     */
    public static <C extends Annotation> ConfigRules<C> of(String pid, String what, Class<C> type) {
        return new ConfigRules<>(pid, what, type);
    }

    /** Numeric key: the value must lie in [min, max]. */
    public ConfigRules<C> range(String key, Number min, Number max) {
        Key k = key(key);
        k.min = min;
        k.max = max;
        return this;
    }

    /** Numeric key: the value must be at least {@code min}. */
    public ConfigRules<C> atLeast(String key, Number min) {
        return range(key, min, null);
    }

    /** Text key: one of these values, in any case; the config returns the spelling given here. */
    public ConfigRules<C> oneOf(String key, String... allowed) {
        key(key).options = List.of(allowed);
        return this;
    }

    /** Text key: must not be empty. */
    public ConfigRules<C> nonBlank(String key) {
        return check(key, v -> String.valueOf(v).isBlank() ? "must not be empty" : null);
    }

    /**
     * Any key: {@code problem} gets the converted value and returns why it is refused, or null to
     * accept it. It must not have side effects: it also runs for values that are then kept.
     */
    public ConfigRules<C> check(String key, Function<Object, String> problem) {
        Key k = key(key);
        Function<Object, String> before = k.check;
        k.check = before == null ? problem : v -> {
            String first = before.apply(v);
            return first != null ? first : problem.apply(v);
        };
        return this;
    }

    /** Keys this component does not read but accepts, such as a reference's {@code <name>.target}. */
    public ConfigRules<C> alsoKnown(String... names) {
        alsoKnown.addAll(Arrays.asList(names));
        return this;
    }

    public String pid() {
        return pid;
    }

    private Key key(String name) {
        Key k = keys.get(name);
        if (k == null) {
            throw new IllegalArgumentException(type.getName() + " has no key " + name);
        }
        return k;
    }

    /**
     * Checks raw component properties (as DS passes them to activate and modified). Each refused
     * value is replaced by this configuration's last good value; where there is none the result is
     * not {@link Checked#usable() usable}. Nothing is logged yet: see {@link Checked#log(Logger)}.
     */
    public Checked check(Map<String, ?> raw) {
        String instance = instance(raw);
        Map<String, Object> kept = lastGood.get(instance);
        Map<String, Object> values = new LinkedHashMap<>();
        List<String> refusals = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        boolean usable = true;
        for (Key k : keys.values()) {
            Object value = raw.get(k.name);
            if (value == null && k.defaultValue == null) {
                // A key without a default must be given.
                usable &= kept != null && kept.containsKey(k.name);
                values.put(k.name, kept == null ? null : kept.get(k.name));
                refusals.add(k.name + " is missing: it has no default");
                continue;
            }
            if (value == null) {
                values.put(k.name, k.defaultValue);
                continue;
            }
            String problem;
            Object converted = null;
            try {
                converted = convert(k, value);
                problem = validate(k, converted);
            } catch (IllegalArgumentException e) {
                problem = e.getMessage();
            }
            if (problem == null) {
                values.put(k.name, converted);
                continue;
            }
            if (kept != null && kept.containsKey(k.name)) {
                values.put(k.name, kept.get(k.name));
                refusals.add(k.name + " = '" + show(value) + "' refused: " + problem + "; keeping " + shown(kept.get(k.name)));
            } else {
                usable = false;
                values.put(k.name, k.defaultValue);
                refusals.add(k.name + " = '" + show(value) + "' refused: " + problem);
            }
        }
        for (Map.Entry<String, ?> e : raw.entrySet()) {
            String name = e.getKey();
            if (!keys.containsKey(name) && !alsoKnown.contains(name) && !isFrameworkKey(name)) {
                unknown.add(name + " = '" + show(e.getValue()) + "'");
            }
        }
        return new Checked(raw, instance, fileOf(raw), values, refusals, unknown, usable);
    }

    /** The last values of this configuration that the component took, if it ever had good ones. */
    public Optional<C> lastGood(Map<String, ?> raw) {
        Map<String, Object> kept = lastGood.get(instance(raw));
        return kept == null ? Optional.empty() : Optional.of(proxy(kept));
    }

    /** The outcome of a check: the values to use, what was refused and what is unknown. */
    public final class Checked {
        private final Map<String, ?> raw;
        private final String instance;
        private final String file;
        private final Map<String, Object> values;
        private final List<String> refusals;
        private final List<String> unknown;
        private final boolean usable;

        private Checked(Map<String, ?> raw, String instance, String file, Map<String, Object> values, List<String> refusals,
                List<String> unknown, boolean usable) {
            this.raw = raw;
            this.instance = instance;
            this.file = file;
            this.values = values;
            this.refusals = refusals;
            this.unknown = unknown;
            this.usable = usable;
        }

        /** Whether every value can be used: each was valid, or a refused one had a last good value to keep. */
        public boolean usable() {
            return usable;
        }

        /** Whether nothing was refused. */
        public boolean clean() {
            return refusals.isEmpty();
        }

        /** The configuration to use: accepted values, last good ones for refused values, defaults for absent keys. */
        public C config() {
            return proxy(values);
        }

        /** Where the operator fixes it: the etc/ file when FileInstall wrote the configuration. */
        public String file() {
            return file;
        }

        /**
         * Logs one line per refused value (ERROR) and per unknown key (WARN). When the result is not
         * usable the lines say that the component stays down until the file is fixed.
         */
        public Checked log(Logger log) {
            String tail = usable ? "" : "; " + what + " stays down until " + file + " is fixed";
            for (String refusal : refusals) {
                log.error("configuration {}: {}{}", pid, refusal, tail);
            }
            for (String u : unknown) {
                log.warn("configuration {}: unknown key {} ignored (known keys: {})", pid, u, String.join(", ", keys.keySet()));
            }
            return this;
        }

        /** Records these values as the last good ones, once the component has applied them. */
        public void accepted() {
            lastGood.put(instance, new LinkedHashMap<>(values));
        }

        /**
         * The same configuration with {@code key} put back to its last good value, because applying
         * it failed for {@code reason} (a root that cannot be opened, a port in use). Logs the
         * refusal in one line. Empty when there is no last good value to go back to.
         */
        public Optional<Checked> without(String key, String reason, Logger log) {
            Map<String, Object> kept = lastGood.get(instance);
            Object value = values.get(key);
            if (kept == null || !kept.containsKey(key)) {
                return Optional.empty();
            }
            log.error("configuration {}: {} = '{}' refused: {}; keeping {}", pid, key, show(value), reason, shown(kept.get(key)));
            Map<String, Object> next = new LinkedHashMap<>(values);
            next.put(key, kept.get(key));
            List<String> more = new ArrayList<>(refusals);
            more.add(key + " = '" + show(value) + "' refused: " + reason);
            return Optional.of(new Checked(raw, instance, file, next, more, unknown, true));
        }

        /**
         * The exception a component that never had a good configuration throws from its
         * activation, naming every refused key and value and the file to fix. DS then reports the
         * component as failed with this message; {@code retry} re-creates it once the configuration
         * changes (pass null where DS does that itself: components without a modified method).
         */
        public IllegalArgumentException down(ComponentRetry retry) {
            if (retry != null) {
                retry.onConfigurationChange(raw);
            }
            return new IllegalArgumentException("configuration " + pid + ": " + String.join("; ", refusals) + "; " + what
                    + " stays down until " + file + " is fixed");
        }

        /** Like {@link #down(ComponentRetry)} for a failure to apply a checked value (no good value to go back to). */
        public IllegalArgumentException down(String key, String reason, ComponentRetry retry) {
            if (retry != null) {
                retry.onConfigurationChange(raw);
            }
            return new IllegalArgumentException("configuration " + pid + ": " + key + " = '" + show(values.get(key)) + "' refused: "
                    + reason + "; " + what + " stays down until " + file + " is fixed");
        }
    }

    /** Whether {@code name} is a property the framework adds (service.pid, component.name, FileInstall's file name). */
    static boolean isFrameworkKey(String name) {
        for (String prefix : FRAMEWORK_PREFIXES) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    private String instance(Map<String, ?> raw) {
        Object servicePid = raw.get("service.pid");
        return servicePid != null ? String.valueOf(servicePid) : pid;
    }

    private String fileOf(Map<String, ?> raw) {
        Object name = raw.get(FILEINSTALL_FILENAME);
        if (name != null) {
            String s = String.valueOf(name);
            int slash = s.lastIndexOf('/');
            return "etc/" + (slash >= 0 ? s.substring(slash + 1) : s);
        }
        return "etc/" + instance(raw).replace('~', '-') + ".cfg";
    }

    private static Object convert(Key k, Object value) {
        Class<?> t = k.type;
        if (t == String[].class) {
            return strings(value).toArray(String[]::new);
        }
        if (value.getClass().isArray() || value instanceof Collection) {
            List<String> all = strings(value);
            if (all.size() != 1) {
                throw new IllegalArgumentException("one value expected, got " + all.size());
            }
            value = all.get(0);
        }
        if (t == String.class) {
            String s = String.valueOf(value).trim();
            if (k.options != null) {
                for (String option : k.options) {
                    if (option.equalsIgnoreCase(s)) {
                        return option;
                    }
                }
                throw new IllegalArgumentException("allowed: " + String.join(", ", k.options));
            }
            return s;
        }
        if (t == int.class || t == long.class) {
            long v;
            if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
                v = ((Number) value).longValue();
            } else {
                try {
                    v = Long.parseLong(String.valueOf(value).trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("not a whole number" + rangeText(k));
                }
            }
            if (t == int.class && (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE)) {
                throw new IllegalArgumentException("too large" + rangeText(k));
            }
            return t == int.class ? (Object) (int) v : (Object) v;
        }
        if (t == double.class) {
            double v;
            if (value instanceof Number n) {
                v = n.doubleValue();
            } else {
                try {
                    v = Double.parseDouble(String.valueOf(value).trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("not a number" + rangeText(k));
                }
            }
            if (Double.isNaN(v) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("not a number" + rangeText(k));
            }
            return v;
        }
        if (t == boolean.class) {
            String s = String.valueOf(value).trim();
            if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
                return Boolean.parseBoolean(s);
            }
            throw new IllegalArgumentException("allowed: true, false");
        }
        throw new IllegalStateException("unsupported configuration type " + t + " of " + k.name);
    }

    private static String validate(Key k, Object converted) {
        if (converted instanceof Number n && (k.min != null || k.max != null)) {
            double v = n.doubleValue();
            if ((k.min != null && v < k.min.doubleValue()) || (k.max != null && v > k.max.doubleValue())) {
                return "out of range" + rangeText(k);
            }
        }
        return k.check == null ? null : k.check.apply(converted);
    }

    private static String rangeText(Key k) {
        if (k.min != null && k.max != null) {
            return " (expected " + k.min + " to " + k.max + ")";
        }
        if (k.min != null) {
            return " (expected at least " + k.min + ")";
        }
        if (k.max != null) {
            return " (expected at most " + k.max + ")";
        }
        return "";
    }

    private static List<String> strings(Object value) {
        List<String> out = new ArrayList<>();
        if (value instanceof Collection<?> c) {
            c.forEach(v -> out.add(String.valueOf(v).trim()));
        } else if (value.getClass().isArray()) {
            for (int i = 0; i < Array.getLength(value); i++) {
                out.add(String.valueOf(Array.get(value, i)).trim());
            }
        } else {
            // One text value may list several, separated by commas, optionally written as a list
            // (FileInstall hands a .cfg's ["a","b"] over as that literal text).
            String text = String.valueOf(value).trim();
            if (text.startsWith("[") && text.endsWith("]")) {
                text = text.substring(1, text.length() - 1);
            }
            for (String part : text.split(",")) {
                out.add(unquote(part.trim()));
            }
        }
        out.removeIf(String::isEmpty);
        return out;
    }

    private static String unquote(String part) {
        if (part.length() >= 2 && (part.startsWith("\"") && part.endsWith("\"") || part.startsWith("'") && part.endsWith("'"))) {
            return part.substring(1, part.length() - 1).trim();
        }
        return part;
    }

    /** The value a refusal keeps, never an empty text: an empty list or value says so. */
    private static String shown(Object kept) {
        String s = show(kept);
        if (!s.isEmpty()) {
            return s;
        }
        return kept != null && (kept.getClass().isArray() || kept instanceof Collection<?>) ? "an empty list" : "an empty value";
    }

    private static String show(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof String[] a) {
            return String.join(",", a);
        }
        if (value instanceof List<?> l) {
            return String.join(",", l.stream().map(String::valueOf).toList());
        }
        if (value.getClass().isArray()) {
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < Array.getLength(value); i++) {
                parts.add(String.valueOf(Array.get(value, i)));
            }
            return String.join(",", parts);
        }
        return String.valueOf(value);
    }

    /** DS's mapping from a component property type's method name to its property name (112.8.2.1). */
    static String keyName(String method) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < method.length(); i++) {
            char c = method.charAt(i);
            if (c == '$' && i + 2 < method.length() && method.charAt(i + 1) == '_' && method.charAt(i + 2) == '$') {
                s.append('-');
                i += 2;
            } else if (c == '$') {
                if (i + 1 < method.length() && method.charAt(i + 1) == '$') {
                    s.append('$');
                    i++;
                }
            } else if (c == '_') {
                if (i + 1 < method.length() && method.charAt(i + 1) == '_') {
                    s.append('_');
                    i++;
                } else {
                    s.append('.');
                }
            } else {
                s.append(c);
            }
        }
        return s.toString();
    }

    private C proxy(Map<String, Object> values) {
        Map<String, Object> copy = new LinkedHashMap<>(values);
        Object instance = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, method, args) -> {
            switch (method.getName()) {
                case "annotationType":
                    return type;
                case "toString":
                    return pid + copy;
                case "hashCode":
                    return copy.hashCode();
                case "equals":
                    return args[0] != null && Proxy.isProxyClass(args[0].getClass()) && p.toString().equals(args[0].toString());
                default:
                    Object v = copy.get(keyName(method.getName()));
                    return v instanceof String[] a ? a.clone() : v;
            }
        });
        return type.cast(Objects.requireNonNull(instance));
    }
}
