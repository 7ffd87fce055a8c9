package net.tesseras.tessera;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import net.tesseras.core.ContentHash;

/**
 * The manifest of a tessera, version 1: plain UTF-8 text with LF line ends, byte for byte as the
 * original Tesseras writes it. The creator's Ed25519 signature covers its exact bytes
 * ({@link #toBytes()}), so a manifest that was read keeps its bytes beside it for verification.
 *
 * <pre>
 * TESSERA MANIFEST v1
 * created: 2026-02-13T14:30:00Z
 * creator: d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a
 * content_hash: 119a99e5c27f2a8ddf9fb1a5b7e1dd780fbeb8ba37444f10841d338d3c112b4b
 * encoding: UTF-8
 * schema: v1
 *
 * FILES:
 *   memories/d749…9e24/media.txt  blake3:d749…9e24  text/plain  11
 * </pre>
 *
 * <p>{@link #parse(byte[])} accepts what the original's parser accepts and refuses what it
 * refuses (see docs/FORMAT.md). Like the original, it does not check the content hash against the
 * entries; {@link #computedContentHash()} does.
 *
 * @param created when the tessera was made, in whole seconds (finer parts are dropped)
 * @param creator the creator's Ed25519 public key as 64 lowercase hex characters (a parsed
 *     manifest keeps whatever the text held, as the original does; see {@link #creatorKey()})
 * @param contentHash the tessera's content hash as the manifest states it
 * @param entries one entry per file, at least one, in the manifest's order
 */
public record Manifest(Instant created, String creator, ContentHash contentHash, List<ManifestEntry> entries) {

    /** The first line of every v1 manifest. */
    public static final String HEADER = "TESSERA MANIFEST v1";

