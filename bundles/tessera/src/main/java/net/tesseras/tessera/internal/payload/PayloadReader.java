package net.tesseras.tessera.internal.payload;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.stream.Stream;
import net.tesseras.core.Blake3;
import net.tesseras.core.ContentHash;
import net.tesseras.identity.Ed25519;
import net.tesseras.tessera.Manifest;
import net.tesseras.tessera.ManifestEntry;
import net.tesseras.tessera.ManifestFormatException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Reads a payload tar (for example the joined data shards) and checks everything in it: the
 * manifest parses, its signature verifies with the creator key in the tar, that key is the
 * manifest's creator, every media file has the BLAKE3 hash and size its manifest entry states,
 * the content hash agrees with the entries, and every meta.json is sound and names only safe
 * relative paths. It reports which part failed rather than stopping at the first fault.
 *
 * <p>{@link #export} restores the files under their original names. Nothing in the tar is used
 * as a path except names that passed the check, and only inside the destination.
 */
public final class PayloadReader {

    /** The folder beside the restored files that holds the tessera's own entries. */
    public static final String PROOF_FOLDER = "tessera";

    private static final int BUFFER = 64 * 1024;
    private static final long MAX_MANIFEST = 64L << 20;
    private static final long MAX_META = 16L << 20;
    private static final long MAX_README = 1L << 20;
    private static final long MAX_IDENTITY = 1024;

    /** Checks a payload read to its end from {@code tar}; problems are reported, never thrown. */
    public PayloadCheck check(InputStream tar) {
        return evaluate(scan(tar, null));
    }

    /**
     * The payload's signed manifest as its exact bytes, with the signature and the creator key the
     * tar carries: what a node records when it takes up a tessera created elsewhere.
     *
     * @param manifest MANIFEST's bytes, or null when it is missing or too large
     * @param signature identity/ed25519.sig, or null
     * @param creatorKey identity/creator.pub.ed25519, or null
     */
    public record SignedManifest(byte[] manifest, byte[] signature, byte[] creatorKey) {
    }

    /** A check with the signed manifest's bytes. */
    public record Checked(PayloadCheck check, SignedManifest signed) {
    }

    /** {@link #check}, keeping the manifest's bytes, its signature and the creator key as read. */
    public Checked checkKeepingManifest(InputStream tar) {
        Scan scan = scan(tar, null);
        PayloadCheck check = evaluate(scan);
        return new Checked(check, new SignedManifest(scan.manifestBytes, scan.signature, scan.creatorKey));
    }

    /**
     * Checks the payload and restores its files into {@code destination}, which must not exist
     * or be an empty directory: files under their original relative names, and README, MANIFEST,
     * identity/ and memories/&lt;hash&gt;/meta.json in a proof folder beside them
     * ({@value #PROOF_FOLDER}, or {@code tessera-N} when the files use that name). Everything is
     * written into a hidden sibling directory first and renamed into place at the end, so a failure
     * leaves nothing half-written and nothing is ever overwritten.
     *
     * @throws PayloadException when the destination is refused or the payload has problems (listed)
     * @throws IOException when writing the files fails
     */
    public ExportResult export(InputStream tar, Path destination) throws PayloadException, IOException {
        Path target = destination.toAbsolutePath().normalize();
        Path parent = target.getParent();
        if (parent == null) {
            throw new PayloadException("cannot export into " + destination + ": choose a directory below it");
        }
        requireUsableDestination(destination, target);
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new PayloadException("cannot export into " + destination + ": its parent " + parent
                    + " cannot be created (" + e + "); choose another destination");
        }
        if (!Files.isDirectory(parent) || !Files.isWritable(parent)) {
            throw new PayloadException("cannot export into " + destination + ": " + parent
                    + " is not a writable directory; choose another destination or fix its permissions");
        }
        String base = "." + target.getFileName() + ".";
        Path staging;
        Path building;
        try {
            staging = Files.createTempDirectory(parent, base + "staging-");
            building = Files.createTempDirectory(parent, base + "partial-");
        } catch (AccessDeniedException e) {
            throw new PayloadException("cannot export into " + destination + ": " + parent
                    + " is not writable (" + e.getMessage() + "); choose another destination or fix its permissions");
        }
        try {
            Scan scan = scan(tar, staging);
            PayloadCheck check = evaluate(scan);
            if (!check.ok()) {
                throw new PayloadException("the tessera was not exported to " + destination
                        + " because its payload has problems", check.problems());
            }
            ExportResult result = restore(scan, check, building, target);
            requireUsableDestination(destination, target);
            try {
                // rename(2): atomic, and it replaces only an empty directory, never files.
                Files.move(building, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new PayloadException("cannot move the exported files into " + destination + " (" + e
                        + "); was something written there meanwhile? Nothing was overwritten");
            }
            return result;
        } finally {
            deleteTree(staging);
            deleteTree(building);
        }
    }

    private static void requireUsableDestination(Path given, Path target) throws PayloadException {
        if (Files.isSymbolicLink(target)) {
            throw new PayloadException("will not export into " + given + ": it is a symbolic link; choose a new directory");
        }
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new PayloadException("will not export into " + given + ": it exists and is not a directory;"
                        + " choose a new directory");
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(target)) {
                if (entries.iterator().hasNext()) {
                    throw new PayloadException("will not export into " + given + ": it is not empty and nothing is"
                            + " ever overwritten; choose a new or empty directory");
                }
            } catch (IOException e) {
                throw new PayloadException("cannot export into " + given + ": it cannot be read (" + e + ")");
            }
        }
    }

    private ExportResult restore(Scan scan, PayloadCheck check, Path building, Path target)
            throws IOException, PayloadException {
        Set<String> topLevel = new HashSet<>();
        int files = 0;
        long bytes = 0;
        for (StoredMemory memory : check.memories()) {
            Path staged = scan.media.get(memory.path()).staged;
            for (String name : memory.originalNames()) {
                topLevel.add(RelativeNames.top(name).toLowerCase(Locale.ROOT));
                Path file = building.resolve(name).normalize();
                if (!file.startsWith(building) || file.equals(building)) {
                    throw new PayloadException("the original name '" + name + "' leads outside the destination");
                }
                try {
                    Files.createDirectories(file.getParent());
                    Files.copy(staged, file);
                } catch (FileAlreadyExistsException e) {
                    throw new PayloadException("the original name '" + name + "' clashes with another restored file");
                }
                files++;
                bytes += memory.size();
            }
        }
        String proofName = PROOF_FOLDER;
        for (int n = 1; topLevel.contains(proofName); n++) {
            proofName = PROOF_FOLDER + "-" + n;
        }
        Path proof = building.resolve(proofName);
        write(proof.resolve(PayloadLayout.MANIFEST), scan.manifestBytes);
        write(proof.resolve(PayloadLayout.SIGNATURE), scan.signature);
        write(proof.resolve(PayloadLayout.CREATOR_KEY), scan.creatorKey);
        if (scan.readme != null) {
            write(proof.resolve(PayloadLayout.README), scan.readme);
        }
        for (StoredMemory memory : check.memories()) {
            write(proof.resolve(PayloadLayout.meta(memory.hash())), scan.metas.get(memory.hash().toHex()));
        }
        return new ExportResult(target, target.resolve(proofName), files, bytes, check);
    }

    private static void write(Path file, byte[] content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, content, StandardOpenOption.CREATE_NEW);
    }

    /** One pass over the tar: small entries kept, media hashed (and staged to files when exporting). */
    private Scan scan(InputStream in, Path staging) {
        Scan scan = new Scan();
        Set<String> seen = new HashSet<>();
        try {
            TarArchiveInputStream tar = new TarArchiveInputStream(in, "UTF-8");
            TarArchiveEntry entry;
            int staged = 0;
            while ((entry = tar.getNextEntry()) != null) {
                String name = entry.getName();
                if (entry.isDirectory()) {
                    continue;
                }
                if (!seen.add(name)) {
                    scan.problem(name, "appears twice in the archive");
                    continue;
                }
                if (!isRegularFile(entry)) {
                    scan.problem(name, "is not a regular file (a link, device or fifo): a payload holds only files");
                    continue;
                }
                Matcher media = PayloadLayout.MEDIA.matcher(name);
                Matcher meta = PayloadLayout.META.matcher(name);
                switch (name) {
                    case PayloadLayout.README -> scan.readme = small(scan, tar, entry, MAX_README);
                    case PayloadLayout.MANIFEST -> scan.manifestBytes = small(scan, tar, entry, MAX_MANIFEST);
                    case PayloadLayout.SIGNATURE -> scan.signature = small(scan, tar, entry, MAX_IDENTITY);
                    case PayloadLayout.CREATOR_KEY -> scan.creatorKey = small(scan, tar, entry, MAX_IDENTITY);
                    default -> {
                        if (media.matches()) {
                            Path file = staging == null ? null : staging.resolve(Integer.toString(staged++));
                            scan.media.put(name, hashed(tar, file));
                        } else if (meta.matches()) {
                            byte[] bytes = small(scan, tar, entry, MAX_META);
                            if (bytes != null) {
                                scan.metas.put(meta.group(1), bytes);
                            }
                        } else {
                            scan.problem(name, "is not part of a tessera payload");
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            scan.problem("payload", "is not a readable tar archive (" + e.getMessage() + ")");
        }
        return scan;
    }

    private static boolean isRegularFile(TarArchiveEntry entry) {
        byte flag = entry.getLinkFlag();
        return flag == TarConstants.LF_NORMAL || flag == TarConstants.LF_OLDNORM || flag == TarConstants.LF_CONTIG;
    }

    private static byte[] small(Scan scan, TarArchiveInputStream tar, TarArchiveEntry entry, long max) throws IOException {
        if (entry.getSize() > max) {
            scan.problem(entry.getName(), "is " + entry.getSize() + " bytes, more than the " + max + " it may have");
            return null;
        }
        return tar.readAllBytes();
    }

    private static Seen hashed(InputStream tar, Path stagedFile) throws IOException {
        Blake3 hasher = new Blake3();
        byte[] buffer = new byte[BUFFER];
        long size = 0;
        try (OutputStream out = stagedFile == null ? OutputStream.nullOutputStream()
                : Files.newOutputStream(stagedFile, StandardOpenOption.CREATE_NEW)) {
            int n;
            while ((n = tar.read(buffer)) >= 0) {
                hasher.update(buffer, 0, n);
                out.write(buffer, 0, n);
                size += n;
            }
        }
        return new Seen(hasher.finish(), size, stagedFile);
    }

    private static PayloadCheck evaluate(Scan scan) {
        Manifest manifest = null;
        if (scan.manifestBytes == null) {
            scan.problem(PayloadLayout.MANIFEST, "is missing");
        } else {
            try {
                manifest = Manifest.parse(scan.manifestBytes);
            } catch (ManifestFormatException e) {
                scan.problem(PayloadLayout.MANIFEST, e.getMessage());
            }
        }
        boolean signatureValid = checkSignature(scan, manifest);
        List<StoredMemory> memories = new ArrayList<>();
        if (manifest != null) {
            checkFiles(scan, manifest);
            memories = checkMetas(scan, manifest);
        }
        return new PayloadCheck(Optional.ofNullable(manifest), signatureValid, memories, scan.problems);
    }

    private static boolean checkSignature(Scan scan, Manifest manifest) {
        boolean signatureShaped = requireLength(scan, PayloadLayout.SIGNATURE, scan.signature, Ed25519.SIGNATURE_LENGTH);
        boolean keyShaped = requireLength(scan, PayloadLayout.CREATOR_KEY, scan.creatorKey, Ed25519.PUBLIC_KEY_LENGTH);
        if (manifest != null) {
            Optional<byte[]> creator = manifest.creatorKey();
            if (creator.isEmpty()) {
                scan.problem(PayloadLayout.MANIFEST, "its creator '" + manifest.creator()
                        + "' is not a 64-hex Ed25519 public key");
            } else if (keyShaped && !Arrays.equals(creator.get(), scan.creatorKey)) {
                scan.problem(PayloadLayout.CREATOR_KEY, "is not the manifest's creator " + manifest.creator());
            }
        }
        if (scan.manifestBytes == null || !signatureShaped || !keyShaped) {
            return false;
        }
        boolean valid = Ed25519.verify(scan.creatorKey, scan.manifestBytes, scan.signature);
        if (!valid) {
            scan.problem(PayloadLayout.SIGNATURE, "does not verify: MANIFEST is not what the creator signed,"
                    + " or the signature is damaged");
        }
        return valid;
    }

    private static boolean requireLength(Scan scan, String part, byte[] bytes, int length) {
        if (bytes == null) {
            scan.problem(part, "is missing");
            return false;
        }
        if (bytes.length != length) {
            scan.problem(part, "is " + bytes.length + " bytes, not " + length);
            return false;
        }
        return true;
    }

    private static void checkFiles(Scan scan, Manifest manifest) {
        Set<String> reported = new HashSet<>();
        for (ManifestEntry entry : manifest.entries()) {
            String path = entry.path();
            Matcher media = PayloadLayout.MEDIA.matcher(path);
            String problem;
            Seen seen = scan.media.get(path);
            if (!media.matches()) {
                problem = "is not a memories/<hash>/media.<ext> path";
            } else if (!media.group(1).equals(entry.hash().toHex())) {
                problem = "lies in the folder of another hash than its blake3:" + entry.hash();
            } else if (seen == null) {
                problem = "is listed in MANIFEST but missing from the archive";
            } else if (!seen.hash.equals(entry.hash())) {
                problem = "has BLAKE3 " + seen.hash + ", MANIFEST says " + entry.hash();
            } else if (seen.size != entry.size()) {
                problem = "is " + seen.size + " bytes, MANIFEST says " + entry.size();
            } else {
                continue;
            }
            if (reported.add(path + problem)) {
                scan.problem(path, problem);
            }
        }
        ContentHash computed = manifest.computedContentHash();
        if (!computed.equals(manifest.contentHash())) {
            scan.problem(PayloadLayout.MANIFEST, "its content_hash " + manifest.contentHash()
                    + " is not the one its files give, " + computed);
        }
        Set<String> listed = new HashSet<>(manifest.entries().stream().map(ManifestEntry::path).toList());
        for (String path : scan.media.keySet()) {
            if (!listed.contains(path)) {
                scan.problem(path, "is not listed in MANIFEST");
            }
        }
    }

    private static List<StoredMemory> checkMetas(Scan scan, Manifest manifest) {
        Map<ContentHash, ManifestEntry> byHash = new LinkedHashMap<>();
        for (ManifestEntry entry : manifest.entries()) {
            byHash.putIfAbsent(entry.hash(), entry);
        }
        List<StoredMemory> memories = new ArrayList<>();
        Map<String, String> owners = new HashMap<>();
        for (ManifestEntry entry : byHash.values()) {
            String metaPath = PayloadLayout.meta(entry.hash());
            byte[] bytes = scan.metas.get(entry.hash().toHex());
            if (bytes == null) {
                scan.problem(metaPath, "is missing, so the file's original name is unknown");
                continue;
            }
            MemoryMeta meta;
            try {
                meta = MemoryMeta.parse(bytes);
            } catch (IllegalArgumentException e) {
                scan.problem(metaPath, e.getMessage());
                continue;
            }
            String mediaName = entry.path().substring(entry.path().lastIndexOf('/') + 1);
            if (!meta.media().equals(mediaName) || meta.size() != entry.size()) {
                scan.problem(metaPath, "describes " + meta.media() + " of " + meta.size() + " bytes, MANIFEST lists "
                        + mediaName + " of " + entry.size());
                continue;
            }
            boolean sound = true;
            for (String name : meta.originalNames()) {
                Optional<String> unsafe = RelativeNames.problem(name);
                String owner = owners.putIfAbsent(name, metaPath);
                if (unsafe.isPresent()) {
                    scan.problem(metaPath, "the original name '" + name + "' " + unsafe.get() + ", so it cannot be restored");
                    sound = false;
                } else if (owner != null) {
                    scan.problem(metaPath, "the original name '" + name + "' is also given in " + owner);
                    sound = false;
                }
            }
            if (sound) {
                memories.add(new StoredMemory(entry.hash(), mediaName, entry.mime(), entry.size(), meta.originalNames()));
            }
        }
        checkNamesNest(scan, owners);
        for (String hex : scan.metas.keySet()) {
            if (!byHash.containsKey(ContentHash.parse(hex))) {
                scan.problem("memories/" + hex + "/meta.json", "belongs to no file in MANIFEST");
            }
        }
        return memories;
    }

    /** A name used as a file and as a folder of another name cannot both be restored. */
    private static void checkNamesNest(Scan scan, Map<String, String> owners) {
        for (String name : owners.keySet().stream().sorted(Comparator.naturalOrder()).toList()) {
            for (int slash = name.indexOf('/'); slash > 0; slash = name.indexOf('/', slash + 1)) {
                String folder = name.substring(0, slash);
                if (owners.containsKey(folder)) {
                    scan.problem(owners.get(name), "the original name '" + name + "' needs '" + folder
                            + "' as a folder, but " + owners.get(folder) + " restores a file there");
                }
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    /** A media entry as read. */
    private record Seen(ContentHash hash, long size, Path staged) {
    }

    /** Everything one pass over the tar gathered. */
    private static final class Scan {
        byte[] readme;
        byte[] manifestBytes;
        byte[] signature;
        byte[] creatorKey;
        final Map<String, Seen> media = new LinkedHashMap<>();
        final Map<String, byte[]> metas = new LinkedHashMap<>();
        final List<PayloadProblem> problems = new ArrayList<>();

        void problem(String part, String problem) {
            problems.add(new PayloadProblem(part, problem));
        }
    }
}
