package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomcast.config.Namespace;
import dev.roomcast.config.Namespaces;
import dev.roomcast.config.RoomcastConfig;
import dev.roomcast.room.PresenceMode;
import dev.roomcast.testing.JsonWs;
import dev.roomcast.testing.RedisTestSupport;
import dev.roomcast.testing.TestServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@code count} room over two nodes sharing Redis: the count every member is shown, and the one a {@code presence}
 * request or the HTTP API answers, covers the members of both nodes, follows them as they leave, and drops a node's
 * members once the node has stopped and its presence lease ran out.
 */
@Tag("redis")
@Timeout(120)
class OccupancyTwoNodesIT {

    private static final Duration LEASE = Duration.ofSeconds(3);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static RedisTestSupport redis;
    private static TestServer nodeA;
    private static TestServer nodeB;

    @BeforeAll
    static void start() {
        redis = RedisTestSupport.require();
        nodeA = TestServer.start(OccupancyTwoNodesIT::sharingRedis);
        nodeB = TestServer.start(OccupancyTwoNodesIT::sharingRedis);
    }

    private static RoomcastConfig.Builder sharingRedis(RoomcastConfig.Builder settings) {
        return settings.broker(RedisTestSupport.URI).redisPrefix(redis.prefix()).presenceLease(LEASE)
                .namespaces(new Namespaces(Map.of("stage", new Namespace(Namespace.Publish.MEMBERS, PresenceMode.COUNT, false,
                        null, null, Namespace.SlowConsumer.DISCONNECT, null))));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable closeable : new AutoCloseable[] {nodeA, nodeB, redis}) {
            if (closeable != null) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    /** Reads frames until an {@code occupancy} of {@code members}; any other frame fails the test. */
    private static void awaitCount(JsonWs client, int members) {
        while (true) {
            JsonNode frame = client.next();
            assertThat(frame.path("type").asText()).as("%s", frame).isEqualTo("occupancy");
            if (frame.path("members").asInt() == members) {
                return;
            }
        }
    }

    @Test
    void theCountCoversTheMembersOfBothNodes() throws Exception {
        String room = "stage:both-" + ProcessHandle.current().pid();
        try (JsonWs ann = JsonWs.connect(nodeA, "ann"); JsonWs bob = JsonWs.connect(nodeB, "bob");
             JsonWs carl = JsonWs.connect(nodeB, "carl")) {
            ann.join(room);
            bob.join(room);
            carl.join(room);
            awaitCount(ann, 3);
            awaitCount(bob, 3);
            awaitCount(carl, 3);

            ann.send("type", "presence", "ref", "p", "room", room);
            assertThat(ann.next()).isEqualTo(JsonWs.JSON.readTree(
                    "{\"type\":\"presence\",\"ref\":\"p\",\"room\":\"" + room + "\",\"members\":3}"));
            HttpResponse<String> onB = HTTP.send(HttpRequest.newBuilder(nodeB.http("/v1/rooms/" + room + "/presence")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(JsonWs.JSON.readTree(onB.body()).path("members").asInt()).isEqualTo(3);

            carl.ok("l", "type", "leave", "room", room);
            awaitCount(ann, 2);
            awaitCount(bob, 2);
        }
    }

    @Test
    void aStoppedNodesMembersDropOutOfTheCountOnceItsLeaseRanOut() {
        String room = "stage:crash-" + ProcessHandle.current().pid();
        TestServer leaving = TestServer.start(OccupancyTwoNodesIT::sharingRedis);
        try (JsonWs ann = JsonWs.connect(nodeA, "ann"); JsonWs dan = JsonWs.connect(leaving, "dan");
             JsonWs eve = JsonWs.connect(leaving, "eve")) {
            ann.join(room);
            dan.join(room);
            eve.join(room);
            awaitCount(ann, 3);
            leaving.close();
            // Gone within the lease plus a heartbeat (a third of it) plus the ticks; the client waits up to 10 s a frame.
            awaitCount(ann, 1);
        }
    }
}
