package net.tesseras.shell.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Creating a new file whole or not at all: the bytes go to a temporary file beside the target (so
 * the final move stays on one file system), which is fsynced and then linked into place only if
 * the target still does not exist. On any failure, an interruption included, the temporary file
 * is removed and the target is never created.
 */
final class AtomicFiles {

    /** Prefix of the temporary files, so a person who finds one after a crash knows what it was. */
    static final String TEMP_PREFIX = ".tesseras-";

    /** Writes the content of a new file. */
    interface Writer {
        void write(FileChannel out) throws IOException;
    }

    /** Fills a temporary file named {@code temp} (the writer creates it) before it is moved into place. */
    interface PathWriter {
        void write(Path temp) throws IOException;
    }

    private AtomicFiles() {}

    /** Checks that {@code target} can be created: its directory exists and nothing has its name. */
    static void checkNew(Path target) {
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException(target + " already exists; remove it or choose another name");
        }
        Path directory = target.getParent();
        if (directory == null || !Files.isDirectory(directory)) {
            throw new IllegalArgumentException("cannot write " + target + ": its directory does not exist");
        }
    }

    /** Creates {@code target} with what {@code writer} writes, atomically. */
    static void writeNew(Path target, Writer writer) throws IOException {
        checkNew(target);
        Path temp = createTemp(target);
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                writer.write(out);
                out.force(true);
            }
            publish(temp, target);
            temp = null;
        } finally {
            deleteQuietly(temp);
        }
    }

    /**
     * Creates {@code target} from a file that {@code writer} creates at a path it is given (for a
     * writer that insists on making the file itself, such as the transport's fetch).
     */
    static void writeNewVia(Path target, PathWriter writer) throws IOException {
        checkNew(target);
        Path temp = createTemp(target);
        try {
            Files.delete(temp);
            writer.write(temp);
            publish(temp, target);
            temp = null;
        } finally {
            deleteQuietly(temp);
        }
    }

    static Path createTemp(Path target) throws IOException {
        try {
            return Files.createTempFile(target.getParent(), TEMP_PREFIX + target.getFileName() + ".", ".tmp");
        } catch (AccessDeniedException e) {
            throw new IOException("cannot write into " + target.getParent() + ": permission denied", e);
        } catch (NoSuchFileException e) {
            throw new IOException("cannot write " + target + ": its directory does not exist", e);
        }
    }

    /** Moves the complete temporary file to {@code target}, never over an existing file. */
    static void publish(Path temp, Path target) throws IOException {
        try {
            // A hard link fails if the target exists, where a rename would silently replace it.
            Files.createLink(target, temp);
        } catch (FileAlreadyExistsException e) {
            throw new IllegalArgumentException(target + " already exists; remove it or choose another name");
        } catch (UnsupportedOperationException | FileSystemException e) {
            // A file system without hard links: a rename is atomic too, checked just before.
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new IllegalArgumentException(target + " already exists; remove it or choose another name");
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            return;
        }
        deleteQuietly(temp);
    }

    static void deleteQuietly(Path temp) {
        if (temp != null) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // Nothing more can be done; the name says what it is.
            }
        }
    }
}
