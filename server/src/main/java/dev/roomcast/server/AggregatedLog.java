package dev.roomcast.server;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * INFO lines for events that can come in floods (refused upgrades, rate-limited messages,
 * slow-consumer closes): each event only counts, and every interval one line per kind that
 * happened says how many, so an attack costs the log a line per kind per interval, never a line per event.
 *
 * <p>Threading: thread-safe. {@link #count} is an add to a {@link LongAdder}; the lines are written
 * on this log's own daemon thread, and by {@link #close} for what is left.
 */
final class AggregatedLog implements AutoCloseable {

    /** How often the counts are written: the same 10 s as the hostile-input warnings. */
    static final Duration INTERVAL = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(AggregatedLog.class);

    private final Duration interval;
    /** Kind → events since the last line. Kinds are a fixed set of phrases, never a name a client chose. */
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "roomcast-log-summary");
        thread.setDaemon(true);
        return thread;
    });

    AggregatedLog(Duration interval) {
        this.interval = interval;
        writer.scheduleAtFixedRate(this::write, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One event of {@code kind}, e.g. {@code "upgrades refused (origin)"}. Any thread. */
    void count(String kind) {
        counts.computeIfAbsent(kind, unused -> new LongAdder()).increment();
    }

    private void write() {
        counts.forEach((kind, count) -> {
            long events = count.sumThenReset();
            if (events > 0) {
                log.info("{}: {} in the last {} s", kind, events, interval.toSeconds());
            }
        });
    }

    /** Writes what was counted since the last line and stops the writer. */
    @Override
    public void close() {
        writer.shutdownNow();
        write();
    }
}
