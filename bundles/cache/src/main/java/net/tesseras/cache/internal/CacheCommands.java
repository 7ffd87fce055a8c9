package net.tesseras.cache.internal;

import java.util.Locale;
import java.util.Map;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code tesseras:cache}: the cache's policy, budget, use and hit ratios, in total and per store. */
@Component(service = CacheCommands.class)
@GogoCommand(scope = "tesseras", function = "cache")
public final class CacheCommands {

    private final CacheComponent cache;

    @org.osgi.service.component.annotations.Activate
    public CacheCommands(@Reference CacheComponent cache) {
        this.cache = cache;
    }

    @Descriptor("show the fragment cache: policy, budget, bytes and entries held, hit ratio, per store")
    public String cache(@Descriptor("--help") String... args) {
        if (args.length > 0) {
            String usage = "usage: tesseras:cache\n  the fragment cache: policy, backend, budget, use, hit ratio, per store\n";
            if (args[0].equals("--help") || args[0].equals("-h")) {
                return usage;
            }
            throw new IllegalArgumentException("tesseras:cache takes no arguments; " + usage.lines().findFirst().orElse(""));
        }
        return render(cache.cache().statistics(), cache.delegateName());
    }

    static String render(CacheStatistics s, String delegate) {
        StringBuilder out = new StringBuilder();
        CacheSettings settings = s.settings();
        out.append(String.format(Locale.ROOT, "Policy       %s%n", settings.policy().name().toLowerCase(Locale.ROOT)));
        out.append(String.format(Locale.ROOT, "In front of  %s%n", delegate));
        out.append(String.format(Locale.ROOT, "Budget       %s (largest entry %s)%n", mib(settings.budgetBytes()),
                mib(settings.largestCacheable())));
        out.append(String.format(Locale.ROOT, "Used         %s in %d entries (%.1f%%)%n", mib(s.bytes()), s.entries(),
                settings.budgetBytes() == 0 ? 0.0 : 100.0 * s.bytes() / settings.budgetBytes()));
        out.append(String.format(Locale.ROOT, "Hits         %d, misses %d, hit ratio %.1f%%, evictions %d%n", s.hits(),
                s.misses(), 100 * s.hitRatio(), s.evictions()));
        if (!s.stores().isEmpty()) {
            out.append(String.format(Locale.ROOT, "%n%-16s %10s %10s %9s %12s %9s%n", "STORE", "HITS", "MISSES", "RATIO",
                    "BYTES", "ENTRIES"));
            for (Map.Entry<String, CacheStatistics.StoreFigures> e : s.stores().entrySet()) {
                CacheStatistics.StoreFigures f = e.getValue();
                out.append(String.format(Locale.ROOT, "%-16s %10d %10d %8.1f%% %12s %9d%n", e.getKey(), f.hits(), f.misses(),
                        100 * f.hitRatio(), mib(f.bytes()), f.entries()));
            }
        }
        return out.toString();
    }

    private static String mib(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        return bytes < 1024 * 1024 ? String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0)
                : String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
