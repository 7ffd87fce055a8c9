package net.tesseras.replication.internal.repair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.atomic.AtomicInteger;
import net.tesseras.core.ContentHash;
import net.tesseras.replication.RepairReport;
import org.junit.jupiter.api.Test;

/**
 * The scheduler's timing through a sleeper that hands each requested sleep to the test and waits to
 * be released: no real time passes, no timing thresholds.
 */
class RepairSchedulerTest {

    private static final RepairScheduler.Timing TIMING = new RepairScheduler.Timing(Duration.ofSeconds(60),
            Duration.ofHours(1), Duration.ofMinutes(10));

    /** Sleeps are announced on {@code asked} and end when the test puts a token on {@code release}. */
    private static final class SteppedSleeper implements RepairScheduler.Sleeper {
        final BlockingQueue<Duration> asked = new LinkedBlockingQueue<>();
        final SynchronousQueue<Object> release = new SynchronousQueue<>();

        @Override
        public void sleep(Duration duration) throws InterruptedException {
            asked.put(duration);
            release.take();
        }
    }

    private final List<Optional<ContentHash>> runs = new ArrayList<>();

    private RepairReport record(Optional<ContentHash> only) {
        synchronized (runs) {
            runs.add(only);
        }
        return new RepairReport(List.of());
    }

    private static RepairScheduler scheduler(RepairScheduler.Pass pass, RepairScheduler.Sleeper sleeper, double... jitters) {
        AtomicInteger next = new AtomicInteger();
        return new RepairScheduler(pass, TIMING, sleeper, () -> jitters[next.getAndIncrement() % jitters.length],
                r -> {
                    Thread t = new Thread(r, "repair-test");
                    t.setDaemon(true);
                    return t;
                });
    }

    @Test
    void theFirstPassRunsAfterTheInitialDelayThenEveryIntervalPlusAFreshJitter() throws Exception {
        SteppedSleeper sleeper = new SteppedSleeper();
        RepairScheduler scheduler = scheduler(this::record, sleeper, 0.5, 0.25);
        scheduler.start();

        assertEquals(Duration.ofSeconds(60), sleeper.asked.take());
        assertTrue(runs.isEmpty(), "no pass before the initial delay");
        sleeper.release.put(this);
        assertEquals(Duration.ofHours(1).plusMinutes(5), sleeper.asked.take());
        assertEquals(1, runs.size());
        sleeper.release.put(this);
        assertEquals(Duration.ofHours(1).plusSeconds(150), sleeper.asked.take(), "a jitter drawn anew");
        assertEquals(2, runs.size());

        scheduler.reconfigure(new RepairScheduler.Timing(Duration.ZERO, Duration.ofMinutes(30), Duration.ZERO));
        sleeper.release.put(this);
        assertEquals(Duration.ofMinutes(30), sleeper.asked.take(), "the new interval from the next sleep on");

        scheduler.close();
        assertEquals(List.of(Optional.empty(), Optional.empty(), Optional.empty()), runs);
    }

    @Test
    void closingInterruptsASleepAndLeavesNoThread() throws Exception {
        SteppedSleeper sleeper = new SteppedSleeper();
        List<Thread> made = new ArrayList<>();
        RepairScheduler scheduler = new RepairScheduler(this::record, TIMING, sleeper, () -> 0, r -> {
            Thread t = new Thread(r, "repair-test");
            made.add(t);
            return t;
        });
        scheduler.start();
        scheduler.start();
        sleeper.asked.take();

        scheduler.close();

        assertEquals(1, made.size(), "start twice makes one thread");
        assertFalse(made.get(0).isAlive());
        assertTrue(runs.isEmpty());
    }

    @Test
    void runNowWaitsForTheRunningPassInsteadOfRunningTwoAtOnce() throws Exception {
        CountDownLatch scheduledStarted = new CountDownLatch(1);
        CountDownLatch finishScheduled = new CountDownLatch(1);
        AtomicInteger concurrent = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        List<String> order = new ArrayList<>();
        RepairScheduler.Pass pass = only -> {
            most.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
            try {
                synchronized (order) {
                    order.add(only.isEmpty() ? "scheduled" : "forced " + only.get().toShortHex(4));
                }
                if (only.isEmpty()) {
                    scheduledStarted.countDown();
                    finishScheduled.await();
                }
                return new RepairReport(List.of());
            } finally {
                concurrent.decrementAndGet();
            }
        };
        RepairScheduler scheduler = new RepairScheduler(pass, new RepairScheduler.Timing(Duration.ZERO, Duration.ofHours(1),
                Duration.ZERO), d -> {
                    if (!d.isZero()) {
                        Thread.sleep(Long.MAX_VALUE);
                    }
                }, () -> 0, Thread::new);
        scheduler.start();
        scheduledStarted.await();
        assertTrue(scheduler.passRunning());

        ContentHash hash = Fixtures.hash(5);
        CompletableFuture<RepairReport> forced = CompletableFuture.supplyAsync(() -> scheduler.runNow(Optional.of(hash)));
        while (!scheduler.passWaiting()) {
            Thread.onSpinWait(); // until the forced pass waits on the running one
        }
        synchronized (order) {
            assertEquals(List.of("scheduled"), order);
        }
        finishScheduled.countDown();
        forced.get();

        assertEquals(List.of("scheduled", "forced " + hash.toShortHex(4)), order);
        assertEquals(1, most.get(), "never two passes at once");
        scheduler.close();
    }

    @Test
    void aFailingPassDoesNotStopTheSchedule() throws Exception {
        SteppedSleeper sleeper = new SteppedSleeper();
        AtomicInteger calls = new AtomicInteger();
        RepairScheduler scheduler = scheduler(only -> {
            calls.incrementAndGet();
            throw new IllegalStateException("store gone");
        }, sleeper, 0);
        scheduler.start();
        sleeper.asked.take();
        sleeper.release.put(this);
        sleeper.asked.take();
        sleeper.release.put(this);
        sleeper.asked.take();
        assertEquals(2, calls.get());
        scheduler.close();
    }

    @Test
    void timingOutOfRangeIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> new RepairScheduler.Timing(Duration.ZERO, Duration.ZERO, Duration.ZERO));
        assertThrows(IllegalArgumentException.class,
                () -> new RepairScheduler.Timing(Duration.ofSeconds(-1), Duration.ofHours(1), Duration.ZERO));
    }
}
