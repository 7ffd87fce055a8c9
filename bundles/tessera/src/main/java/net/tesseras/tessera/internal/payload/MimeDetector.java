package net.tesseras.tessera.internal.payload;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.metadata.TikaCoreProperties;
import org.apache.tika.mime.MediaType;
import org.apache.tika.mime.MimeTypes;

/**
 * Media types from Apache Tika's detector: the file's first bytes (magic numbers) with its name as
 * a hint. The registry is loaded through Tika's own class loader, so it works inside OSGi where
 * the thread context class loader knows nothing of Tika. Whatever cannot be told is
 * {@code application/octet-stream}.
 */
public final class MimeDetector {

    /** Said of bytes nothing more is known about. */
    public static final String UNKNOWN = "application/octet-stream";

    private final MimeTypes types;

    public MimeDetector() {
        this.types = MimeTypes.getDefaultMimeTypes(MimeTypes.class.getClassLoader());
    }

    /** How many leading bytes of a file the detector looks at. */
    public int headLength() {
        return Math.max(types.getMinLength(), 8 * 1024);
    }

    /**
     * The media type of a file that starts with {@code head[0..length)} and is called {@code fileName},
     * without parameters and with no whitespace (it goes into a manifest line).
     */
    public String detect(byte[] head, int length, String fileName) {
        Metadata metadata = new Metadata();
        metadata.set(TikaCoreProperties.RESOURCE_NAME_KEY, fileName);
        try {
            MediaType type = types.detect(new ByteArrayInputStream(head, 0, length), metadata);
            String base = type == null ? UNKNOWN : type.getBaseType().toString();
            return base.isEmpty() || base.chars().anyMatch(Character::isWhitespace) ? UNKNOWN : base;
        } catch (IOException | RuntimeException e) {
            // Detection is a courtesy: an odd file is still stored, as octet-stream.
            return UNKNOWN;
        }
    }
}
