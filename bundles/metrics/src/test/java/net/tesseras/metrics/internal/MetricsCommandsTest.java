package net.tesseras.metrics.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MetricsCommandsTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final MetricsCommands commands = new MetricsCommands(registry);

    MetricsCommandsTest() {
        Timer.builder("tesseras.store.write").tag("store", "fs").register(registry).record(Duration.ofMillis(3));
        Counter.builder("tesseras.fragment.cache.hits").tag("store", "fs").register(registry).increment();
    }

    @Test
    void dottedAndPrometheusNamesBothSelectMeters() {
        assertTrue(commands.metrics("store.write").contains("tesseras.store.write"));
        assertTrue(commands.metrics("tesseras_store_write_seconds_count").contains("tesseras.store.write"));
        assertTrue(commands.metrics("tesseras_store_write_seconds_bucket{store=\"fs\",le=\"0.005\"}").contains("tesseras.store.write"));
        String hits = commands.metrics("tesseras_fragment_cache_hits_total");
        assertTrue(hits.contains("tesseras.fragment.cache.hits"), hits);
        assertFalse(hits.contains("tesseras.store.write"), hits);
        assertTrue(commands.metrics("nothing_like_this").startsWith("No meter name contains"));
    }

    @Test
    void metersWithoutTagsArePrintedToo() {
        Counter.builder("tesseras.replication.sent.fragments").register(registry).increment(3);
        String text = commands.metrics("replication");
        assertTrue(text.contains("tesseras.replication.sent.fragments"), text);
        assertTrue(text.startsWith("METER"), text);
    }

    @Test
    void helpAndExtraArguments() {
        assertTrue(commands.metrics("--help").startsWith("usage: tesseras:metrics"));
        assertThrows(IllegalArgumentException.class, () -> commands.metrics("a", "b"));
        assertTrue(commands.metrics().contains("tesseras.store.write"));
    }
}
