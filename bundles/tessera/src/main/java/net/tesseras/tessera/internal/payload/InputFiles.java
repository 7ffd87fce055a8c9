package net.tesseras.tessera.internal.payload;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.tesseras.tessera.Tier;

/**
 * Finds the regular files of the paths a person gives: files as they are, directories
 * recursively. Symbolic links to files and directories are followed; a link loop, a broken link,
 * an unreadable entry or a special file (fifo, socket, device) is refused with its path, never
 * skipped silently, so a tessera holds exactly what the person meant.
 */
public final class InputFiles {

    /** Orders names part by part, as a tree is listed: {@code a/b} before {@code a.b/c}. */
    static final Comparator<String> TREE_ORDER = (a, b) -> {
        String[] left = a.split("/", -1);
        String[] right = b.split("/", -1);
        for (int i = 0; i < Math.min(left.length, right.length); i++) {
            int c = left[i].compareTo(right[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(left.length, right.length);
    };

    private final long maxTotal;

    /** Refuses more than {@link Tier#MAX_PAYLOAD} bytes of files in all. */
    public InputFiles() {
        this(Tier.MAX_PAYLOAD);
    }

    InputFiles(long maxTotal) {
        this.maxTotal = maxTotal;
    }

    /**
     * The regular files under {@code paths}, ordered by relative name.
     *
     * @throws TesseraInputException naming the path when a path holds nothing to store, cannot be
     *     read, is a special file or a broken link, loops through a symbolic link, two inputs give
     *     the same name, or the files are more than the largest tier takes
     */
    public List<InputFile> collect(List<Path> paths) throws TesseraInputException {
        if (paths.isEmpty()) {
            throw new TesseraInputException(Path.of(""), "no files or directories given; name at least one");
        }
        List<InputFile> files = new ArrayList<>();
        for (Path path : paths) {
            files.addAll(collect(path));
        }
        files.sort(Comparator.comparing(InputFile::name, TREE_ORDER));
        refuseDuplicateNames(files);
        long total = 0;
        for (InputFile file : files) {
            total += file.size();
            if (total > maxTotal) {
                throw new TesseraInputException(file.source(), "the files come to more than " + maxTotal
                        + " bytes, the most one tessera holds (10 GiB); store them in several tesseras");
            }
        }
        return files;
    }

    private List<InputFile> collect(Path given) throws TesseraInputException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(given, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new TesseraInputException(given, Files.isSymbolicLink(given)
                    ? "is a symbolic link to nothing (" + target(given) + " does not exist); fix or remove the link"
                    : "does not exist; check the path");
        } catch (AccessDeniedException e) {
            throw unreadable(given);
        } catch (FileSystemLoopException e) {
            throw loop(given);
        } catch (IOException e) {
            throw new TesseraInputException(given, "cannot be read (" + e.getMessage() + ")");
        }
        Path fileName = given.toAbsolutePath().normalize().getFileName();
        String base = fileName == null ? "" : fileName.toString();
        if (attributes.isRegularFile()) {
            requireReadable(given);
            return List.of(new InputFile(given, base, attributes.size()));
        }
        if (!attributes.isDirectory()) {
            throw special(given);
        }
        List<InputFile> found = walk(given, base);
        if (found.isEmpty()) {
            throw new TesseraInputException(given, "holds no files, so there is nothing to store"
                    + " (empty directories are not kept); add files or give another path");
        }
        return found;
    }

    private List<InputFile> walk(Path root, String base) throws TesseraInputException {
        List<InputFile> found = new ArrayList<>();
        try {
            Files.walkFileTree(root, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    if (!Files.isReadable(dir) || !Files.isExecutable(dir)) {
                        throw new Refusal(unreadable(dir));
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    if (attrs.isSymbolicLink()) {
                        // With FOLLOW_LINKS a link arrives here only when its target cannot be reached.
                        throw new Refusal(new TesseraInputException(file, "is a symbolic link to nothing ("
                                + target(file) + " does not exist); fix or remove the link"));
                    }
                    if (!attrs.isRegularFile()) {
                        throw new Refusal(special(file));
                    }
                    try {
                        requireReadable(file);
                    } catch (TesseraInputException e) {
                        throw new Refusal(e);
                    }
                    String relative = root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
                    found.add(new InputFile(file, base.isEmpty() ? relative : base + "/" + relative, attrs.size()));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof FileSystemLoopException) {
                        throw new Refusal(loop(file));
                    }
                    if (e instanceof AccessDeniedException) {
                        throw new Refusal(unreadable(file));
                    }
                    throw new Refusal(new TesseraInputException(file, "cannot be read (" + e + "); fix it or leave it out"));
                }
            });
        } catch (Refusal refusal) {
            throw refusal.reason;
        } catch (IOException e) {
            throw new TesseraInputException(root, "cannot be read (" + e + "); fix it or leave it out");
        }
        return found;
    }

    private static void refuseDuplicateNames(List<InputFile> files) throws TesseraInputException {
        Map<String, InputFile> byName = new HashMap<>();
        for (InputFile file : files) {
            InputFile earlier = byName.putIfAbsent(file.name(), file);
            if (earlier != null) {
                throw new TesseraInputException(file.source(), "would be stored as '" + file.name()
                        + "', as " + earlier.source() + " is; give each path once, or rename one of them");
            }
        }
    }

    private static void requireReadable(Path file) throws TesseraInputException {
        if (!Files.isReadable(file)) {
            throw unreadable(file);
        }
    }

    private static TesseraInputException unreadable(Path path) {
        return new TesseraInputException(path, "cannot be read (permission denied); give read permission or leave it out");
    }

    private static TesseraInputException loop(Path path) {
        return new TesseraInputException(path, "is a symbolic link loop: it leads back to a directory that contains it;"
                + " remove the link or give its target directly");
    }

    private static TesseraInputException special(Path path) {
        return new TesseraInputException(path, "is not a regular file (a fifo, socket or device);"
                + " only regular files can be stored, so leave it out");
    }

    private static String target(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return "its target";
        }
    }

    /** Carries a refusal out of the file visitor, whose methods may throw only IOException. */
    private static final class Refusal extends IOException {
        private static final long serialVersionUID = 1L;
        private final TesseraInputException reason;

        Refusal(TesseraInputException reason) {
            super(reason.getMessage());
            this.reason = reason;
        }
    }
}
