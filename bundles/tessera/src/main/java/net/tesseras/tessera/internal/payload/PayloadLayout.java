package net.tesseras.tessera.internal.payload;

import java.util.regex.Pattern;
import net.tesseras.core.ContentHash;

/** The names of the entries of a payload tar (see docs/FORMAT.md). */
final class PayloadLayout {

    /** Plain text: what this archive is and how it was encoded and can be decoded. */
    static final String README = "README";
    /** The manifest v1, exactly the signed bytes. */
    static final String MANIFEST = "MANIFEST";
    /** The creator's Ed25519 signature over MANIFEST: 64 raw bytes. */
    static final String SIGNATURE = "identity/ed25519.sig";
    /** The creator's Ed25519 public key: 32 raw bytes. */
    static final String CREATOR_KEY = "identity/creator.pub.ed25519";

    static final Pattern MEDIA = Pattern.compile("memories/([0-9a-f]{64})/(media\\.[^/]+)");
    static final Pattern META = Pattern.compile("memories/([0-9a-f]{64})/meta\\.json");

    private PayloadLayout() {
    }

    static String memoryFolder(ContentHash hash) {
        return "memories/" + hash.toHex() + "/";
    }

    static String media(ContentHash hash, String mediaName) {
        return memoryFolder(hash) + mediaName;
    }

    static String meta(ContentHash hash) {
        return memoryFolder(hash) + "meta.json";
    }
}
