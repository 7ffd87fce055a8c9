package net.tesseras.tessera.internal.payload;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Reads a tar into an ordered map and writes one back, to build hostile payloads from good ones. */
final class Tars {

    private Tars() {
    }

    static Map<String, byte[]> read(Path tar) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(tar); TarArchiveInputStream archive = new TarArchiveInputStream(in)) {
            TarArchiveEntry entry;
            while ((entry = archive.getNextEntry()) != null) {
                entries.put(entry.getName(), archive.readAllBytes());
            }
        }
        return entries;
    }

    static byte[] write(Map<String, byte[]> entries) throws IOException {
        return write(entries, null, null);
    }

    /** Writes the entries and, when {@code linkName} is given, a symbolic link entry to {@code linkTarget} after them. */
    static byte[] write(Map<String, byte[]> entries, String linkName, String linkTarget) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                tar.putArchiveEntry(PayloadWriter.entry(entry.getKey(), entry.getValue().length,
                        FileTime.from(Instant.EPOCH)));
                tar.write(entry.getValue());
                tar.closeArchiveEntry();
            }
            if (linkName != null) {
                TarArchiveEntry link = new TarArchiveEntry(linkName, TarConstants.LF_SYMLINK);
                link.setLinkName(linkTarget);
                tar.putArchiveEntry(link);
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }
}
