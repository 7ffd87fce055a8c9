package net.tesseras.transport.quic.internal;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bounded pool where storage work for peers runs, never on a network thread. A full queue
 * rejects at once ({@link RejectedExecutionException}), which the caller answers with OVERLOADED
 * rather than letting work queue without bound.
 */
final class RequestExecutor implements Executor, AutoCloseable {

    private final ThreadPoolExecutor pool;

    RequestExecutor(String name, int threads, int queue) {
        AtomicInteger counter = new AtomicInteger();
        ThreadFactory factory = runnable -> {
            Thread thread = new Thread(runnable, name + "-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        this.pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue), factory,
                new ThreadPoolExecutor.AbortPolicy());
    }

    /** @throws RejectedExecutionException when every worker is busy and the queue is full */
    @Override
    public void execute(Runnable task) {
        pool.execute(task);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
