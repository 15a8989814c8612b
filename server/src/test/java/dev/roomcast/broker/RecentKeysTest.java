package dev.roomcast.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roomcast.room.Draft;
import dev.roomcast.room.Payload;
import dev.roomcast.room.Position;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The memory broker's idempotency keys: per room, forgotten after the window, and never more than the bound. */
class RecentKeysTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now.get());
        }
    };

    @Test
    void aKeyIsRememberedPerRoomForTheWindow() {
        RecentKeys keys = new RecentKeys(Duration.ofMinutes(5), 10, clock);
        Position first = new Position("e", 7);
        keys.remember("lobby", "k", first);
        assertThat(keys.seen("lobby", "k")).isEqualTo(new RecentKeys.Seen(first));
        assertThat(keys.seen("other", "k")).isNull();
        keys.remember("lobby", "ephemeral", null);
        assertThat(keys.seen("lobby", "ephemeral")).isEqualTo(new RecentKeys.Seen(null));

        now.addAndGet(Duration.ofMinutes(5).toMillis() - 1);
        assertThat(keys.seen("lobby", "k")).isNotNull();
        now.addAndGet(1);
        assertThat(keys.seen("lobby", "k")).isNull();
        assertThat(keys.size()).isZero();
    }

    @Test
    void pastTheBoundTheOldestKeysAreForgottenFirst() {
        RecentKeys keys = new RecentKeys(Duration.ofMinutes(5), 3, clock);
        for (int i = 0; i < 5; i++) {
            keys.remember("lobby", "k" + i, new Position("e", i + 1));
            now.incrementAndGet();
        }
        assertThat(keys.size()).isEqualTo(3);
        assertThat(keys.seen("lobby", "k0")).isNull();
        assertThat(keys.seen("lobby", "k1")).isNull();
        assertThat(keys.seen("lobby", "k4")).isEqualTo(new RecentKeys.Seen(new Position("e", 5)));
    }

    @Test
    void theBrokerKeepsAtMostItsBoundOfKeys() {
        LocalBroker broker = new LocalBroker(RoomHistory.uniform(0, Duration.ZERO), Long.MAX_VALUE, Duration.ofMinutes(5), clock);
        for (int i = 0; i < LocalBroker.MAX_IDEMPOTENCY_KEYS + 10; i++) {
            broker.publish("room-" + (i % 7), new Draft("ann", Payload.text("x"), 1, false, null, "k" + i));
        }
        assertThat(broker.idempotencyKeys()).isEqualTo(LocalBroker.MAX_IDEMPOTENCY_KEYS);
    }
}
