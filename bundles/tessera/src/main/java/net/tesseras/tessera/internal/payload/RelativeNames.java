package net.tesseras.tessera.internal.payload;

import java.util.Optional;

/**
 * Checks a relative name from a meta.json before it becomes a path, so that a hostile tessera
 * cannot write outside the export's destination.
 */
final class RelativeNames {

    private RelativeNames() {
    }

    /** What makes {@code name} unsafe to restore, or empty when it is a plain relative name. */
    static Optional<String> problem(String name) {
        if (name.isEmpty()) {
            return Optional.of("is empty");
        }
        if (name.startsWith("/")) {
            return Optional.of("is absolute");
        }
        if (name.indexOf('\0') >= 0) {
            return Optional.of("holds a NUL character");
        }
        for (String part : name.split("/", -1)) {
            if (part.isEmpty()) {
                return Optional.of("has an empty part (a doubled or trailing '/')");
            }
            if (part.equals(".") || part.equals("..")) {
                return Optional.of("has a '" + part + "' part");
            }
        }
        return Optional.empty();
    }

    /** The first part of a name: the top-level file or directory it restores into. */
    static String top(String name) {
        int slash = name.indexOf('/');
        return slash < 0 ? name : name.substring(0, slash);
    }
}
