package net.tesseras.shell.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import net.tesseras.tessera.TesseraProgress;

/**
 * Shows a tessera command's phases on the caller's terminal (a bar) or as plain lines. Phases may
 * report from the store's worker threads, so reports are serialised here.
 */
final class TesseraProgressReport implements TesseraProgress {

    private final Progress.Sink sink;
    private final String subject;
    private Progress current;

    TesseraProgressReport(Progress.Sink sink, String subject) {
        this.sink = sink;
        this.subject = subject;
    }

    @Override
    public synchronized void phase(String label, long totalBytes) {
        finishCurrent();
        current = new Progress(sink, label + " " + subject, totalBytes);
    }

    @Override
    public synchronized void advanced(long bytes) {
        if (current != null) {
            try {
                current.add(bytes);
            } catch (IOException e) {
                // An interrupted command (Ctrl-C) surfaces here; the operation undoes its work.
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Shows the last figures; a terminal that went away does not turn the command's result into an error. */
    synchronized void finish() {
        finishCurrent();
    }

    private void finishCurrent() {
        if (current != null) {
            try {
                current.finish();
            } catch (IOException e) {
                // Progress is for the eyes only.
            }
            current = null;
        }
    }
}
