package net.tesseras.replication.internal.repair;

import java.time.Duration;

/**
 * Caps the average rate of repair traffic: a token bucket in bytes, refilled at the configured
 * rate, holding at most one second's worth. A transfer is paid for whole before it starts (the
 * transport streams a fragment in one call, so it cannot be slowed from outside); when the bucket
 * runs into debt the next transfer waits until the debt is paid. Our own because no library the
 * project uses has one, and a rate limiter of this size needs none.
 */
final class Bandwidth {

    /** How to wait; tests record the waits instead of sleeping. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    /** Unlimited: no waiting at all. */
    static final Bandwidth UNLIMITED = new Bandwidth(0, System::nanoTime, d -> {
    });

    private final long bytesPerSecond;
    private final java.util.function.LongSupplier nanoTime;
    private final Sleeper sleeper;
    private double tokens;
    private long refilledAt;

    /** @param bytesPerSecond the cap; 0 or less: unlimited */
    Bandwidth(long bytesPerSecond, java.util.function.LongSupplier nanoTime, Sleeper sleeper) {
        this.bytesPerSecond = bytesPerSecond;
        this.nanoTime = nanoTime;
        this.sleeper = sleeper;
        this.tokens = Math.max(0, bytesPerSecond);
        this.refilledAt = nanoTime.getAsLong();
    }

    static Bandwidth of(long bytesPerSecond) {
        return bytesPerSecond <= 0 ? UNLIMITED : new Bandwidth(bytesPerSecond, System::nanoTime,
                d -> Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000));
    }

    /** Pays for {@code bytes}, waiting first while the bucket is in debt. */
    void acquire(long bytes) throws InterruptedException {
        if (bytesPerSecond <= 0) {
            return;
        }
        Duration wait;
        synchronized (this) {
            refill();
            wait = tokens < 0 ? Duration.ofNanos((long) Math.ceil(-tokens * 1e9 / bytesPerSecond)) : Duration.ZERO;
            tokens -= bytes;
        }
        if (!wait.isZero()) {
            sleeper.sleep(wait);
        }
    }

    /** Records {@code bytes} already moved (a placement), so that the next transfer waits for them. */
    synchronized void charge(long bytes) {
        if (bytesPerSecond > 0) {
            refill();
            tokens -= bytes;
        }
    }

    private void refill() {
        long now = nanoTime.getAsLong();
        tokens = Math.min(bytesPerSecond, tokens + (now - refilledAt) * (double) bytesPerSecond / 1e9);
        refilledAt = now;
    }
}
