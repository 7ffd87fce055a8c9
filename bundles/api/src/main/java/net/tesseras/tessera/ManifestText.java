package net.tesseras.tessera;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Text rules the manifest parser shares with the original: lines split at LF (a CR before it is
 * dropped), trimming and splitting on Unicode White_Space (the original's notion of whitespace,
 * which unlike {@link Character#isWhitespace} includes no-break spaces).
 */
final class ManifestText {

    private ManifestText() {
    }

    /** Decodes strict UTF-8: malformed bytes are an error, not replacement characters. */
    static String decodeUtf8(byte[] bytes) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
    }

    /** The lines of {@code text}: split at LF, a trailing CR removed, no empty last line after a final LF. */
    static List<String> lines(String text) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            int next = end < 0 ? text.length() : end + 1;
            if (end < 0) {
                end = text.length();
            }
            String line = text.substring(start, end);
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            lines.add(line);
            start = next;
        }
        return lines;
    }

    /** Unicode White_Space, the set the original trims and splits on. */
    static boolean isWhitespace(int c) {
        return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680
                || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F
                || c == 0x205F || c == 0x3000;
    }

    static boolean hasWhitespace(String s) {
        return s.chars().anyMatch(ManifestText::isWhitespace);
    }

    static String trim(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isWhitespace(s.charAt(start))) {
            start++;
        }
        while (end > start && isWhitespace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    /** The whitespace-separated tokens of {@code s}, none empty. */
    static List<String> tokens(String s) {
        List<String> tokens = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            while (i < s.length() && isWhitespace(s.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < s.length() && !isWhitespace(s.charAt(i))) {
                i++;
            }
            if (i > start) {
                tokens.add(s.substring(start, i));
            }
        }
        return tokens;
    }
}
