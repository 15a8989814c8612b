package dev.roomcast.server;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * WARN lines that client input can cause, at most one per reason per {@link #WINDOW}, so that no
 * client can flood the log: the first of a window is logged, the rest are counted and the count
 * goes with the next line logged for that reason. A line never carries a stack trace; the trace
 * goes to debug.
 *
 * <p>Threading: thread-safe: a {@link ConcurrentHashMap} of windows, each two atomics.
 */
final class RateLimitedWarning {

    static final Duration WINDOW = Duration.ofSeconds(10);

    /** One reason's window: when its line was last logged, and how many were held back since. */
    private record Window(AtomicLong loggedAt, AtomicLong heldBack) {
    }

    private final Logger log;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    RateLimitedWarning(Logger log, LongSupplier nanoClock) {
        this.log = log;
        this.nanoClock = nanoClock;
    }

    /**
     * Logs "{@code subject}: {@code reason}: {@code cause}" unless a line for {@code reason} was
     * logged less than {@link #WINDOW} ago. {@code reason} is a fixed phrase: it keys the window.
     */
    void warn(Object subject, String reason, Throwable cause) {
        long now = nanoClock.getAsLong();
        long window = WINDOW.toNanos();
        Window held = windows.computeIfAbsent(reason, r -> new Window(new AtomicLong(now - window), new AtomicLong()));
        long last = held.loggedAt().get();
        if (now - last < window || !held.loggedAt().compareAndSet(last, now)) {
            held.heldBack().incrementAndGet();
            return;
        }
        long more = held.heldBack().getAndSet(0);
        if (more > 0) {
            log.warn("{}: {}: {} ({} more like it in the last {} s)", subject, reason, cause.toString(), more,
                    WINDOW.toSeconds());
        } else {
            // toString(): as the last argument, the cause itself would be taken for a stack trace to print.
            log.warn("{}: {}: {}", subject, reason, cause.toString());
        }
        log.debug("{}: {}", subject, reason, cause);
    }
}
