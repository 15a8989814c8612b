package dev.roomcast.broker.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.roomcast.broker.Broker;
import dev.roomcast.broker.BrokerContract;
import dev.roomcast.config.RoomcastConfig;
import dev.roomcast.room.HistorySlice;
import dev.roomcast.room.Position;
import dev.roomcast.room.RoomEvent;
import dev.roomcast.testing.RedisTestSupport;
import dev.roomcast.testing.TcpRelay;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * RedisBroker against a real Redis: the {@link BrokerContract}, plus what only a shared store has:
 * two brokers (nodes) sharing rooms, age trimming by Redis's clock, TTLs on every key, and the
 * script cache being flushed. Keys use a prefix unique to this run and are deleted afterwards.
 */
@Tag("redis")
class RedisBrokerIT extends BrokerContract {

    private static final Duration HOUR = Duration.ofHours(1);
    private static RedisTestSupport redis;

    @BeforeAll
    static void connect() {
        redis = RedisTestSupport.require();
    }

    @AfterAll
    static void cleanUp() {
        if (redis != null) {
            redis.close();
        }
    }

    @Override
    protected Broker newBroker(int historySize) {
        return broker(historySize, HOUR, HOUR);
    }

    /** A Redis flush, as far as this room is concerned: its keys are gone. */
    @Override
    protected Broker loseHistory(Broker broker, String room) {
        RedisKeys keys = new RedisKeys(redis.prefix(), 0);
        assertThat(redis.redis().del(keys.position(room), keys.stream(room))).isEqualTo(2);
        return broker;
    }

    private static Broker broker(int historySize, Duration maxAge, Duration roomTtl) {
        return TestBackends.connect(redis, historySize, maxAge, roomTtl, RoomcastConfig.defaults().cluster().presenceLease())
                .broker();
    }

    @Test
    void twoBrokersShareARoomsOffsetsHistoryAndEvents() {
        Broker nodeA = started(100);
        Broker nodeB = started(100);
        String room = uniqueRoom();
        subscribe(nodeB, room);

        Position fromA = publish(nodeA, room, "from A");
        Position fromB = publish(nodeB, room, "from B");
        assertThat(fromB).isEqualTo(new Position(fromA.epoch(), fromA.offset() + 1));
        assertThat(awaitMessages(room, 2)).extracting(RoomEvent.Message::text).containsExactly("from A", "from B");
        assertThat(history(nodeA, room, null, 10).messages()).extracting(RoomEvent.Message::text)
                .containsExactly("from A", "from B");
    }

    @Test
    void aNodeCutOffFromRedisDeliversWhatItMissedOnceBackInOrderAndOnce() throws Exception {
        Set<String> commands = ConcurrentHashMap.newKeySet();
        AtomicInteger reconnects = new AtomicInteger();
        AtomicInteger caughtUp = new AtomicInteger();
        RedisObserver observer = new RedisObserver() {
            @Override
            public void commandCompleted(String command, long nanos) {
                commands.add(command);
            }

            @Override
            public void reconnected() {
                reconnects.incrementAndGet();
            }

            @Override
            public void caughtUp(int messages) {
                caughtUp.addAndGet(messages);
            }
        };
        try (TcpRelay relay = new TcpRelay(RedisTestSupport.HOST, RedisTestSupport.PORT)) {
            Broker cutOff = RedisBackend.connect(new RedisBackend.Settings(
                    "redis://127.0.0.1:" + relay.port(), redis.prefix(), 100, HOUR, HOUR, HOUR), observer).broker();
            try {
                cutOff.start(delivered::add);
                Broker other = started(100);
                String room = uniqueRoom();
                subscribe(cutOff, room);
                publish(other, room, "before");
                awaitMessages(room, 1);

                relay.cut();
                await().atMost(Duration.ofSeconds(5)).until(() -> !cutOff.isReady());
                publish(other, room, 3);
                relay.restore();
                await().atMost(Duration.ofSeconds(30)).until(cutOff::isReady);
                awaitMessages(room, 4);
                publish(other, room, "after");

                assertThat(awaitMessages(room, 5)).extracting(RoomEvent.Message::text)
                        .containsExactly("before", "m1", "m2", "m3", "after");
                assertThat(offsets(deliveredMessages(room))).containsExactly(1L, 2L, 3L, 4L, 5L);
                assertThat(reconnects).as("both connections came back").hasValueGreaterThanOrEqualTo(2);
                assertThat(caughtUp).as("the three messages read back after the outage").hasValue(3);
                assertThat(commands).as("commands timed, by type").contains("EVALSHA", "PING");
            } finally {
                cutOff.close();
            }
        }
    }

