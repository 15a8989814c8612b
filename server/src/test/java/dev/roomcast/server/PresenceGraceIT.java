package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomcast.testing.JsonWs;
import dev.roomcast.testing.RedisTestSupport;
import dev.roomcast.testing.TestServer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code --presence-grace} (#18): a user who has had no session in a room for the grace is gone. A reload, or a
 * reconnect to another node sharing the rooms, inside it announces neither {@code left} nor {@code joined}; a
 * user who does not come back is announced {@code left} once the grace has passed.
 */
@Timeout(60)
class PresenceGraceIT {

    private static final AtomicInteger ROOMS = new AtomicInteger();
    private static final Duration GRACE = Duration.ofSeconds(2);

    @Test
    void aReloadInsideTheGraceAnnouncesNothingAndLeavingForGoodIsAnnouncedAfterIt() {
        try (TestServer node = TestServer.start(settings -> settings.presenceGrace(GRACE))) {
            watchAReload(node, node);
        }
    }

    @Tag("redis")
    @Test
    void aReconnectToAnotherNodeInsideTheGraceAnnouncesNothing() {
        try (RedisTestSupport redis = RedisTestSupport.require();
             TestServer nodeA = TestServer.start(settings -> settings.presenceGrace(GRACE).broker(RedisTestSupport.URI)
                     .redisPrefix(redis.prefix()));
             TestServer nodeB = TestServer.start(settings -> settings.presenceGrace(GRACE).broker(RedisTestSupport.URI)
                     .redisPrefix(redis.prefix()))) {
            watchAReload(nodeA, nodeB);
        }
    }

    /** Ann joins on {@code before}, closes and joins again on {@code after} at once, then leaves for good. */
    private static void watchAReload(TestServer before, TestServer after) {
        String room = "grace-" + ROOMS.incrementAndGet();
        try (JsonWs observer = JsonWs.connect(before, "obs")) {
            observer.join(room);
            assertPresenceEvent(observer.next(), "joined", "obs");
            JsonWs ann = JsonWs.connect(before, "ann");
            ann.join(room);
            assertPresenceEvent(observer.next(), "joined", "ann");

            ann.close();
            JsonWs reloaded = JsonWs.connect(after, "ann");
            reloaded.join(room);
            assertThat(observer.poll(GRACE.multipliedBy(2))).as("neither left nor joined for the reload").isNull();

            long closedAt = System.nanoTime();
            reloaded.close();
            assertPresenceEvent(observer.next(), "left", "ann");
            assertThat(Duration.ofNanos(System.nanoTime() - closedAt)).as("left only after the grace")
                    .isGreaterThanOrEqualTo(GRACE);
        }
    }

    private static void assertPresenceEvent(JsonNode frame, String type, String user) {
        assertThat(frame.path("type").asText()).as("%s", frame).isEqualTo(type);
        assertThat(frame.path("user").asText()).as("%s", frame).isEqualTo(user);
    }
}
