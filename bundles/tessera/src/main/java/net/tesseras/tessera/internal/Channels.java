package net.tesseras.tessera.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.function.LongConsumer;

/** Channel wrappers that report progress and notice an interrupted command. */
final class Channels {

    private Channels() {}

    /** Reports every byte read to {@code counter}, and stops with an error once the thread is interrupted. */
    static ReadableByteChannel counting(ReadableByteChannel source, LongConsumer counter) {
        return new ReadableByteChannel() {
            @Override
            public int read(ByteBuffer dst) throws IOException {
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedIOException("interrupted");
                }
                int n = source.read(dst);
                if (n > 0) {
                    counter.accept(n);
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
}
