package net.tesseras.tessera;

import org.osgi.annotation.versioning.ConsumerType;

/** Where a long tessera operation reports how far it is; called from the working thread. */
@ConsumerType
public interface TesseraProgress {

    /** Reports nothing. */
    TesseraProgress NONE = new TesseraProgress() {
        @Override
        public void phase(String label, long totalBytes) {
        }

        @Override
        public void advanced(long bytes) {
        }
    };

    /** A new phase begins (for example "hash", "encode", "store") over this many bytes. */
    void phase(String label, long totalBytes);

    /** This many more bytes of the current phase are done. */
    void advanced(long bytes);
}
