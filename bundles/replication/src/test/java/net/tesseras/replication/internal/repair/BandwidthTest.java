package net.tesseras.replication.internal.repair;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The repair bandwidth cap, on a hand-moved clock. */
class BandwidthTest {

    private final AtomicLong nanos = new AtomicLong();
    private final List<Duration> waits = new ArrayList<>();
    private final Bandwidth cap = new Bandwidth(1_000_000, nanos::get, d -> {
        waits.add(d);
        nanos.addAndGet(d.toNanos());
    });

    @Test
    void aBurstOfOneSecondIsFreeThenTransfersWaitForTheirBytes() throws InterruptedException {
        cap.acquire(1_000_000);
        assertEquals(List.of(), waits, "the bucket starts full");
        cap.acquire(500_000);
        assertEquals(List.of(), waits, "paid after the fact: the bucket is now in debt");
        cap.acquire(1);
        assertEquals(List.of(Duration.ofMillis(500)), waits, "half a second of debt at 1 MB/s");
    }

    @Test
    void timePassingRefillsTheBucket() throws InterruptedException {
        cap.acquire(2_000_000);
        nanos.addAndGet(Duration.ofSeconds(2).toNanos());
        cap.acquire(1);
        assertEquals(List.of(), waits);
    }

    @Test
    void placedBytesAreChargedToTheNextTransfer() throws InterruptedException {
        cap.acquire(1_000_000);
        cap.charge(3_000_000);
        cap.acquire(1);
        assertEquals(List.of(Duration.ofSeconds(3)), waits);
    }

    @Test
    void unlimitedNeverWaits() throws InterruptedException {
        Bandwidth.of(0).acquire(Long.MAX_VALUE / 2);
        Bandwidth.UNLIMITED.charge(Long.MAX_VALUE / 2);
        Bandwidth.UNLIMITED.acquire(1);
    }
}
