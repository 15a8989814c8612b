package dev.roomcast.bench;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * What the clients of one client event loop received: counts and a latency histogram.
 * Confined to that loop while traffic runs; {@link ClientPool#totals} copies it on the loop.
 */
final class LoopStats {

    /** Latencies above this are recorded as this, so one stall cannot break the histogram. */
    private static final long MAX_LATENCY_NANOS = TimeUnit.MINUTES.toNanos(2);

    final Histogram latencyNanos = new Histogram(MAX_LATENCY_NANOS, 3);
    /** Bench messages received over the whole run. */
    long received;
    /** Bench messages received inside the measured window. */
    long receivedInWindow;
    /** Frames that were neither a bench message nor one the scenario expects. */
    long unexpected;

    /** Records one received bench message sent at {@code sentNanos} and seen at {@code nowNanos}. */
    void record(Window window, long sentNanos, long nowNanos) {
        received++;
        if (window.contains(nowNanos)) {
            receivedInWindow++;
        }
        if (window.contains(sentNanos)) {
            latencyNanos.recordValue(Math.min(Math.max(nowNanos - sentNanos, 0), MAX_LATENCY_NANOS));
        }
    }

    /** Adds {@code other}'s counts and histogram into this one. */
    void add(LoopStats other) {
        latencyNanos.add(other.latencyNanos);
        received += other.received;
        receivedInWindow += other.receivedInWindow;
        unexpected += other.unexpected;
    }

    LoopStats copy() {
        LoopStats copy = new LoopStats();
        copy.add(this);
        return copy;
    }
}
