package net.tesseras.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Sends one Gogo command to a running node over its local socket and relays the output.
 *
 * <p>The protocol: the command as UTF-8, then a half-close; the node answers with frames {@code
 * [type:1][length:4][payload]} where type {@code O} is standard output, {@code E} standard error
 * and {@code X} the exit status (a 4-byte integer), which ends the answer.
 */
public final class ShellClient {

    /** Environment variable that overrides the socket path. */
    public static final String SOCKET_ENV = "TESSERAS_SHELL_SOCKET";

    private ShellClient() {}

    public static Path socketOf(Path data) {
        String override = System.getenv(SOCKET_ENV);
        return override != null && !override.isBlank() ? Path.of(override) : data.resolve("run/shell.sock");
    }

    /** Runs {@code command} and returns its exit status (2 when the node cannot be reached). */
    public static int run(Path socket, String command, PrintStream out, PrintStream err) {
        if (command.isBlank()) {
            err.println("usage: tesseras shell -c \"<command>\"   (for example: tesseras shell -c lb)");
            return 2;
        }
        if (!Files.exists(socket)) {
            err.println("the node is not running (no shell socket at " + socket + "); start it with: bin/tesseras start");
            return 2;
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer request = ByteBuffer.wrap(command.getBytes(StandardCharsets.UTF_8));
            while (request.hasRemaining()) {
                channel.write(request);
            }
            channel.shutdownOutput();
            ByteBuffer header = ByteBuffer.allocate(5);
            while (true) {
                header.clear();
                if (!readFully(channel, header)) {
                    err.println("the node closed the connection before the command finished");
                    return 2;
                }
                header.flip();
                byte type = header.get();
                int length = header.getInt();
                if (length < 0 || length > 16 * 1024 * 1024) {
                    err.println("the node sent a malformed answer (frame of " + length + " bytes)");
                    return 2;
                }
                ByteBuffer payload = ByteBuffer.allocate(length);
                if (!readFully(channel, payload)) {
                    err.println("the node closed the connection in the middle of an answer");
                    return 2;
                }
                switch (type) {
                    case 'O' -> out.write(payload.array(), 0, length);
                    case 'E' -> err.write(payload.array(), 0, length);
                    case 'X' -> {
                        out.flush();
                        err.flush();
                        return payload.flip().getInt();
                    }
                    default -> {
                        err.println("the node sent an unknown frame type " + type);
                        return 2;
                    }
                }
            }
        } catch (IOException e) {
            err.println("cannot reach the node at " + socket + ": " + e.getMessage()
                    + " (is it running? bin/tesseras status)");
            return 2;
        }
    }

    private static boolean readFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                return false;
            }
        }
        return true;
    }
}
