package net.tesseras.tessera.internal.payload;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MimeDetectorTest {

    @Test
    void theContentDecidesAndTheNameHints() {
        MimeDetector detector = new MimeDetector();
        byte[] png = PayloadRoundTripTest.concat(PayloadRoundTripTest.PNG_HEAD, new byte[64]);
        assertEquals("image/png", detector.detect(png, png.length, "holiday.txt"));
        byte[] text = "plain words\n".getBytes(StandardCharsets.UTF_8);
        assertEquals("text/plain", detector.detect(text, text.length, "notes"));
        assertEquals("text/html", detector.detect(text, text.length, "page.html"));
        byte[] noise = {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef, 0, 1, 2, 3};
        assertEquals(MimeDetector.UNKNOWN, detector.detect(noise, noise.length, "blob"));
        assertEquals(MimeDetector.UNKNOWN, detector.detect(new byte[0], 0, "empty"));
    }

    @Test
    void itNeedsNoContextClassLoaderAsInsideOsgi() {
        Thread thread = Thread.currentThread();
        ClassLoader saved = thread.getContextClassLoader();
        thread.setContextClassLoader(null);
        try {
            byte[] png = PayloadRoundTripTest.concat(PayloadRoundTripTest.PNG_HEAD, new byte[64]);
            assertEquals("image/png", new MimeDetector().detect(png, png.length, "x"));
        } finally {
            thread.setContextClassLoader(saved);
        }
    }
}
