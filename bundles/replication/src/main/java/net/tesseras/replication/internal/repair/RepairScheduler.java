package net.tesseras.replication.internal.repair;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.DoubleSupplier;
import net.tesseras.core.ContentHash;
import net.tesseras.replication.RepairReport;
import net.tesseras.replication.ReplicationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs repair passes on one thread of its own: the first {@code initialDelay} after {@link #start},
 * then every {@code interval} plus a uniform jitter in [0, jitter) drawn fresh for every sleep (so
 * nodes started together do not prove each other in lockstep). {@link #reconfigure} takes effect
 * from the next sleep. One pass at a time: {@link #runNow} waits for a running pass, then runs its own.
 */
public final class RepairScheduler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RepairScheduler.class);

    /** A pass over every tessera ({@code empty}) or one. */
    @FunctionalInterface
    public interface Pass {
        RepairReport run(Optional<ContentHash> only) throws InterruptedException;
    }

    /** How the scheduler waits between passes; tests hand over control instead of sleeping. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;

        Sleeper REAL = d -> Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);
    }

    /** When passes run. */
    public record Timing(Duration initialDelay, Duration interval, Duration jitter) {
        public Timing {
            Objects.requireNonNull(initialDelay, "initialDelay");
            Objects.requireNonNull(interval, "interval");
            Objects.requireNonNull(jitter, "jitter");
            if (initialDelay.isNegative() || interval.isZero() || interval.isNegative() || jitter.isNegative()) {
                throw new IllegalArgumentException("repair timing out of range: initial delay " + initialDelay
                        + ", interval " + interval + " (more than 0), jitter " + jitter);
            }
        }
    }

    private final Pass pass;
    private final Sleeper sleeper;
    private final DoubleSupplier random;
    private final ThreadFactory threads;
    private final ReentrantLock running = new ReentrantLock();
    private volatile Timing timing;
    private Thread thread;

    /**
     * @param random uniform values in [0, 1) for the jitter
     * @param threads makes the scheduler's one thread (name it; daemon)
     */
    public RepairScheduler(Pass pass, Timing timing, Sleeper sleeper, DoubleSupplier random, ThreadFactory threads) {
        this.pass = Objects.requireNonNull(pass, "pass");
        this.timing = Objects.requireNonNull(timing, "timing");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.random = Objects.requireNonNull(random, "random");
        this.threads = Objects.requireNonNull(threads, "threads");
    }

    /** Starts the loop; a second call does nothing. */
    public synchronized void start() {
        if (thread == null) {
            thread = threads.newThread(this::loop);
            thread.start();
        }
    }

    /** New timing, used from the next sleep on. */
    public void reconfigure(Timing newTiming) {
        this.timing = Objects.requireNonNull(newTiming, "timing");
    }

    public Timing timing() {
        return timing;
    }

    /**
     * Runs a pass now on the caller's thread (for {@code tesseras:repair [hash]}), after any pass
     * already running has finished.
     *
     * @throws ReplicationException when the caller is interrupted while waiting or during the pass
     */
    public RepairReport runNow(Optional<ContentHash> only) {
        try {
            running.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReplicationException("interrupted while waiting for the running repair pass to finish");
        }
        try {
            return pass.run(only);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReplicationException("the repair pass was interrupted; what it did so far stays done", e);
        } finally {
            running.unlock();
        }
    }

    /** Whether a pass is running now. */
    public boolean passRunning() {
        return running.isLocked();
    }

    /** Whether a caller waits for the running pass to finish (for tests). */
    boolean passWaiting() {
        return running.hasQueuedThreads();
    }

    /** Stops the loop: interrupts a sleep or a running pass and waits for the thread to end. */
    @Override
    public void close() throws InterruptedException {
        Thread t;
        synchronized (this) {
            t = thread;
            thread = null;
        }
        if (t != null) {
            t.interrupt();
            // Bounded: a pass blocked in a request ends with the transport's timeout; a stopping
            // bundle does not wait for ever.
            t.join(CLOSE_WAIT.toMillis());
            if (t.isAlive()) {
                org.slf4j.LoggerFactory.getLogger(RepairScheduler.class).warn(
                        "The repair pass did not stop within {} s of the interrupt; leaving it to finish", CLOSE_WAIT.toSeconds());
            }
        }
    }

    private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

    /** The sleep before the next scheduled pass: the interval plus a fresh uniform jitter. */
    Duration nextSleep() {
        Timing t = timing;
        long jitterNanos = (long) (random.getAsDouble() * t.jitter().toNanos());
        return t.interval().plusNanos(jitterNanos);
    }

    private void loop() {
        try {
            sleeper.sleep(timing.initialDelay());
            while (!Thread.currentThread().isInterrupted()) {
                running.lockInterruptibly();
                try {
                    RepairReport report = pass.run(Optional.empty());
                    LOG.info("Repair pass over {} tesseras done", report.tesseras().size());
                } catch (RuntimeException e) {
                    LOG.error("A repair pass failed: {}; the next one runs as scheduled", e.getMessage(), e);
                } finally {
                    running.unlock();
                }
                sleeper.sleep(nextSleep());
            }
        } catch (InterruptedException e) {
            LOG.debug("Repair scheduler stopped");
        }
    }
}
