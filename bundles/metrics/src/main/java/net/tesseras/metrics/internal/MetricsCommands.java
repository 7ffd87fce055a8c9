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

/** {@code tesseras:metrics [filter]}: current values of the node's meters, in a table. */
@Component(service = MetricsCommands.class)
@GogoCommand(scope = "tesseras", function = "metrics")
public final class MetricsCommands {

    private final MeterRegistry registry;

    @Activate
    public MetricsCommands(@Reference MeterRegistry registry) {
        this.registry = registry;
    }

    @Descriptor("show the node's tesseras meters and their current values")
    public String metrics() {
        return metrics("tesseras");
    }

    @Descriptor("show the meters whose name contains the filter (for example: store, cache, jvm.memory)")
    public String metrics(@Descriptor("part of a meter name") String filter) {
        List<String[]> rows = new ArrayList<>();
        List<Meter> meters = registry.getMeters().stream()
                .filter(m -> m.getId().getName().contains(filter))
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
        int tagWidth = rows.stream().mapToInt(r -> r[1].length()).max().orElse(4);
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%-" + nameWidth + "s  %-" + tagWidth + "s  %s%n", "METER", "TAGS", "VALUES"));
        for (String[] r : rows) {
            out.append(String.format(Locale.ROOT, "%-" + nameWidth + "s  %-" + tagWidth + "s  %s%n", r[0], r[1], r[2]));
        }
        return out.toString();
    }

    private static String format(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value)
                : String.format(Locale.ROOT, "%.6g", value);
    }

}
