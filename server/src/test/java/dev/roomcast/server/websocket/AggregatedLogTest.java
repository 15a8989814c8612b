package dev.roomcast.server.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class AggregatedLogTest {

    private final Logger logger = (Logger) LoggerFactory.getLogger("aggregated-log-test");
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    @BeforeEach
    void capture() {
        logger.setLevel(Level.DEBUG);
        logger.setAdditive(false);
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void release() {
        logger.detachAppender(lines);
    }

    private List<String> messages(Level level) {
        synchronized (lines) {
            return lines.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    /** The events of {@code kind} that the INFO lines so far report. */
    private long counted(String kind) {
        return messages(Level.INFO).stream().filter(line -> line.startsWith(kind + ": "))
                .mapToLong(line -> Long.parseLong(line.substring(kind.length() + 2, line.indexOf(" in the last"))))
                .sum();
    }

    @Test
    void aFloodFromManyThreadsIsOneLinePerKindPerIntervalWithItsCount() {
        try (AggregatedLog log = new AggregatedLog(logger, org.slf4j.event.Level.INFO, Duration.ofSeconds(1))) {
            IntStream.range(0, 10_000).parallel().forEach(i -> log.count(i % 10 == 0 ? "upgrades refused (origin)" : "flood"));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> counted("upgrades refused (origin)") == 1000 && counted("flood") == 9000);
            int written = messages(Level.INFO).size();
            // Normally one line each; two each if the counting straddled an interval on a busy machine.
            assertThat(written).isBetween(2, 4);
            assertThat(lines.list).allSatisfy(line -> assertThat(line.getLevel()).isEqualTo(Level.INFO));

            // A quiet interval writes nothing; the next event is counted afresh.
            await().pollDelay(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() -> true);
            assertThat(messages(Level.INFO)).hasSize(written);
            log.count("flood");
        }
        assertThat(messages(Level.INFO)).as("close writes what was left").last().isEqualTo("flood: 1 in the last 1 s");
    }

    @Test
    void aWarningIsWrittenAtOnceThenCountedWithNoStackTrace() {
        IllegalStateException cause = new IllegalStateException("boom");
        // An hour: only close() writes the counts, so what the first interval holds is known exactly.
        try (AggregatedLog log = new AggregatedLog(logger, org.slf4j.event.Level.WARN, Duration.ofHours(1))) {
            for (int i = 0; i < 1000; i++) {
                log.log("client-" + i, "closing after unexpected error", cause);
            }
            log.log("other", "another reason", cause);
            assertThat(messages(Level.WARN)).containsExactly(
                    "client-0: closing after unexpected error: java.lang.IllegalStateException: boom",
                    "other: another reason: java.lang.IllegalStateException: boom");
        }
        assertThat(messages(Level.WARN)).as("the others, summed when the interval ends").hasSize(3)
                .last().isEqualTo("closing after unexpected error: 999 more like it in the last 3600 s");

        assertThat(lines.list.stream().filter(e -> e.getLevel() == Level.WARN)).allMatch(e -> e.getThrowableProxy() == null);
        assertThat(lines.list.stream().filter(e -> e.getLevel() == Level.DEBUG)).hasSize(2)
                .allMatch(e -> e.getThrowableProxy() != null);
    }
}
