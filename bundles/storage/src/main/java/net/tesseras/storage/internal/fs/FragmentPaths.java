package net.tesseras.storage.internal.fs;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.tesseras.core.ContentHash;
import net.tesseras.core.FragmentId;

/**
 * The file layout of the fs backend: {@code {root}/{tessera_hex}/{index:03}.shard}.
 *
 * <p>Paths are only ever built from a parsed {@link ContentHash} (64 hex characters) and a
 * checked index, so no input can reach outside the root.
 */
final class FragmentPaths {

    /**
     * Where earlier versions moved shard files the index did not know; start-up now re-indexes such
     * files in place and moves these back (see FsFragmentStore's reconcile).
     */
    static final String LOST_AND_FOUND = "lost+found";

    private static final Pattern SHARD = Pattern.compile("([0-9]{3,5})\\.shard");
    // ASCII only: Character.isDigit and Character.digit also accept fullwidth and other digits.
    private static final Pattern TESSERA_DIRECTORY = Pattern.compile("[0-9a-f]{64}");
    private static final String TEMP_SUFFIX = ".tmp";
    private static final Pattern TEMPORARY = Pattern.compile("\\.[0-9]{3,5}\\.shard\\.-?[0-9a-f]{1,16}\\.tmp");

    private final Path root;

    FragmentPaths(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    Path root() {
        return root;
    }

    Path directory(ContentHash tessera) {
        return root.resolve(tessera.toHex());
    }

    Path file(ContentHash tessera, int index) {
        return directory(tessera).resolve(fileName(index));
    }

    /** The path recorded in the index: relative to the root, so the root can move. */
    String relative(ContentHash tessera, int index) {
        return tessera.toHex() + "/" + fileName(index);
    }

    /** A fresh temporary name beside the final file; a leading dot keeps it out of listings. */
    Path temporary(ContentHash tessera, int index, long unique) {
        return directory(tessera).resolve("." + fileName(index) + "." + Long.toHexString(unique) + TEMP_SUFFIX);
    }

    Path lostAndFound() {
        return root.resolve(LOST_AND_FOUND);
    }

    static String fileName(int index) {
        return String.format("%03d.shard", FragmentId.checkIndex(index));
    }

    /** The index a shard file name stands for, if it is one this layout writes. */
    static OptionalInt indexOf(String fileName) {
        Matcher m = SHARD.matcher(fileName);
        if (!m.matches()) {
            return OptionalInt.empty();
        }
        int index = Integer.parseInt(m.group(1));
        // Only the canonical spelling counts: "0007.shard" is not fragment 7's file.
        return index <= FragmentId.MAX_INDEX && fileName(index).equals(fileName)
                ? OptionalInt.of(index) : OptionalInt.empty();
    }

    /** The tessera a directory name stands for, if it is one this layout writes (64 lowercase ASCII hex). */
    static Optional<ContentHash> tesseraOf(String directoryName) {
        return TESSERA_DIRECTORY.matcher(directoryName).matches()
                ? Optional.of(ContentHash.parse(directoryName)) : Optional.empty();
    }

    /** Whether a name is one {@link #temporary} makes: only those are ever deleted on start. */
    static boolean isTemporary(String fileName) {
        return TEMPORARY.matcher(fileName).matches();
    }
}
