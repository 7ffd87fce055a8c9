package net.tesseras.database;

import java.util.List;
import java.util.Objects;

/**
 * One versioned step of a schema: SQL statements run in one transaction.
 *
 * @param version 1 for the first step of a schema, then 2, 3, ...
 * @param description what the step does, for logs and {@code tesseras:status}
 * @param statements single SQL statements, run in order
 */
public record Migration(int version, String description, List<String> statements) {

    public Migration {
        Objects.requireNonNull(description, "description");
        statements = List.copyOf(statements);
        if (version < 1) {
            throw new IllegalArgumentException("migration versions start at 1, got " + version);
        }
        if (statements.isEmpty()) {
            throw new IllegalArgumentException("migration " + version + " has no statements");
        }
    }

    public static Migration of(int version, String description, String... statements) {
        return new Migration(version, description, List.of(statements));
    }
}
