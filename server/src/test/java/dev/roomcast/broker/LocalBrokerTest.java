package dev.roomcast.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roomcast.room.Draft;
import dev.roomcast.room.HistorySlice;
import dev.roomcast.room.Position;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/**
 * LocalBroker: the {@link BrokerContract}, plus its own history bounds: per room by count and age,
 * across rooms by estimated memory.
 */
class LocalBrokerTest extends BrokerContract {

    @Override
    protected Broker newBroker(int historySize) {
        return new LocalBroker(historySize, Duration.ofHours(1), Long.MAX_VALUE, Clock.systemUTC());
    }

    /** A memory store loses its history when the process restarts: a new broker. */
    @Override
    protected Broker loseHistory(Broker broker, String room) {
        broker.close();
        return started(100);
    }

    /** A clock the test moves by hand. */
    private static final class ManualClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    }

    private final ManualClock clock = new ManualClock();

    private LocalBroker broker(int historySize, Duration maxAge, long maxBytes) {
        LocalBroker broker = new LocalBroker(historySize, maxAge, maxBytes, clock);
        broker.start(delivered::add);
        return broker;
    }

    private Position publish(LocalBroker broker, String room, int count) {
        Position last = null;
        for (int i = 0; i < count; i++) {
            last = broker.publish(room, new Draft("ann", "x".repeat(100), clock.millis())).toCompletableFuture().join();
        }
        return last;
    }

    private static HistorySlice history(LocalBroker broker, String room, Position since) {
        return broker.history(room, since, 1000).toCompletableFuture().join();
    }

    @Test
    void theTotalBoundDropsTheLeastRecentlyActiveRoomsHistoryFirst() {
        LocalBroker broker = broker(100, Duration.ZERO, 20_000);
        Position idle = publish(broker, "idle", 20);
        clock.advance(Duration.ofSeconds(1));
        Position quiet = publish(broker, "quiet", 20);
        clock.advance(Duration.ofSeconds(1));
        Position busy = publish(broker, "busy", 30);

        assertThat(broker.historyBytes()).isLessThanOrEqualTo(20_000);
        HistorySlice idleNow = history(broker, "idle", new Position(idle.epoch(), 10));
        assertThat(idleNow.complete()).as("idle room's history was dropped").isFalse();
        assertThat(idleNow.current().epoch()).as("a dropped room starts a new epoch").isNotEqualTo(idle.epoch());
        HistorySlice busyNow = history(broker, "busy", new Position(busy.epoch(), 0));
        assertThat(busyNow.complete()).isTrue();
        assertThat(busyNow.messages()).hasSize(30);
        assertThat(quiet).isNotNull();
    }

    @Test
    void offsetsKeepGrowingAfterTheCountBoundTrimsAndOldPositionsNoLongerRecover() {
        LocalBroker broker = broker(10, Duration.ZERO, Long.MAX_VALUE);
        Position first = publish(broker, "room", 1);
        Position last = publish(broker, "room", 24);
        assertThat(last.offset()).isEqualTo(25);
        assertThat(history(broker, "room", first).complete()).isFalse();
        HistorySlice recent = history(broker, "room", new Position(last.epoch(), 15));
        assertThat(recent.complete()).isTrue();
        assertThat(recent.messages()).extracting(m -> m.position().offset()).containsExactly(16L, 17L, 18L, 19L, 20L,
                21L, 22L, 23L, 24L, 25L);
    }

    @Test
    void messagesOlderThanTheMaxAgeAreDroppedAndTheirBytesReturned() {
        LocalBroker broker = broker(100, Duration.ofMinutes(1), Long.MAX_VALUE);
        Position old = publish(broker, "room", 5);
        long withFive = broker.historyBytes();
        clock.advance(Duration.ofMinutes(2));
        publish(broker, "room", 1);
        assertThat(broker.historyBytes()).isLessThan(withFive);
        HistorySlice slice = history(broker, "room", new Position(old.epoch(), 0));
        assertThat(slice.complete()).isFalse();
        assertThat(slice.messages()).hasSize(1);
    }
}
