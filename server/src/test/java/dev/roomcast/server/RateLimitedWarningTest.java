package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class RateLimitedWarningTest {

    private final Logger logger = (Logger) LoggerFactory.getLogger("rate-limited-warning-test");
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final RateLimitedWarning warning = new RateLimitedWarning(logger, nanos::get);

    @BeforeEach
    void record() {
        logger.setLevel(Level.DEBUG);
        logger.setAdditive(false);
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void stopRecording() {
        logger.detachAppender(lines);
    }

    private List<String> warnings() {
        return lines.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void oneLinePerReasonPerWindowWithTheCountOfTheOthersAndNoStackTrace() {
        IllegalStateException cause = new IllegalStateException("boom");
        for (int i = 0; i < 1000; i++) {
            warning.warn("client-" + i, "closing after unexpected error", cause);
        }
        warning.warn("other", "another reason", cause);
        assertThat(warnings()).containsExactly(
                "client-0: closing after unexpected error: java.lang.IllegalStateException: boom",
                "other: another reason: java.lang.IllegalStateException: boom");

        nanos.addAndGet(RateLimitedWarning.WINDOW.toNanos());
        warning.warn("client-1000", "closing after unexpected error", cause);
        assertThat(warnings()).last().isEqualTo("client-1000: closing after unexpected error: "
                + "java.lang.IllegalStateException: boom (999 more like it in the last 10 s)");

        assertThat(lines.list.stream().filter(e -> e.getLevel() == Level.WARN)).allMatch(e -> e.getThrowableProxy() == null);
        assertThat(lines.list.stream().filter(e -> e.getLevel() == Level.DEBUG)).hasSize(3)
                .allMatch(e -> e.getThrowableProxy() != null);
    }
}
