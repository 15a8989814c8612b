package dev.roomcast.testing;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A logback appender (configured in logback-test.xml on the root logger) that keeps every event
 * logged with a stack trace, so a test can check that what it sent put none in the log.
 * Thread-safe: any thread may log, tests read and clear.
 */
public final class LogRecorder extends AppenderBase<ILoggingEvent> {

    private static final ConcurrentLinkedQueue<String> TRACES = new ConcurrentLinkedQueue<>();

    @Override
    protected void append(ILoggingEvent event) {
        IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown != null) {
            TRACES.add(event.getLoggerName() + ": " + event.getFormattedMessage() + " / " + thrown.getClassName()
                    + ": " + thrown.getMessage());
        }
    }

    /** The events with a stack trace logged since the last {@link #clear()}, oldest first. */
    public static List<String> stackTraces() {
        return new ArrayList<>(TRACES);
    }

    public static void clear() {
        TRACES.clear();
    }
}
