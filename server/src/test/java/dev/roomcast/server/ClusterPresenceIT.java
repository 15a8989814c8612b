package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomcast.config.Namespace;
import dev.roomcast.config.Namespaces;
import dev.roomcast.config.RoomcastConfig;
import dev.roomcast.room.PresenceMode;
import dev.roomcast.testing.JsonWs;
import dev.roomcast.testing.RawHttp;
import dev.roomcast.testing.RedisTestSupport;
import dev.roomcast.testing.TestServer;
import dev.roomcast.testing.WsClient;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Presence over two nodes sharing Redis. A {@code count} room: the count every member is shown, and the one a
 * {@code presence} request or the HTTP API answers, covers the members of both nodes, follows them as they leave, and
 * drops a node's members once the node has stopped and its presence lease ran out. The admin figures
 * ({@code /v1/stats}) of either node list both nodes and the rooms with the most members on both.
 */
@Tag("redis")
@Timeout(120)
class ClusterPresenceIT {

    private static final Duration LEASE = Duration.ofSeconds(3);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static RedisTestSupport redis;
    private static TestServer nodeA;
    private static TestServer nodeB;

    @BeforeAll
    static void start() {
        redis = RedisTestSupport.require();
        nodeA = TestServer.start(ClusterPresenceIT::sharingRedis);
        nodeB = TestServer.start(ClusterPresenceIT::sharingRedis);
    }

    private static RoomcastConfig.Builder sharingRedis(RoomcastConfig.Builder settings) {
        return settings.apiKey("admin-key").broker(RedisTestSupport.URI).redisPrefix(redis.prefix()).presenceLease(LEASE)
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
            HttpResponse<String> onB = HTTP.send(HttpRequest.newBuilder(nodeB.http("/v1/rooms/" + room + "/presence"))
                            .header("Authorization", "Bearer admin-key").build(),
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
        TestServer leaving = TestServer.start(ClusterPresenceIT::sharingRedis);
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

    @Test
    void theAdminFiguresListBothNodesAndTheTopRoomsOfBoth() {
        String onlyOnB = "admin-b-" + ProcessHandle.current().pid();
        String onBoth = "admin-both-" + ProcessHandle.current().pid();
        try (WsClient b1 = WsClient.connect(nodeB.ws("/ws/" + onlyOnB)); WsClient b2 = WsClient.connect(nodeB.ws("/ws/" + onlyOnB));
             WsClient b3 = WsClient.connect(nodeB.ws("/ws/" + onlyOnB)); WsClient a1 = WsClient.connect(nodeA.ws("/ws/" + onBoth));
             WsClient b4 = WsClient.connect(nodeB.ws("/ws/" + onBoth))) {
            // Node B's rooms reach A with B's next heartbeat, a third of the lease later at most.
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonNode stats = JsonWs.JSON.readTree(RawHttp.send(nodeA.port(), "GET", "/v1/stats",
                        "Authorization: Bearer admin-key\r\n").body());
                assertThat(stats.get("nodes")).extracting(node -> node.get("node").asText())
                        .contains(nodeA.node().nodeId(), nodeB.node().nodeId());
                assertThat(stats.get("top_rooms")).extracting(room -> room.get("room").asText() + "=" + room.get("members").asInt())
                        .contains(onlyOnB + "=3", onBoth + "=2");
            });
        }
    }
}
