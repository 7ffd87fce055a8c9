package net.tesseras.shell.internal;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import org.apache.felix.service.command.CommandSession;

/**
 * Paths typed in a command resolve where the person typing them is: against the working directory
 * and home directory the shell client sent (for {@code bin/tesseras shell}), else against the node's
 * own (the console in the node's terminal).
 */
final class CommandPaths {

    /** Session variable holding the caller's home directory (Gogo's own {@code ~} expansion reads it too). */
    static final String HOME = "HOME";

    private CommandPaths() {}

    static Path resolve(CommandSession session, String text) {
        Object home = session == null ? null : session.get(HOME);
        Path cwd = session == null ? null : session.currentDir();
        return resolve(cwd, home == null ? null : Path.of(home.toString()), text);
    }

    /** {@code ~} and {@code ~/…} against {@code home}, a relative path against {@code cwd}; normalised. */
    static Path resolve(Path cwd, Path home, String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a file name is required");
        }
        Path userHome = home != null ? home : Path.of(System.getProperty("user.home"));
        try {
            Path p;
            if (text.equals("~")) {
                p = userHome;
            } else if (text.startsWith("~/")) {
                p = userHome.resolve(text.substring(2));
            } else if (text.startsWith("~")) {
                throw new IllegalArgumentException("'" + text + "': only ~ and ~/ (your own home directory) are understood");
            } else {
                p = Path.of(text);
                if (!p.isAbsolute() && cwd != null) {
                    p = cwd.resolve(p);
                }
            }
            return p.toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("'" + text + "' is not a valid path: " + e.getMessage());
        }
    }
}
