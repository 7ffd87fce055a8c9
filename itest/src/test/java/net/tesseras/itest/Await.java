package net.tesseras.itest;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits for a condition until a deadline, then fails saying what did not happen. Nothing in these
 * tests waits a fixed time hoping something happened meanwhile: each wait ends as soon as its
 * condition holds, and a condition that never holds fails the test at its deadline.
 */
final class Await {

    /** Long enough for a loaded 2-core build machine, short enough that a hang is reported. */
    static final Duration DEFAULT = Duration.ofSeconds(30);

    /** How often a condition is checked again. */
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private Await() {}

    /** Waits until {@code condition} is true; fails naming {@code what} at the deadline. */
    static void until(String what, Callable<Boolean> condition) throws Exception {
        value(what, () -> Boolean.TRUE.equals(condition.call()) ? Boolean.TRUE : null);
    }

    /** Waits until {@code probe} returns a value other than null and returns it. */
    static <T> T value(String what, Callable<T> probe) throws Exception {
        long deadline = System.nanoTime() + DEFAULT.toNanos();
        while (true) {
            T value = probe.call();
            if (value != null) {
                return value;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + DEFAULT.toSeconds() + " s: " + what);
            }
            LockSupport.parkNanos(POLL_NANOS);
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while waiting: " + what);
            }
        }
    }
}
