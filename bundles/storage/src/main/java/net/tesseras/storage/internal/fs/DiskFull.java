package net.tesseras.storage.internal.fs;

import java.sql.SQLException;
import java.util.Locale;

/** Recognises a full disk in a failure from SQLite or the file system, wherever it is wrapped. */
final class DiskFull {

    /** SQLite's primary result code for "database or disk is full". */
    private static final int SQLITE_FULL = 13;

    private DiskFull() {}

    static boolean is(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql && (sql.getErrorCode() & 0xff) == SQLITE_FULL) {
                return true;
            }
            String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (message.contains("sqlite_full") || message.contains("database or disk is full")
                    || message.contains("no space left") || message.contains("disk quota exceeded")) {
                return true;
            }
        }
        return false;
    }
}