    @Test
    void everyKeyOfARoomHasATimeToLiveThatPublishingRefreshes() {
        Broker broker = started(100);
        String room = uniqueRoom();
        RedisKeys keys = new RedisKeys(redis.prefix(), 0);

        history(broker, room, null, 10);
        assertThat(redis.redis().pttl(keys.position(room))).as("a read that creates a room sets its TTL")
                .isBetween(1L, HOUR.toMillis());
        redis.redis().pexpire(keys.position(room), 60_000);
        publish(broker, room, "refresh");
        assertThat(redis.redis().pttl(keys.position(room))).isGreaterThan(60_000);
        assertThat(redis.redis().pttl(keys.stream(room))).isBetween(60_001L, HOUR.toMillis());
        // -1 is a key without a TTL; -2 a key of another test that expired since KEYS listed it.
        assertThat(redis.redis().keys(redis.prefix() + "*")).allSatisfy(
                key -> assertThat(redis.redis().pttl(key)).as(key).isNotEqualTo(-1L));
    }

    @Test
    void anIdleRoomExpiresAndStartsANewEpoch() {
        Broker broker = broker(100, HOUR, Duration.ofMillis(300));
        String room = uniqueRoom();
        Position before = publish(broker, room, "soon forgotten");
        try {
            await().atMost(Duration.ofSeconds(5)).until(
                    () -> redis.redis().exists(new RedisKeys(redis.prefix(), 0).position(room)) == 0);
            HistorySlice after = history(broker, room, before, 10);
            assertThat(after.complete()).isFalse();
            assertThat(after.current().epoch()).isNotEqualTo(before.epoch());
        } finally {
            broker.close();
        }
    }

    @Test
    void messagesOlderThanTheMaxAgeAreNotReturnedAndRecoveryAcrossThemIsIncomplete() {
        Broker broker = broker(100, Duration.ofMillis(500), HOUR);
        String room = uniqueRoom();
        try {
            Position start = history(broker, room, null, 0).current();
            publish(broker, room, 5);
            await().atMost(Duration.ofSeconds(5)).until(() -> history(broker, room, null, 10).messages().isEmpty());
            publish(broker, room, "fresh");

            HistorySlice slice = history(broker, room, start, 100);
            assertThat(slice.complete()).isFalse();
            assertThat(slice.messages()).extracting(RoomEvent.Message::text).containsExactly("fresh");
            assertThat(slice.current().offset()).isEqualTo(6);
            assertThat(redis.redis().xlen(new RedisKeys(redis.prefix(), 0).stream(room)))
                    .as("publishing trims expired entries (in whole macro nodes)").isLessThanOrEqualTo(6);
        } finally {
            broker.close();
        }
    }

    @Test
    void publishingStillWorksAfterRedisForgetsTheScripts() {
        Broker broker = started(100);
        String room = uniqueRoom();
        publish(broker, room, "before");
        redis.redis().scriptFlush();
        assertThat(publish(broker, room, "after").offset()).isEqualTo(2);
        assertThat(history(broker, room, null, 10).messages()).extracting(RoomEvent.Message::text)
                .containsExactly("before", "after");
    }

    @Test
    void theWireFormatIsCompactJsonWithThePositionFirst() {
        Broker broker = started(100);
        String room = uniqueRoom();
        publish(broker, room, "hi");
        List<String> stored = redis.redis().xrange(new RedisKeys(redis.prefix(), 0).stream(room),
                io.lettuce.core.Range.create("-", "+")).stream().map(entry -> entry.getBody().get("m")).toList();
        assertThat(stored).singleElement().asString().matches(
                "\\{\"e\":\"[0-9a-z]+\",\"o\":1,\"k\":\"m\",\"r\":\"" + room + "\",\"f\":\"ann\",\"x\":\"hi\",\"t\":\\d+}");
        assertThat(broker.isReady()).isTrue();
    }

