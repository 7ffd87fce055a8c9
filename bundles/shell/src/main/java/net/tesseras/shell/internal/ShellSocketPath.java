package net.tesseras.shell.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Where the shell socket may live, and preparing that place without harming anything else.
 *
 * <p>The rule: {@code socket.path} names a path inside {@code <data>/run} (relative paths are
 * resolved against the data directory), after normalising it and following the symbolic links of
 * the directories that exist; what it names must not exist, or be a socket (one left by a node that
 * was killed: the launcher's lock on the data directory guarantees no other node uses it). Anything
 * else (the database, the node key, a directory, a symbolic link) is refused and never touched.
 */
final class ShellSocketPath {

    static final String KEY = "socket.path";
    static final String DEFAULT = "run/shell.sock";
    private static final int MAX_SOCKET_PATH_BYTES = 100;
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private ShellSocketPath() {}

    /** A refused {@code socket.path}; the message names the key, the value and the fix. */
    static final class RefusedException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        RefusedException(String value, String why) {
            super(KEY + " = " + value + " in etc/" + LocalShellServer.PID + ".cfg is refused: " + why
                    + "; set it to a path under the data directory's run/ (default " + DEFAULT + ")");
        }
    }

    /**
     * Checks {@code value} and returns the absolute socket path it names, creating its directory
     * (owner-only) when that is missing. Never deletes anything.
     *
     * @throws RefusedException if the path is outside {@code <data>/run} or names something that is not a socket
     */
    static Path prepare(Path dataDirectory, String value) throws IOException {
        if (value == null || value.isBlank()) {
            throw new RefusedException(String.valueOf(value), "it is empty");
        }
        Path data = dataDirectory.toAbsolutePath().normalize();
        Path run = data.resolve("run");
        Path socket;
        try {
            socket = data.resolve(value.trim()).normalize();
        } catch (InvalidPathException e) {
            throw new RefusedException(value, "it is not a valid path (" + e.getMessage() + ")");
        }
        if (!socket.startsWith(run) || socket.equals(run)) {
            throw new RefusedException(value, socket + " is outside " + run);
        }
        if (socket.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH_BYTES) {
            throw new RefusedException(value, socket + " is longer than a Unix socket path may be ("
                    + MAX_SOCKET_PATH_BYTES + " bytes); choose a shorter name, or a shorter TESSERAS_DATA");
        }
        // Every directory between run/ and the socket: created here if missing, never a link out of run/.
        Files.createDirectories(run);
        Path realRun = run.toRealPath();
        Path directory = socket.getParent();
        Path existing = directory;
        while (!Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        Path realExisting;
        try {
            realExisting = existing.toRealPath();
        } catch (NoSuchFileException e) {
            throw new RefusedException(value, existing + " is a broken symbolic link");
        }
        if (!realExisting.startsWith(realRun)) {
            throw new RefusedException(value, existing + " leads out of " + run + " (to " + realExisting
                    + ") through a symbolic link");
        }
        if (!Files.isDirectory(existing)) {
            throw new RefusedException(value, existing + " is not a directory");
        }
        Files.createDirectories(directory);
        // Only the node's user may enter the directory that holds the socket.
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return socket;
        }
        if (!isSocket(socket, attributes)) {
            String kind = attributes.isSymbolicLink() ? "a symbolic link" : attributes.isDirectory() ? "a directory"
                    : attributes.isRegularFile() ? "a regular file" : "not a socket";
            throw new RefusedException(value, socket + " exists and is " + kind + ", not the node's socket; it is left untouched");
        }
        return socket;
    }

    /** True if {@code path} exists and is a Unix socket (never follows a link). */
    static boolean isSocket(Path path) throws IOException {
        try {
            return isSocket(path, Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    private static boolean isSocket(Path path, BasicFileAttributes attributes) throws IOException {
        if (!attributes.isOther()) {
            return false;
        }
        try {
            Object mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return mode instanceof Integer m && (m & S_IFMT) == S_IFSOCK;
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            // No unix attribute view: "other" (not a file, directory or link) is the best we can tell.
            return true;
        }
    }

    /** Removes our socket file, and only if it still is a socket. */
    static void removeSocket(Path socket) throws IOException {
        if (isSocket(socket)) {
            Files.deleteIfExists(socket);
        }
    }
}
