package net.tesseras.database;

import java.sql.Connection;
import java.sql.SQLException;

/** Work done with a connection the {@link Database} lends for the duration of the call. */
@FunctionalInterface
public interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
}
