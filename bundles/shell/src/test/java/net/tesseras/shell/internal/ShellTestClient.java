package net.tesseras.shell.internal;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** A client of the shell socket for tests: what it sent, and the node's answer frame by frame. */
final class ShellTestClient implements AutoCloseable {

    record Answer(int exit, String out, String err, String progress) {}

    final SocketChannel channel;

    ShellTestClient(Path socket) throws IOException {
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
    }

    /** The older protocol: the bare command, then a half-close. */
    ShellTestClient sendBare(String command) throws IOException {
        write(ByteBuffer.wrap(command.getBytes(StandardCharsets.UTF_8)));
        channel.shutdownOutput();
        return this;
    }

    ShellTestClient sendFramed(String cwd, String home, String command) throws IOException {
        write(ByteBuffer.allocate(1));
        frame('W', cwd);
        frame('H', home);
        frame('C', command);
        return this;
    }

    void interrupt() throws IOException {
        frame('I', "");
    }

    private void frame(char type, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        write(ByteBuffer.allocate(5 + bytes.length).put((byte) type).putInt(bytes.length).put(bytes).flip());
    }

    private void write(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** Reads frames up to the exit status; -1 as exit if the node closed the connection first. */
    Answer answer() throws IOException {
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        StringBuilder progress = new StringBuilder();
        while (true) {
            ByteBuffer header = ByteBuffer.allocate(5);
            if (!readFully(header)) {
                return new Answer(-1, out.toString(), err.toString(), progress.toString());
            }
            ByteBuffer payload = ByteBuffer.allocate(header.getInt(1));
            if (!readFully(payload)) {
                return new Answer(-1, out.toString(), err.toString(), progress.toString());
            }
            String text = new String(payload.array(), StandardCharsets.UTF_8);
            switch (header.get(0)) {
                case 'O' -> out.append(text);
                case 'E' -> err.append(text);
                case 'P' -> progress.append(text).append('\n');
                case 'X' -> {
                    return new Answer(payload.getInt(0), out.toString(), err.toString(), progress.toString());
                }
                default -> {
                }
            }
        }
    }

    private boolean readFully(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
