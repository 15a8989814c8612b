package dev.roomcast.server.websocket;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * Log lines for events that can come in floods (refused upgrades, rate-limited messages, closes,
 * unexpected errors a client can repeat), at most one per reason per interval with a count, so an
 * attack costs the log a line per reason per interval, never a line per event. {@link #count}
 * only counts; {@link #log} also writes the first event of a reason in an interval at once, with its
 * subject and cause, so there is a line to read. At the end of each interval one line per reason
 * that happened says how many (more) there were. A line never carries a stack trace; a trace goes
 * to debug.
 *
 * <p>Threading: thread-safe. Counting is an add to a {@link LongAdder}; the interval's lines are
 * written on one daemon thread shared by every instance ({@code roomcast-log-summary}), and by
 * {@link #close} for what is left.
 */
public final class AggregatedLog implements AutoCloseable {

    /** How often the counts are written. */
    public static final Duration INTERVAL = Duration.ofSeconds(10);

    private static final ScheduledExecutorService WRITER = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "roomcast-log-summary");
        thread.setDaemon(true);
        return thread;
    });

    /** One reason's interval: the events not written yet, and whether its first was written at once. */
    private record Tally(LongAdder unwritten, AtomicBoolean shown) {
    }

    private final Logger log;
    private final Level level;
    private final Duration interval;
    /** Reason → its tally. Reasons are a fixed set of phrases, never a name a client chose. */
    private final Map<String, Tally> tallies = new ConcurrentHashMap<>();
    private final ScheduledFuture<?> writing;

    /** Lines go to {@code log} at {@code level}, the counts every {@code interval}. */
    public AggregatedLog(Logger log, Level level, Duration interval) {
        this.log = log;
        this.level = level;
        this.interval = interval;
        this.writing = WRITER.scheduleAtFixedRate(this::write, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One event of {@code reason}, e.g. {@code "upgrades refused (origin)"}: counted for the interval's line. Any thread. */
    public void count(String reason) {
        tally(reason).unwritten().increment();
    }

    /**
     * One event of {@code reason}: the first of an interval is written now as "{@code subject}:
     * {@code reason}: {@code cause}" (the trace at debug); the rest are counted for the interval's
     * line, which says how many more there were. Any thread.
     */
    public void log(Object subject, String reason, Throwable cause) {
        Tally tally = tally(reason);
        if (!tally.shown().compareAndSet(false, true)) {
            tally.unwritten().increment();
            return;
        }
        // toString(): as the last argument, the cause itself would be taken for a stack trace to print.
        log.atLevel(level).log("{}: {}: {}", subject, reason, cause.toString());
        log.debug("{}: {}", subject, reason, cause);
    }

    private Tally tally(String reason) {
        return tallies.computeIfAbsent(reason, unused -> new Tally(new LongAdder(), new AtomicBoolean()));
    }

    private void write() {
        tallies.forEach((reason, tally) -> {
            boolean shown = tally.shown().getAndSet(false);
            long events = tally.unwritten().sumThenReset();
            if (events > 0) {
                log.atLevel(level).log("{}: {} {}in the last {} s", reason, events, shown ? "more like it " : "",
                        interval.toSeconds());
            }
        });
    }

    /** Writes what was counted since the last line and stops writing this log's lines. */
    @Override
    public void close() {
        writing.cancel(false);
        write();
    }
}
