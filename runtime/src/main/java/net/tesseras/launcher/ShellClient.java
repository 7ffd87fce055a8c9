package net.tesseras.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sends one Gogo command to a running node over its local socket and relays the output.
 *
 * <p>The protocol (the node's side is {@code net.tesseras.shell.internal.ShellFrames}): frames
 * {@code [type:1][length:4][payload]} both ways. The client sends a byte 0, then {@code W} (its
 * working directory), {@code H} (its home directory) and {@code C} (the command), and keeps its
 * side open: {@code I} interrupts the command, and so does closing the connection. The node
 * answers with {@code O} (standard output), {@code E} (standard error), {@code P} (progress: {@code
 * "<done> <total> <label>"}), {@code K} (keep-alive, every few seconds while the command runs) and
 * finally {@code X}, the exit status as a 4-byte integer.
 *
 * <p>Exit statuses: the command's (0 success, 1 failure, 130 interrupted), 75 when the node is busy
 * with too many commands, 2 when the node cannot be reached or stops answering.
 */
public final class ShellClient {

    /** Environment variable that overrides the socket path. */
    public static final String SOCKET_ENV = "TESSERAS_SHELL_SOCKET";

    /** How long the node may stay silent (no output, progress or keep-alive) before the client gives up. */
    static final Duration DEFAULT_SILENCE = Duration.ofSeconds(30);

    static final int UNREACHABLE = 2;

    private static final int MAX_FRAME = 16 * 1024 * 1024;

    private final Path socket;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;
    private final Duration silence;
    private final CountDownLatch finished = new CountDownLatch(1);
    private final AtomicBoolean timedOut = new AtomicBoolean();
    private volatile SocketChannel channel;
    private String progressLabel;
    private long progressTenth = -1;
    private boolean barShown;

    ShellClient(Path socket, PrintStream out, PrintStream err, boolean terminal, Duration silence) {
        this.socket = socket;
        this.out = out;
        this.err = err;
        this.terminal = terminal;
        this.silence = silence;
    }

    public static Path socketOf(Path data) {
        String override = System.getenv(SOCKET_ENV);
        return override != null && !override.isBlank() ? Path.of(override) : data.resolve("run/shell.sock");
    }

    /** Runs {@code command} and returns its exit status (2 when the node cannot be reached). */
    public static int run(Path socket, String command, PrintStream out, PrintStream err) {
        return new ShellClient(socket, out, err, false, DEFAULT_SILENCE).run(command, workingDirectory(), homeDirectory());
    }

    /**
     * For {@code bin/tesseras shell}: progress as a bar when a terminal is attached, and Ctrl-C (or
     * SIGTERM) interrupts the command in the node before this process ends.
     */
    static int runFromCommandLine(Path socket, String command) {
        ShellClient client = new ShellClient(socket, System.out, System.err, System.console() != null, DEFAULT_SILENCE);
        Thread hook = new Thread(client::interruptAndWait, "tesseras-shell-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
        int status = client.run(command, workingDirectory(), homeDirectory());
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // Already shutting down (Ctrl-C): the hook is running and lets the process end.
        }
        return status;
    }

    static String workingDirectory() {
        return Path.of("").toAbsolutePath().toString();
    }

    static String homeDirectory() {
        String home = System.getenv("HOME");
        return home != null && !home.isBlank() ? home : System.getProperty("user.home");
    }

    int run(String command, String cwd, String home) {
        try {
            if (command.isBlank()) {
                err.println("usage: tesseras shell -c \"<command>\"   (for example: tesseras shell -c lb)");
                return UNREACHABLE;
            }
            if (!Files.exists(socket)) {
                err.println("the node is not running (no shell socket at " + socket + "); start it with: bin/tesseras start");
                return UNREACHABLE;
            }
            return talk(command, cwd, home);
        } finally {
            finished.countDown();
        }
    }

    private int talk(String command, String cwd, String home) {
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "tesseras-shell-watchdog");
            thread.setDaemon(true);
            return thread;
        });
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel = ch;
            ScheduledFuture<?> deadline = arm(watchdog, null, ch);
            ch.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer hello = ByteBuffer.allocate(1);
            writeAll(ch, hello);
            send(ch, 'W', cwd);
            send(ch, 'H', home);
            send(ch, 'C', command);
            ByteBuffer header = ByteBuffer.allocate(5);
            while (true) {
                header.clear();
                if (!readFully(ch, header)) {
                    endProgress();
                    err.println("the node closed the connection before the command finished");
                    return UNREACHABLE;
                }
                deadline = arm(watchdog, deadline, ch);
                header.flip();
                byte type = header.get();
                int length = header.getInt();
                if (length < 0 || length > MAX_FRAME) {
                    err.println("the node sent a malformed answer (frame of " + length + " bytes)");
                    return UNREACHABLE;
                }
                ByteBuffer payload = ByteBuffer.allocate(length);
                if (!readFully(ch, payload)) {
                    endProgress();
                    err.println("the node closed the connection in the middle of an answer");
                    return UNREACHABLE;
                }
                switch (type) {
                    case 'O' -> {
                        endProgress();
                        out.write(payload.array(), 0, length);
                    }
                    case 'E' -> {
                        endProgress();
                        err.write(payload.array(), 0, length);
                    }
                    case 'P' -> progress(new String(payload.array(), 0, length, StandardCharsets.UTF_8));
                    case 'K' -> {
                        // keep-alive: the command still runs
                    }
                    case 'X' -> {
                        endProgress();
                        out.flush();
                        err.flush();
                        return payload.flip().getInt();
                    }
                    default -> {
                        // A newer node's frame this client does not know: skipped.
                    }
                }
            }
        } catch (IOException e) {
            endProgress();
            if (timedOut.get()) {
                err.println("the node at " + socket + " did not answer for " + silence.toSeconds() + " s; it may be overloaded "
                        + "or hung (see data/log/tesseras.log; bin/tesseras status)");
            } else {
                err.println("cannot reach the node at " + socket + ": " + e.getMessage() + " (is it running? bin/tesseras status)");
            }
            return UNREACHABLE;
        } finally {
            channel = null;
            watchdog.shutdownNow();
        }
    }

    /** (Re)starts the silence deadline: if it passes, the connection is closed and the client reports it. */
    private ScheduledFuture<?> arm(ScheduledExecutorService watchdog, ScheduledFuture<?> previous, SocketChannel ch) {
        if (previous != null) {
            previous.cancel(false);
        }
        return watchdog.schedule(() -> {
            timedOut.set(true);
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing is all that is left to do
            }
        }, silence.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Asks the node to interrupt the running command, then waits a little for its answer. */
    void interruptAndWait() {
        SocketChannel ch = channel;
        if (ch == null || finished.getCount() == 0) {
            return;
        }
        try {
            synchronized (this) {
                writeAll(ch, ByteBuffer.allocate(5).put((byte) 'I').putInt(0).flip());
            }
            finished.await(10, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            // The node sees the connection close when this process ends: it interrupts the command then.
        }
    }

    private void progress(String frame) {
        String[] parts = frame.split(" ", 3);
        if (parts.length < 3) {
            return;
        }
        long done;
        long total;
        try {
            done = Long.parseLong(parts[0]);
            total = Long.parseLong(parts[1]);
        } catch (NumberFormatException e) {
            return;
        }
        String label = parts[2];
        int percent = total <= 0 ? 100 : (int) Math.min(100, done * 100 / total);
        if (terminal) {
            if (!label.equals(progressLabel) && barShown) {
                err.println();
            }
            progressLabel = label;
            int width = 30;
            int filled = percent * width / 100;
            err.print("\r" + label + " [" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + percent + "% "
                    + bytes(done) + " of " + bytes(total) + "   ");
            err.flush();
            barShown = true;
            return;
        }
        if (!label.equals(progressLabel)) {
            progressLabel = label;
            progressTenth = -1;
        }
        long tenth = percent / 10;
        if (tenth > progressTenth) {
            progressTenth = tenth;
            err.println(label + ": " + percent + "% (" + bytes(done) + " of " + bytes(total) + ")");
        }
    }

    private void endProgress() {
        if (barShown) {
            err.println();
            barShown = false;
        }
        progressLabel = null;
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = n / 1024.0;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    private synchronized void send(SocketChannel ch, char type, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        writeAll(ch, ByteBuffer.allocate(5 + bytes.length).put((byte) type).putInt(bytes.length).put(bytes).flip());
    }

    private static void writeAll(SocketChannel ch, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            ch.write(buffer);
        }
    }

    private static boolean readFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        try {
            while (buffer.hasRemaining()) {
                if (channel.read(buffer) < 0) {
                    return false;
                }
            }
            return true;
        } catch (AsynchronousCloseException e) {
            throw new IOException("connection closed", e);
        }
    }
}
