package dev.roomcast.bench;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import org.HdrHistogram.Histogram;

/** Steps the traffic scenarios share: opening every client, timing the window, draining, latency figures. Stateless. */
final class Traffic {

    private static final double NANOS_PER_MS = 1e6;
    private static final Duration SETTLE = Duration.ofMillis(500);

    /** For {@link #measure}: the window lasts the whole duration. */
    static final BooleanSupplier UNTIL_DURATION = () -> false;

    private Traffic() {
    }

    /**
     * Opens {@code count} clients and returns them once all are open, or throws when any could
     * not connect: a traffic figure from fewer clients than asked would be misleading.
     */
    static ClientPool.Opened openAll(ClientPool pool, BenchPlan plan, int count, IntFunction<BenchClient> clientFor)
            throws InterruptedException, ExecutionException, TimeoutException {
        ClientPool.Opened opened = pool.open(plan, count, clientFor).get(10, TimeUnit.MINUTES);
        if (opened.failed() > 0) {
            throw new IllegalStateException(opened.failed() + " of " + count + " connections failed, first: "
                    + opened.firstFailure());
        }
        // Joins sent after the handshake (JSON protocol) must reach the server before traffic starts.
        sleep(SETTLE);
        return opened;
    }

    /**
     * Lets the traffic warm up, then opens {@code window} for the plan's duration, or until
     * {@code finished}, and returns the CPU the server and the bench used while it was open.
     */
    static CpuMeter.Usage measure(BenchPlan plan, Window window, BooleanSupplier finished) throws InterruptedException {
        sleep(plan.warmup());
        window.open(System.nanoTime());
        CpuMeter cpu = CpuMeter.start(ProcessProbe.ofServer(plan.serverPid()));
        await(finished, plan.duration());
        window.close(System.nanoTime());
        return cpu.stop();
    }

    /** Waits up to {@code timeout} for {@code done}; returns whether it became true. */
    static boolean await(BooleanSupplier done, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** Bench messages every client has received so far. */
    static long received(ClientPool pool) {
        try {
            return pool.totals().received;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading client statistics", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read client statistics", e.getCause());
        }
    }

    static void sleep(Duration duration) throws InterruptedException {
        Thread.sleep(duration.toMillis());
    }

    /** Puts the latency percentiles of {@code histogram} (nanoseconds) into {@code result}, in ms. */
    static void putLatency(BenchResult result, String name, Histogram histogram) {
        result.put(name + "_samples", histogram.getTotalCount());
        result.put(name + "_p50_ms", histogram.getValueAtPercentile(50) / NANOS_PER_MS);
        result.put(name + "_p99_ms", histogram.getValueAtPercentile(99) / NANOS_PER_MS);
        result.put(name + "_p999_ms", histogram.getValueAtPercentile(99.9) / NANOS_PER_MS);
        result.put(name + "_max_ms", histogram.getMaxValue() / NANOS_PER_MS);
    }

    /** Percentage of samples above {@code limit}. */
    static double percentAbove(Histogram histogram, Duration limit) {
        if (histogram.getTotalCount() == 0) {
            return 0;
        }
        return 100.0 - histogram.getPercentileAtOrBelowValue(limit.toNanos());
    }
}
