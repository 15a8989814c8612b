package dev.roomcast.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A logback appender (configured in logback-test.xml) that keeps every {@code LEAK:} report of
 * Netty's ResourceLeakDetector, so {@link LeakCheck} can fail the build on them. Thread-safe:
 * any thread may log, the check drains.
 */
public final class LeakRecorder extends AppenderBase<ILoggingEvent> {

    private static final ConcurrentLinkedQueue<String> LEAKS = new ConcurrentLinkedQueue<>();

    @Override
    protected void append(ILoggingEvent event) {
        if (event.getLevel().isGreaterOrEqual(Level.ERROR) && event.getFormattedMessage().contains("LEAK:")) {
            LEAKS.add(event.getFormattedMessage());
        }
    }

    /** The reports recorded since the last call, oldest first; recording goes on. */
    static List<String> drain() {
        List<String> leaks = new ArrayList<>();
        for (String leak; (leak = LEAKS.poll()) != null; ) {
            leaks.add(leak);
        }
        return leaks;
    }
}
