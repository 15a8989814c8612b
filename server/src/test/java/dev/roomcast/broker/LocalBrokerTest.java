package dev.roomcast.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roomcast.room.Draft;
import dev.roomcast.room.HistorySlice;
import dev.roomcast.room.Position;
import dev.roomcast.room.RoomEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
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
        return publish(broker, room, "x".repeat(100), count);
    }

    private Position publish(LocalBroker broker, String room, String text, int count) {
        Position last = null;
        for (int i = 0; i < count; i++) {
            last = broker.publish(room, new Draft("ann", text, clock.millis())).toCompletableFuture().join();
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

    @Test
    void aRoomThatTrimsManyTimesKeepsExactlyItsNewestMessagesAndCountsOnlyTheirBytes() {
        LocalBroker wrapped = broker(40, Duration.ZERO, Long.MAX_VALUE);
        LocalBroker onlyTheLast = broker(40, Duration.ZERO, Long.MAX_VALUE);
        Position last = null;
        for (int i = 1; i <= 1_013; i++) {
            // Sizes that differ per message: the bytes given back when one is trimmed must be its own.
            Draft draft = new Draft("ann", "x".repeat(i % 97), clock.millis());
            last = wrapped.publish("room", draft).toCompletableFuture().join();
            if (i > 1_013 - 40) {
                onlyTheLast.publish("room", draft).toCompletableFuture().join();
            }
        }
        assertThat(wrapped.historyBytes()).isEqualTo(onlyTheLast.historyBytes());
        HistorySlice since = history(wrapped, "room", new Position(last.epoch(), 1_013 - 40));
        assertThat(since.complete()).isTrue();
        assertThat(since.messages()).extracting(m -> m.position().offset())
                .containsExactlyElementsOf(LongStream.rangeClosed(974, 1_013).boxed().toList());
        assertThat(since.messages()).extracting(m -> m.text().length())
                .containsExactlyElementsOf(IntStream.rangeClosed(974, 1_013).map(i -> i % 97).boxed().toList());
        HistorySlice newest = wrapped.history("room", null, 7).toCompletableFuture().join();
        assertThat(newest.messages()).extracting(m -> m.position().offset())
                .containsExactly(1_007L, 1_008L, 1_009L, 1_010L, 1_011L, 1_012L, 1_013L);
    }

    @Test
    void aRoomIsDeliveredExactlyWhileSubscribedWhetherItsLogCameBeforeTheSubscriptionOrAfterAnEviction() {
        LocalBroker broker = broker(100, Duration.ZERO, 20_000);
        publish(broker, "room", "before subscribing", 1);
        subscribe(broker, "room");
        publish(broker, "room", "subscribed", 1);
        clock.advance(Duration.ofSeconds(1));
        Position before = publish(broker, "room", "last of the first epoch", 1);
        clock.advance(Duration.ofSeconds(1));
        publish(broker, "busy", "x".repeat(100), 80);
        assertThat(history(broker, "room", before).current().epoch()).as("the room's log was evicted and made again")
                .isNotEqualTo(before.epoch());
        publish(broker, "room", "after the eviction", 1);
        broker.unsubscribe("room").toCompletableFuture().join();
        publish(broker, "room", "after unsubscribing", 1);
        assertThat(deliveredMessages("room")).extracting(RoomEvent.Message::text)
                .containsExactly("subscribed", "last of the first epoch", "after the eviction");
    }
}
