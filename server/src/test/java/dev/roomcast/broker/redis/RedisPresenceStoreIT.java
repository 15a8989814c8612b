package dev.roomcast.broker.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.roomcast.broker.Backend;
import dev.roomcast.broker.PresenceStoreContract;
import dev.roomcast.config.RoomcastConfig;
import dev.roomcast.room.RoomEvent;
import dev.roomcast.testing.RedisTestSupport;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * RedisPresenceStore against a real Redis: the {@link PresenceStoreContract}, plus what only a shared
 * store has: a user on two nodes is one entry, and a node that stops refreshing its lease drops out.
 * Keys use a prefix unique to this run and are deleted afterwards.
 */
@Tag("redis")
class RedisPresenceStoreIT extends PresenceStoreContract {

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
    protected Backend newBackend() {
        return backend(RoomcastConfig.defaults().cluster().presenceLease());
    }

    private static Backend backend(Duration presenceLease) {
        return TestBackends.connect(redis, 100, HOUR, HOUR, presenceLease);
    }

    @Test
    void aUserWithSessionsOnTwoNodesIsOneEntryAnnouncedOnceAndLeftAfterTheLast() {
        Backend nodeA = started();
        Backend nodeB = started();
        String room = uniqueName();
        nodeA.broker().subscribe(room).toCompletableFuture().join();
        nodeA.presence().enter(room, "ann");
        nodeB.presence().enter(room, "ann");
        nodeB.presence().enter(room, "bob");
        await().atMost(DELIVERY).until(() -> presenceChanges().size() >= 2);
        assertThat(presence(nodeA, room)).isEqualTo(Map.of("ann", 2, "bob", 1));
        assertThat(presence(nodeB, room)).isEqualTo(presence(nodeA, room));

        nodeA.presence().exit(room, "ann");
        // exit() returns before its script ran; node B reads on its own connection.
        await().atMost(DELIVERY).until(() -> presence(nodeB, room).equals(Map.of("ann", 1, "bob", 1)));
        nodeB.presence().exit(room, "ann");
        await().atMost(DELIVERY).until(() -> presenceChanges().size() >= 3);
        assertThat(presenceChanges()).containsExactly(
                new RoomEvent.PresenceChange(room, "ann", true),
                new RoomEvent.PresenceChange(room, "bob", true),
                new RoomEvent.PresenceChange(room, "ann", false));
        assertThat(presence(nodeA, room)).isEqualTo(Map.of("bob", 1));
    }

    @Test
    void theUsersOfANodeThatStopsRefreshingDisappearAfterItsPresenceTtlWhileALiveNodesStay() {
        Duration ttl = Duration.ofMillis(1500);
        Backend live = backend(ttl);
        Backend crashing = backend(ttl);
        try {
            String room = uniqueName();
            live.presence().enter(room, "stays");
            crashing.presence().enter(room, "ghost");
            await().atMost(DELIVERY).until(() -> presence(live, room).size() == 2);

            crashing.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> !presence(live, room).containsKey("ghost"));
            assertThat(presence(live, room)).isEqualTo(Map.of("stays", 1));
            // Well past its TTL, kept alive by its heartbeat.
            await().pollDelay(ttl.multipliedBy(2)).atMost(ttl.multipliedBy(3))
                    .until(() -> presence(live, room).equals(Map.of("stays", 1)));
        } finally {
            live.close();
        }
    }
}
