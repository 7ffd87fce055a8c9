package net.tesseras.storage.internal.db;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import net.tesseras.database.Database;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code tesseras_database_errors_total} (label {@code code}: the SQLite result code, such as
 * {@code SQLITE_BUSY} when a lock was not released within the busy timeout), while a Micrometer
 * registry exists. SQLite retries a busy lock inside its busy handler without telling anyone; what
 * can be counted is a wait that ran out.
 */
@Component(immediate = true)
public final class DatabaseMetricsComponent {

    private final SqliteDatabase database;
    private final MeterRegistry registry;

    @Activate
    public DatabaseMetricsComponent(@Reference MeterRegistry registry, @Reference Database database) {
        this.registry = registry;
        this.database = database instanceof SqliteDatabase sqlite ? sqlite : null;
        if (this.database != null) {
            this.database.onError(code -> Counter.builder("tesseras.database.errors").tag("code", code)
                    .description("SQLite statements that failed, by result code").register(registry).increment());
        }
    }

    @Deactivate
    void deactivate() {
        if (database != null) {
            database.onError(code -> {});
        }
        registry.find("tesseras.database.errors").meters().forEach(registry::remove);
    }
}
