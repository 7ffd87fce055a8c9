package net.tesseras.metrics.internal;

import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code tesseras:metrics [filter]}: current values of the node's meters, in a table. The filter is
 * part of a meter's name, as Micrometer spells it ({@code store.write}) or as Prometheus does
 * ({@code tesseras_store_write_seconds_count}, the form in docs/METRICS.md).
 */
@Component(service = MetricsCommands.class)
@GogoCommand(scope = "tesseras", function = "metrics")
public final class MetricsCommands {

    private final MeterRegistry registry;

    @Activate
    public MetricsCommands(@Reference MeterRegistry registry) {
        this.registry = registry;
    }

    private static final String USAGE = "usage: tesseras:metrics [<filter>]\n"
            + "  current values of the meters whose name contains the filter (default: tesseras), for example\n"
            + "  store.write, cache, jvm.memory, or a Prometheus name such as tesseras_store_write_seconds_count\n";

    /** Suffixes Prometheus adds to a meter's name for its samples; a filter may carry one. */
    private static final List<String> SAMPLE_SUFFIXES =
            List.of("_total", "_count", "_sum", "_bucket", "_max", "_created", "_info");

    @Descriptor("show the meters whose name contains the filter (default tesseras; dotted or Prometheus names)")
    public String metrics(@Descriptor("[<filter>]: part of a meter name, e.g. store.write or tesseras_store_write_seconds; --help")
            String... args) {
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
            return USAGE;
        }
        if (args.length > 1) {
            throw new IllegalArgumentException("too many arguments; " + USAGE.lines().findFirst().orElse(""));
        }
        return table(args.length == 0 ? "tesseras" : args[0]);
    }

    String table(String filter) {
        List<String[]> rows = new ArrayList<>();
        List<Meter> meters = registry.getMeters().stream()
                .filter(m -> matches(m, filter))
                .sorted(Comparator.comparing((Meter m) -> m.getId().getName()).thenComparing(m -> m.getId().getTags().toString()))
                .toList();
        for (Meter meter : meters) {
            String tags = meter.getId().getTags().stream().map(t -> t.getKey() + "=" + t.getValue())
                    .collect(Collectors.joining(","));
            StringBuilder values = new StringBuilder();
            for (Measurement m : meter.measure()) {
                if (values.length() > 0) {
                    values.append("  ");
                }
                values.append(m.getStatistic().name().toLowerCase(Locale.ROOT)).append('=').append(format(m.getValue()));
            }
            rows.add(new String[] {meter.getId().getName(), tags, values.toString()});
        }
        if (rows.isEmpty()) {
            return "No meter name contains '" + filter + "'.\n";
        }
        int nameWidth = rows.stream().mapToInt(r -> r[0].length()).max().orElse(4);
        int tagWidth = Math.max("TAGS".length(), rows.stream().mapToInt(r -> r[1].length()).max().orElse(0));
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%-" + nameWidth + "s  %-" + tagWidth + "s  %s%n", "METER", "TAGS", "VALUES"));
        for (String[] r : rows) {
            out.append(String.format(Locale.ROOT, "%-" + nameWidth + "s  %-" + tagWidth + "s  %s%n", r[0], r[1], r[2]));
        }
        return out.toString();
    }

    /** The filter is part of the dotted name, or of the name Prometheus gives the meter. */
    boolean matches(Meter meter, String filter) {
        String name = meter.getId().getName();
        if (name.contains(filter)) {
            return true;
        }
        String wanted = prometheusFilter(filter);
        if (wanted.isEmpty() || wanted.indexOf('.') >= 0) {
            return false;
        }
        String exposed = registry.config().namingConvention().name(name, meter.getId().getType(), meter.getId().getBaseUnit());
        return withoutSuffix(exposed).contains(wanted) || name.replace('.', '_').contains(wanted);
    }

    /** {@code tesseras_store_write_seconds_count{store="fs"}} becomes {@code tesseras_store_write_seconds}. */
    static String prometheusFilter(String filter) {
        int brace = filter.indexOf('{');
        return withoutSuffix(brace >= 0 ? filter.substring(0, brace) : filter);
    }

    private static String withoutSuffix(String name) {
        for (String suffix : SAMPLE_SUFFIXES) {
            if (name.endsWith(suffix)) {
                return name.substring(0, name.length() - suffix.length());
            }
        }
        return name;
    }

    private static String format(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value)
                : String.format(Locale.ROOT, "%.6g", value);
    }

}
