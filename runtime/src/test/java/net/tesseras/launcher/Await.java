package net.tesseras.launcher;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.Predicate;

/** Polling with a deadline: every wait of an end-to-end test ends, and says what it last saw when it fails. */
final class Await {

    private Await() {}

    /**
     * Calls {@code probe} every {@code every} until {@code done} accepts its answer, and returns that
     * answer; after {@code timeout} fails with {@code what} and the last answer as {@code show} prints it.
     */
    static <T> T until(Duration timeout, Duration every, String what, Callable<T> probe, Predicate<T> done,
            Function<T, String> show) throws Exception {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        T last = null;
        while (true) {
            last = probe.call();
            if (done.test(last)) {
                return last;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("waited " + timeout.toSeconds() + " s for " + what + "; last seen:\n" + show.apply(last));
            }
            Thread.sleep(every.toMillis());
        }
    }
}
