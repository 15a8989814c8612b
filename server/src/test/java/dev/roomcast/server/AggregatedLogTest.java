package dev.roomcast.server;

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

    private final Logger logger = (Logger) LoggerFactory.getLogger(AggregatedLog.class);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private Level levelBefore;

    @BeforeEach
    void capture() {
        levelBefore = logger.getLevel();
        logger.setLevel(Level.INFO);
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void release() {
        logger.detachAppender(lines);
        logger.setLevel(levelBefore);
    }

    private List<String> messages() {
        synchronized (lines) {
            return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    /** The events of {@code kind} that the lines so far report. */
    private long counted(String kind) {
        return messages().stream().filter(line -> line.startsWith(kind + ": "))
                .mapToLong(line -> Long.parseLong(line.substring(kind.length() + 2, line.indexOf(" in the last"))))
                .sum();
    }

    @Test
    void aFloodFromManyThreadsIsOneInfoLinePerKindPerIntervalWithItsCount() {
        try (AggregatedLog log = new AggregatedLog(Duration.ofSeconds(1))) {
            IntStream.range(0, 10_000).parallel().forEach(i -> log.count(i % 10 == 0 ? "upgrades refused (origin)" : "flood"));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> counted("upgrades refused (origin)") == 1000 && counted("flood") == 9000);
            int written = messages().size();
            // Normally one line each; two each if the counting straddled an interval on a busy machine.
            assertThat(written).isBetween(2, 4);
            assertThat(lines.list).allSatisfy(line -> assertThat(line.getLevel()).isEqualTo(Level.INFO));

            // A quiet interval writes nothing; the next event is counted afresh.
            await().pollDelay(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() -> true);
            assertThat(messages()).hasSize(written);
            log.count("flood");
        }
        assertThat(messages()).as("close writes what was left").last().isEqualTo("flood: 1 in the last 1 s");
    }
}
