package net.tesseras.shell.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * The framing of the local command socket, server side. A client sends one command as UTF-8 and
 * half-closes; the server answers with frames {@code [type:1][length:4 big-endian][payload]}:
 * {@link #STDOUT} and {@link #STDERR} carry output as it is produced, and one final {@link #EXIT}
 * frame carries the exit status as a 4-byte integer. The launcher's client reads the same format.
 */
final class ShellFrames {

    static final byte STDOUT = 'O';
    static final byte STDERR = 'E';
    static final byte EXIT = 'X';

    /** Longest command accepted, to bound what one connection can make the node buffer. */
    static final int MAX_COMMAND_BYTES = 64 * 1024;

    private final WritableByteChannel channel;

    ShellFrames(WritableByteChannel channel) {
        this.channel = channel;
    }

    synchronized void write(byte type, byte[] payload, int offset, int length) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(5).put(type).putInt(length).flip();
        ByteBuffer body = ByteBuffer.wrap(payload, offset, length);
        while (header.hasRemaining()) {
            channel.write(header);
        }
        while (body.hasRemaining()) {
            channel.write(body);
        }
    }

    void exit(int status) throws IOException {
        write(EXIT, ByteBuffer.allocate(4).putInt(status).array(), 0, 4);
    }

    /** An output stream that buffers and sends its bytes as frames of {@code type}. */
    OutputStream stream(byte type) {
        return new OutputStream() {
            private final byte[] buffer = new byte[8192];
            private int count;

            @Override
            public synchronized void write(int b) throws IOException {
                if (count == buffer.length) {
                    flush();
                }
                buffer[count++] = (byte) b;
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) throws IOException {
                if (len >= buffer.length) {
                    flush();
                    ShellFrames.this.write(type, b, off, len);
                    return;
                }
                if (count + len > buffer.length) {
                    flush();
                }
                System.arraycopy(b, off, buffer, count, len);
                count += len;
            }

            @Override
            public synchronized void flush() throws IOException {
                if (count > 0) {
                    ShellFrames.this.write(type, buffer, 0, count);
                    count = 0;
                }
            }
        };
    }
}