    @Test
    void anUnreachableRedisIsOneClearLineAtStartup() {
        assertThatThrownBy(() -> RedisBackend.connect(new RedisBackend.Settings("redis://127.0.0.1:1", "x:", 10, HOUR, HOUR, HOUR),
                new RedisObserver() { }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("cannot use Redis at 127.0.0.1:1: ")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void anUnreachableSentinelIsOneClearLineAtStartup() {
        assertThatThrownBy(() -> RedisBackend.connect(new RedisBackend.Settings("redis-sentinel://127.0.0.1:1/mymaster", "x:",
                10, HOUR, HOUR, HOUR), new RedisObserver() { }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("cannot use Redis at master mymaster of Sentinel 127.0.0.1:1: ")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void anUnreachableClusterIsOneClearLineAtStartup() {
        assertThatThrownBy(() -> RedisBackend.connect(new RedisBackend.Settings("redis-cluster://127.0.0.1:1,127.0.0.1:2", "x:",
                10, HOUR, HOUR, HOUR), new RedisObserver() { }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("cannot use Redis at Redis Cluster 127.0.0.1:1,127.0.0.1:2: ")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    /** What a failover to a replica that missed the newest messages leaves (#18): the room's position went back. */
    @Test
    void aRoomBehindWhatThisNodeDeliveredStartsANewEpochRatherThanReuseItsOffsets() {
        Broker broker = started(100);
        String room = uniqueRoom();
        subscribe(broker, room);
        Position third = publish(broker, room, 3).get(2);
        awaitMessages(room, 3);
        redis.redis().hset(new RedisKeys(redis.prefix(), 0).position(room), "offset", "1");

        HistorySlice fromThird = history(broker, room, third, 10);
        assertThat(fromThird.complete()).as("a client that saw the third message is told to reload").isFalse();
        assertThat(fromThird.current().epoch()).as("a new epoch").isNotEqualTo(third.epoch());
        assertThat(fromThird.current().offset()).isZero();
        assertThat(publish(broker, room, "after")).isEqualTo(new Position(fromThird.current().epoch(), 1));
    }

    @Test
    void aPublishOnARoomBehindWhatThePublisherDeliveredStartsANewEpoch() {
        Broker broker = started(100);
        String room = uniqueRoom();
        subscribe(broker, room);
        Position third = publish(broker, room, 3).get(2);
        awaitMessages(room, 3);
        redis.redis().hset(new RedisKeys(redis.prefix(), 0).position(room), "offset", "2");

        Position after = publish(broker, room, "after");
        assertThat(after.epoch()).isNotEqualTo(third.epoch());
        assertThat(after.offset()).isEqualTo(1);
    }

    /**
     * A failover lost the newest messages and a node that never received them publishes (#18): its publish takes the
     * first one's offset, which a node that delivered the lost ones must not take for a copy and drop in silence.
     */
    @Test
    void aSecondMessageAtAnOffsetThisNodeDeliveredMovesTheRoomToANewEpochBehindAGap() {
        Broker publisher = started(100);
        Broker member = started(100);
        String room = uniqueRoom();
        subscribe(member, room);
        Position second = publish(publisher, room, 3).get(1);
        awaitMessages(room, 3);
        RedisKeys keys = new RedisKeys(redis.prefix(), 0);
        redis.redis().hset(keys.position(room), "offset", "1");
        redis.redis().xdel(keys.stream(room), redis.redis().xrevrange(keys.stream(room), Range.create("-", "+"), Limit.from(2))
                .stream().map(entry -> entry.getId()).toArray(String[]::new));

        assertThat(publish(publisher, room, "after")).as("the publisher never received the lost messages").isEqualTo(second);
        await().atMost(Duration.ofSeconds(5)).until(() -> delivered.stream().anyMatch(event -> event instanceof RoomEvent.Gap));
        Position next = publish(publisher, room, "next");
        assertThat(next).isEqualTo(new Position(next.epoch(), 1));
        assertThat(next.epoch()).isNotEqualTo(second.epoch());
        awaitMessages(room, 4);
        assertThat(delivered).map(event -> event instanceof RoomEvent.Message message ? message.text() : "gap")
                .as("the lost offset's new message is announced as a gap, not dropped in silence")
                .containsExactly("m1", "m2", "m3", "gap", "next");
    }
}