    private static final DateTimeFormatter WRITTEN_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);

    /** RFC 3339 date-time: seconds required, fraction optional, offset Z or ±hh:mm, T and Z in either case. */
    private static final DateTimeFormatter RFC_3339 = new DateTimeFormatterBuilder()
            .parseCaseInsensitive()
            .appendPattern("uuuu-MM-dd'T'HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
            .appendOffset("+HH:MM", "Z")
            .toFormatter()
            .withResolverStyle(ResolverStyle.STRICT);

    private static final Instant EARLIEST = Instant.parse("0000-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    /**
     * @throws IllegalArgumentException when there are no entries, the time is outside the years
     *     0000-9999, or the creator is empty, has whitespace at either end or a line break (the
     *     text would not parse back to the same manifest)
     */
    public Manifest {
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(creator, "creator");
        Objects.requireNonNull(contentHash, "contentHash");
        Objects.requireNonNull(entries, "entries");
        created = created.truncatedTo(ChronoUnit.SECONDS);
        if (created.isBefore(EARLIEST) || created.isAfter(LATEST)) {
            throw new IllegalArgumentException("a manifest's time is between the years 0000 and 9999, not " + created);
        }
        if (creator.isEmpty() || !creator.equals(ManifestText.trim(creator))
                || creator.indexOf('\n') >= 0 || creator.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("a manifest's creator is a non-empty value on one line without"
                    + " surrounding whitespace, not '" + creator + "'");
        }
        entries = List.copyOf(entries);
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("a manifest lists at least one file");
        }
    }

    /** The manifest's exact text as UTF-8 bytes: the bytes the creator signs. */
    public byte[] toBytes() {
        StringBuilder text = new StringBuilder(256 + entries.size() * 180);
        text.append(HEADER).append('\n');
        text.append("created: ").append(WRITTEN_TIME.format(created)).append('\n');
        text.append("creator: ").append(creator).append('\n');
        text.append("content_hash: ").append(contentHash.toHex()).append('\n');
        text.append("encoding: UTF-8\n");
        text.append("schema: v1\n");
        text.append('\n');
        text.append("FILES:\n");
        for (ManifestEntry entry : entries) {
            text.append(entry.toLine()).append('\n');
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The creator's raw 32-byte Ed25519 public key, when {@link #creator()} is 64 hex characters
     * (any case, as the original parses hashes); empty when it is anything else.
     */
    public Optional<byte[]> creatorKey() {
        return ContentHash.isValid(creator) ? Optional.of(HexFormat.of().parseHex(creator)) : Optional.empty();
    }

    /** The content hash the entries' file hashes give ({@link ContentHashes#of}); a sound manifest states this one. */
    public ContentHash computedContentHash() {
        return ContentHashes.of(entries.stream().map(ManifestEntry::hash).toList());
    }

    /**
     * Reads a manifest, following the original's parser: lines end in LF or CRLF and are trimmed;
     * the first line is {@value #HEADER}; header lines up to the first empty line are
     * {@code key: value} (split at the first colon; {@code created}, {@code creator} and
     * {@code content_hash} are required, {@code encoding} and {@code schema} are ignored, a later
     * repeat of a key wins, any other key is an error, a line without a colon is skipped); the next
     * line is {@code FILES:}; then, skipping empty lines, each entry has exactly four
     * whitespace-separated tokens {@code path blake3:<64 hex> mime size}; at least one entry.
     *
     * @throws ManifestFormatException naming the line and the fault
     */
    public static Manifest parse(byte[] bytes) throws ManifestFormatException {
        Objects.requireNonNull(bytes, "bytes");
        String text;
        try {
            text = ManifestText.decodeUtf8(bytes);
        } catch (CharacterCodingException e) {
            throw new ManifestFormatException(0, "is not valid UTF-8 text");
        }
        List<String> lines = ManifestText.lines(text);
        if (lines.isEmpty()) {
            throw new ManifestFormatException(0, "is empty");
        }
        if (!ManifestText.trim(lines.get(0)).equals(HEADER)) {
            throw new ManifestFormatException(1, "expected '" + HEADER + "', found '" + abbreviate(lines.get(0)) + "'");
        }
        Instant created = null;
        String creator = null;
        ContentHash contentHash = null;
        int i = 1;
        for (; i < lines.size(); i++) {
            String line = ManifestText.trim(lines.get(i));
            if (line.isEmpty()) {
                break;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue; // the original skips such lines
            }
            String key = ManifestText.trim(line.substring(0, colon));
            String value = ManifestText.trim(line.substring(colon + 1));
            int lineNumber = i + 1;
            switch (key) {
                case "created" -> created = parseTime(value, lineNumber);
                case "creator" -> creator = value;
                case "content_hash" -> contentHash = parseHash(value, lineNumber, "content_hash");
                case "encoding", "schema" -> {
                    // Accepted and ignored, as the original does.
                }
                default -> throw new ManifestFormatException(lineNumber, "unknown header key '" + abbreviate(key)
                        + "' (known: created, creator, content_hash, encoding, schema)");
            }
        }
        if (created == null) {
            throw new ManifestFormatException(0, "has no 'created' header line");
        }
        if (creator == null) {
            throw new ManifestFormatException(0, "has no 'creator' header line");
        }
        if (contentHash == null) {
            throw new ManifestFormatException(0, "has no 'content_hash' header line");
        }
        i++; // past the empty line
        if (i >= lines.size()) {
            throw new ManifestFormatException(0, "has no 'FILES:' line after the header");
        }
        if (!ManifestText.trim(lines.get(i)).equals("FILES:")) {
            throw new ManifestFormatException(i + 1, "expected 'FILES:' after the header's empty line, found '"
                    + abbreviate(lines.get(i)) + "'");
        }
        List<ManifestEntry> entries = new ArrayList<>();
        for (i++; i < lines.size(); i++) {
            String line = ManifestText.trim(lines.get(i));
            if (!line.isEmpty()) {
                entries.add(parseEntry(line, i + 1));
            }
        }
        if (entries.isEmpty()) {
            throw new ManifestFormatException(0, "lists no files after 'FILES:'");
        }
        if (creator.isEmpty()) {
            throw new ManifestFormatException(0, "has an empty 'creator'");
        }
        try {
            return new Manifest(created, creator, contentHash, entries);
        } catch (IllegalArgumentException e) {
            throw new ManifestFormatException(0, e.getMessage());
        }
    }

    private static ManifestEntry parseEntry(String line, int lineNumber) throws ManifestFormatException {
        List<String> tokens = ManifestText.tokens(line);
        if (tokens.size() == 1 && tokens.get(0).equals("ENCRYPTION:")) {
            throw new ManifestFormatException(lineNumber, "has an ENCRYPTION block: encrypted tesseras are not supported");
        }
        if (tokens.size() != 4) {
            throw new ManifestFormatException(lineNumber, "a file entry has exactly 4 fields (path blake3:<hash> mime"
                    + " size), this one has " + tokens.size() + ": '" + abbreviate(line) + "'");
        }
        String hash = tokens.get(1);
        if (!hash.startsWith("blake3:")) {
            throw new ManifestFormatException(lineNumber, "the second field is 'blake3:<64 hex>', not '"
                    + abbreviate(hash) + "'");
        }
        return new ManifestEntry(tokens.get(0), parseHash(hash.substring("blake3:".length()), lineNumber, "file hash"),
                tokens.get(2), parseSize(tokens.get(3), lineNumber));
    }

    private static Instant parseTime(String value, int lineNumber) throws ManifestFormatException {
        try {
            return OffsetDateTime.parse(value, RFC_3339).toInstant();
        } catch (DateTimeParseException e) {
            throw new ManifestFormatException(lineNumber, "'created' is an RFC 3339 time such as 2026-02-13T14:30:00Z,"
                    + " not '" + abbreviate(value) + "'");
        }
    }

    private static ContentHash parseHash(String value, int lineNumber, String what) throws ManifestFormatException {
        if (!ContentHash.isValid(value)) {
            throw new ManifestFormatException(lineNumber, what + " is 64 hex characters, not '" + abbreviate(value) + "'");
        }
        return ContentHash.parse(value);
    }

    /** An unsigned decimal, optionally with '+', as the original's u64 parsing takes it. */
    private static long parseSize(String value, int lineNumber) throws ManifestFormatException {
        String digits = value.startsWith("+") ? value.substring(1) : value;
        boolean decimal = !digits.isEmpty() && digits.chars().allMatch(c -> c >= '0' && c <= '9');
        if (!decimal) {
            throw new ManifestFormatException(lineNumber, "the size is a whole number of bytes, not '" + abbreviate(value) + "'");
        }
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new ManifestFormatException(lineNumber, "the size " + abbreviate(value) + " is too large");
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 100 ? s : s.substring(0, 97) + "...";
    }
}
