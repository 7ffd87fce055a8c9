package net.tesseras.shell.internal;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The framing of the local command socket. Both directions use frames {@code [type:1][length:4
 * big-endian][payload]}.
 *
 * <p>Client to node: one byte {@link #HELLO}, then {@link #CWD} (the caller's working directory),
 * {@link #HOME} (its home directory) and finally {@link #COMMAND} (the command line, UTF-8), which
 * starts the command. While it runs the client keeps its side open: {@link #INTERRUPT}, or closing
 * the connection, interrupts the command. An older client that sends the bare command and
 * half-closes is still understood (without working directory, progress or cancellation).
 *
 * <p>Node to client: {@link #STDOUT} and {@link #STDERR} carry output as it is produced, {@link
 * #PROGRESS} carries {@code "<done> <total> <label>"} for long work, {@link #KEEPALIVE} (empty)
 * arrives every few seconds while a command runs, and one final {@link #EXIT} frame carries the
 * exit status as a 4-byte integer. The launcher's client reads the same format.
 */
final class ShellFrames {

    static final byte HELLO = 0;
    static final byte CWD = 'W';
    static final byte HOME = 'H';
    static final byte COMMAND = 'C';
    static final byte INTERRUPT = 'I';

    static final byte STDOUT = 'O';
    static final byte STDERR = 'E';
    static final byte EXIT = 'X';
    static final byte KEEPALIVE = 'K';
    static final byte PROGRESS = 'P';

    /** Longest command accepted, to bound what one connection can make the node buffer. */
    static final int MAX_COMMAND_BYTES = 64 * 1024;

    /** What a client asked for. {@code cwd} and {@code home} are null for an older client. */
    record Request(String command, String cwd, String home, boolean framed) {}

    /** A request that cannot be served; the message says why. */
    static final class BadRequestException extends IOException {
        private static final long serialVersionUID = 1L;

        BadRequestException(String message) {
            super(message);
        }
    }

    private final WritableByteChannel channel;
    private final ReentrantLock lock = new ReentrantLock();
    // When the write under way started waiting for the client (0: none waits), for the server's deadline.
    private volatile long blockedSince;

    ShellFrames(WritableByteChannel channel) {
        this.channel = channel;
    }

    /** Reads one request: the framed form, or an older client's bare command up to end of stream. */
    static Request readRequest(ReadableByteChannel in) throws IOException {
        ByteBuffer first = ByteBuffer.allocate(1);
        if (!readFully(in, first)) {
            throw new EOFException("the client sent nothing");
        }
        if (first.get(0) != HELLO) {
            ByteBuffer buffer = ByteBuffer.allocate(MAX_COMMAND_BYTES + 1).put(first.get(0));
            int n;
            do {
                n = in.read(buffer);
            } while (n >= 0 && buffer.hasRemaining());
            if (!buffer.hasRemaining()) {
                throw new BadRequestException("command longer than " + MAX_COMMAND_BYTES + " bytes");
            }
            return new Request(new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).strip(), null, null, false);
        }
        String cwd = null;
        String home = null;
        int total = 0;
        while (true) {
            ByteBuffer header = ByteBuffer.allocate(5);
            if (!readFully(in, header)) {
                throw new EOFException("the client closed the connection before sending its command");
            }
            byte type = header.get(0);
            int length = header.getInt(1);
            total += Math.max(0, length);
            if (length < 0 || length > MAX_COMMAND_BYTES || total > 3 * MAX_COMMAND_BYTES) {
                throw new BadRequestException("command longer than " + MAX_COMMAND_BYTES + " bytes");
            }
            ByteBuffer payload = ByteBuffer.allocate(length);
            if (!readFully(in, payload)) {
                throw new EOFException("the client closed the connection in the middle of its request");
            }
            String text = new String(payload.array(), StandardCharsets.UTF_8);
            switch (type) {
                case CWD -> cwd = text;
                case HOME -> home = text;
                case COMMAND -> {
                    return new Request(text.strip(), cwd, home, true);
                }
                default -> {
                    // Unknown request frames come from newer clients; they are ignored.
                }
            }
        }
    }

    /** Reads the next frame type sent while a command runs, or -1 at end of stream; its payload is skipped. */
    static int readControl(ReadableByteChannel in) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(5);
        if (!readFully(in, header)) {
            return -1;
        }
        int length = header.getInt(1);
        if (length < 0 || length > MAX_COMMAND_BYTES) {
            throw new BadRequestException("malformed frame of " + length + " bytes");
        }
        if (!readFully(in, ByteBuffer.allocate(length))) {
            return -1;
        }
        return header.get(0);
    }

    private static boolean readFully(ReadableByteChannel in, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (in.read(buffer) < 0) {
                return false;
            }
        }
        return true;
    }

    void write(byte type, byte[] payload, int offset, int length) throws IOException {
        lock.lock();
        try {
            writeFrame(type, payload, offset, length);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes an empty frame unless another frame is being written (a client that stops reading
     * blocks that writer; a keep-alive then is not needed and must not queue up behind it).
     */
    void writeIfIdle(byte type) throws IOException {
        if (lock.tryLock()) {
            try {
                writeFrame(type, new byte[0], 0, 0);
            } finally {
                lock.unlock();
            }
        }
    }

    private void writeFrame(byte type, byte[] payload, int offset, int length) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(5).put(type).putInt(length).flip();
        ByteBuffer body = ByteBuffer.wrap(payload, offset, length);
        while (header.hasRemaining()) {
            writeSome(header);
        }
        while (body.hasRemaining()) {
            writeSome(body);
        }
    }

    /** One write, timed: a client that stops reading leaves it blocked, which {@link #stalledNanos()} tells. */
    private void writeSome(ByteBuffer buffer) throws IOException {
        blockedSince = System.nanoTime();
        try {
            channel.write(buffer);
        } finally {
            blockedSince = 0;
        }
    }

    /** How long the write under way has been blocked without any byte taken by the client; 0 when none is. */
    long stalledNanos() {
        long since = blockedSince;
        return since == 0 ? 0 : System.nanoTime() - since;
    }

    void write(byte type, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        write(type, bytes, 0, bytes.length);
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
