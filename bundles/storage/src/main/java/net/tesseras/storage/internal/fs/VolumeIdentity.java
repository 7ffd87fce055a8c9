package net.tesseras.storage.internal.fs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import net.tesseras.database.Database;
import net.tesseras.storage.FragmentStoreException;

/**
 * Ties a fragment directory to the index that describes it, so that neither is ever reconciled
 * against the wrong other half.
 *
 * <p>The root holds a marker file with a random volume id; the index records the same id for the
 * store. A database pointed at a directory it never indexed (a wrong {@code path}), or an index
 * pointed at a directory that is not its own (a volume that is not mounted, a wrong {@code root}),
 * would otherwise see every file as an orphan or every fragment as missing. Both are refused with
 * a message saying what to check, and nothing is touched.
 */
final class VolumeIdentity {

    static final String MARKER = ".tesseras-volume";

    private VolumeIdentity() {}

    /** Checks (or, for a new store on an empty directory, establishes) the pairing. */
    static void verify(String store, Path root, Database database) {
        Path marker = root.resolve(MARKER);
        Optional<String> onDisk = read(marker);
        Optional<String> indexed = database.read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT volume_id FROM fs_stores WHERE store = ?")) {
                p.setString(1, store);
                try (ResultSet rs = p.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        });
        if (onDisk.isPresent() && indexed.isPresent()) {
            if (!onDisk.get().equals(indexed.get())) {
                throw new FragmentStoreException("fs store '" + store + "': " + root + " is volume " + onDisk.get()
                        + " but the database indexes volume " + indexed.get() + " for this store; check 'root' in "
                        + "etc/net.tesseras.storage.fs*.cfg and 'path' in etc/net.tesseras.storage.cfg. Nothing was changed.");
            }
            return;
        }
        if (onDisk.isPresent()) {
            throw new FragmentStoreException("fs store '" + store + "': " + root + " holds volume " + onDisk.get()
                    + ", which this database has never indexed (is 'path' in etc/net.tesseras.storage.cfg the right "
                    + "database?). Nothing was changed.");
        }
        if (indexed.isPresent()) {
            throw new FragmentStoreException("fs store '" + store + "': the database indexes volume " + indexed.get()
                    + " but " + root + " has no " + MARKER + " (is the volume mounted? is 'root' right?). Nothing was changed.");
        }
        if (hasShards(root)) {
            throw new FragmentStoreException("fs store '" + store + "': " + root + " already holds fragment directories "
                    + "but no " + MARKER + "; refusing to adopt them unverified. Nothing was changed.");
        }
        establish(store, root, marker, database);
    }

    private static void establish(String store, Path root, Path marker, Database database) {
        String id = UUID.randomUUID().toString();
        Properties properties = new Properties();
        properties.setProperty("store", store);
        properties.setProperty("volume", id);
        try {
            Path temp = root.resolve(MARKER + ".tmp");
            try (var out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
                properties.store(out, "Tesseras fragment volume: ties this directory to its index. Do not edit or copy.");
            }
            Files.move(temp, marker, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new FragmentStoreException("fs store '" + store + "': cannot write " + marker + ": " + e, e);
        }
        database.write(c -> {
            try (PreparedStatement p = c.prepareStatement(
                    "INSERT INTO fs_stores(store, volume_id, root, created_at) VALUES (?, ?, ?, ?)")) {
                p.setString(1, store);
                p.setString(2, id);
                p.setString(3, root.toString());
                p.setLong(4, System.currentTimeMillis());
                return p.executeUpdate();
            }
        });
    }

    private static Optional<String> read(Path marker) {
        if (!Files.exists(marker)) {
            return Optional.empty();
        }
        Properties properties = new Properties();
        try (var in = Files.newBufferedReader(marker, StandardCharsets.UTF_8)) {
            properties.load(in);
        } catch (IOException e) {
            throw new FragmentStoreException("cannot read " + marker + ": " + e, e);
        }
        String id = properties.getProperty("volume");
        if (id == null || id.isBlank()) {
            throw new FragmentStoreException(marker + " is damaged (no volume id); restore it from a backup");
        }
        return Optional.of(id.trim());
    }

    private static boolean hasShards(Path root) {
        try (var entries = Files.list(root)) {
            return entries.anyMatch(p -> Files.isDirectory(p)
                    && FragmentPaths.tesseraOf(p.getFileName().toString()).isPresent());
        } catch (IOException e) {
            throw new FragmentStoreException("cannot list " + root + ": " + e, e);
        }
    }
}
