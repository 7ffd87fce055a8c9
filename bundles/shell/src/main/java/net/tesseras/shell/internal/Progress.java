package net.tesseras.shell.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.Locale;
import org.apache.felix.service.command.CommandSession;

/**
 * Progress of one long piece of work (bytes hashed, stored, written), and the point where a command
 * notices it was interrupted. Reported through the session's {@link Sink} (the local socket sends it
 * to {@code bin/tesseras shell}, which draws a bar on a terminal or prints plain lines) or, in the
 * node's own console, as a line at every tenth.
 */
final class Progress {

    /** Session variable holding the {@link Sink} of a {@code bin/tesseras shell} session. */
    static final String SINK = ".tesseras.progress";

    /** Work smaller than this is quick: no progress is reported for it. */
    static final long MIN_BYTES = 8L * 1024 * 1024;

    private static final long INTERVAL_NANOS = 200_000_000L;

    /** Receives progress reports. */
    interface Sink {
        /** May throw when the report cannot be delivered (the client went away): the work then stops. */
        void report(String label, long done, long total) throws IOException;
    }

    private final Sink sink;
    private final String label;
    private final long total;
    private long done;
    private long lastReport;
    private boolean reported;

    Progress(Sink sink, String label, long total) {
        this.sink = total >= MIN_BYTES ? sink : null;
        this.label = label;
        this.total = total;
    }

    /** Where a session wants progress: to the shell client, else as plain lines on its console. */
    static Sink sinkOf(CommandSession session) {
        if (session == null) {
            return null;
        }
        Object sink = session.get(SINK);
        return sink instanceof Sink s ? s : new Tenths(session.getConsole());
    }

    /** Counts {@code bytes} more as done; throws if the command was interrupted. */
    void add(long bytes) throws IOException {
        done += bytes;
        checkInterrupted(label);
        if (sink != null) {
            long now = System.nanoTime();
            if (!reported || now - lastReport >= INTERVAL_NANOS) {
                reported = true;
                lastReport = now;
                sink.report(label, done, total);
            }
        }
    }

    /** Throws (and clears the flag, so the command can clean up) if this thread was interrupted. */
    /** As {@link #checkInterrupted}, for work that cannot throw a checked exception. */
    static void checkInterruptedUnchecked(String what) {
        try {
            checkInterrupted(what);
        } catch (InterruptedIOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void checkInterrupted(String what) throws InterruptedIOException {
        if (Thread.interrupted()) {
            throw new InterruptedIOException(what + " was interrupted; nothing was kept");
        }
    }

    /** A channel that counts what is read from {@code source} as progress. */
    ReadableByteChannel track(ReadableByteChannel source) {
        return new ReadableByteChannel() {
            @Override
            public int read(ByteBuffer dst) throws IOException {
                int n = source.read(dst);
                if (n > 0) {
                    add(n);
                }
                return n;
            }

            @Override
            public boolean isOpen() {
                return source.isOpen();
            }

            @Override
            public void close() throws IOException {
                source.close();
            }
        };
    }

    /** Reports the last figures, once the work is complete. */
    void finish() throws IOException {
        if (sink != null && reported) {
            sink.report(label, done, total);
        }
    }

    /** Plain lines on the node's console, one per tenth of the work. */
    static final class Tenths implements Sink {
        private final PrintStream out;
        private String label;
        private long lastTenth = -1;

        Tenths(PrintStream out) {
            this.out = out;
        }

        @Override
        public void report(String label, long done, long total) {
            if (!label.equals(this.label)) {
                this.label = label;
                lastTenth = -1;
            }
            long tenth = total <= 0 ? 0 : Math.min(10, done * 10 / total);
            if (tenth > lastTenth) {
                lastTenth = tenth;
                out.println(line(label, done, total));
            }
        }
    }

    static String line(String label, long done, long total) {
        return String.format(Locale.ROOT, "%s: %d%% (%s of %s)", label, total <= 0 ? 100 : done * 100 / total,
                Units.bytes(done), Units.bytes(total));
    }
}
