package dev.roomcast.server;

import static dev.roomcast.testing.JsonWs.obj;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomcast.protocol.SeedText;
import dev.roomcast.testing.JsonWs;
import dev.roomcast.testing.RedisTestSupport;
import dev.roomcast.testing.RoomListing;
import dev.roomcast.testing.TestServer;
import dev.roomcast.testing.WsClient;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two nodes in one JVM, on two ports, sharing rooms through Redis (a key prefix unique to this run):
 * messages cross nodes for seed text and JSON members, a client that moves to the other node recovers
 * exactly what it missed, a flush of the room's keys is reported as {@code recovered:false}, and a
 * direct message reaches its user on whichever node they are, and so does a disconnect, and presence counts
 * both nodes.
 */
@Tag("redis")
@Timeout(60)
class TwoNodesIT {

    private static final AtomicInteger ROOMS = new AtomicInteger();
    private static RedisTestSupport redis;
    private static TestServer nodeA;
    private static TestServer nodeB;

    @BeforeAll
    static void start() {
        redis = RedisTestSupport.require();
        nodeA = TestServer.start(settings -> sharingRedis(settings));
        nodeB = TestServer.start(settings -> sharingRedis(settings));
    }

    private static dev.roomcast.config.RoomcastConfig.Builder sharingRedis(dev.roomcast.config.RoomcastConfig.Builder settings) {
        return TestServer.withoutRateLimit(settings).broker(RedisTestSupport.URI).redisPrefix(redis.prefix());
    }

    @AfterAll
    static void stop() {
        if (nodeA != null) {
            nodeA.close();
        }
        if (nodeB != null) {
            nodeB.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    private static String uniqueRoom() {
        return "two-nodes-" + ProcessHandle.current().pid() + "-" + ROOMS.incrementAndGet();
    }

    /** The next {@code message} frame, skipping presence frames (joined/left travel between nodes too). */
    private static JsonNode nextMessage(JsonWs client) {
        while (true) {
            JsonNode frame = client.next();
            if (frame.path("type").asText().equals("message")) {
                return frame;
            }
            assertThat(frame.path("type").asText()).as("%s", frame).isIn("joined", "left");
        }
    }

    private static List<JsonNode> nextMessages(JsonWs client, int count) {
        List<JsonNode> messages = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            messages.add(nextMessage(client));
        }
        return messages;
    }

    /** Publishes and waits for the {@code ok} (with the message's position), skipping other frames; returns the ok. */
    private static JsonNode publish(JsonWs publisher, String room, String text) {
        publisher.send("type", "publish", "room", room, "text", text, "ref", text);
        while (true) {
            JsonNode frame = publisher.next();
            if (frame.path("type").asText().equals("ok") && frame.path("ref").asText().equals(text)) {
                return frame;
            }
            assertThat(frame.path("type").asText()).as("%s", frame).isIn("message", "joined", "left");
        }
    }

    /** The answer to a join with {@code since}: its {@code ok}, then its {@code recovered}. */
    private record Rejoined(JsonNode ok, JsonNode recovered) {
    }

    /** Joins {@code room} with {@code since} = the position of {@code last} (a message or a publish's ok). */
    private static Rejoined rejoin(JsonWs client, String room, JsonNode last) {
        client.send("type", "join", "room", room, "ref", "rejoin",
                "since", obj("epoch", last.get("epoch").asText(), "offset", last.get("offset").asLong()));
        JsonNode ok = client.next();
        assertThat(ok.path("type").asText()).as("%s", ok).isEqualTo("ok");
        JsonNode recovered = client.next();
        assertThat(recovered.path("type").asText()).as("%s", recovered).isEqualTo("recovered");
        assertThat(recovered.get("room").asText()).isEqualTo(room);
        return new Rejoined(ok, recovered);
    }

    /** A text member of {@code room} on {@code node} whose membership is in effect: it has seen its own message. */
    private static WsClient textMember(TestServer node, String room, String name) {
        WsClient member = WsClient.connect(node.ws("/ws/" + room + "?name=" + name));
        member.send(name + " is here");
        assertThat(member.next()).isEqualTo(SeedText.message(room, name + " is here"));
        return member;
    }

    @Test
    void aMessagePublishedOnOneNodeReachesTextAndJsonMembersOnTheOther() {
        String room = uniqueRoom();
        try (JsonWs jsonB = JsonWs.connect(nodeB, "json-b")) {
            jsonB.join(room);
            try (WsClient textB = textMember(nodeB, room, "text-b");
                 WsClient textA = textMember(nodeA, room, "text-a")) {
                assertThat(nextMessage(jsonB).get("text").asText()).isEqualTo("text-b is here");
                assertThat(textB.next()).as("text from node A").isEqualTo(SeedText.message(room, "text-a is here"));
                JsonNode fromA = nextMessage(jsonB);
                assertThat(fromA.get("text").asText()).isEqualTo("text-a is here");
                assertThat(fromA.get("from").asText()).isEqualTo("text-a");

                try (JsonWs jsonA = JsonWs.connect(nodeA, "json-a")) {
                    jsonA.join(room);
                    JsonNode ok = publish(jsonA, room, "json from A");
                    assertThat(textB.next()).isEqualTo(SeedText.message(room, "json from A"));
                    assertThat(textA.next()).isEqualTo(SeedText.message(room, "json from A"));
                    JsonNode atB = nextMessage(jsonB);
                    assertThat(atB.get("text").asText()).isEqualTo("json from A");
                    assertThat(atB.get("epoch")).isEqualTo(ok.get("epoch"));
                    assertThat(atB.get("offset").asLong()).isEqualTo(ok.get("offset").asLong())
                            .as("offsets grow by one per message whichever node publishes")
                            .isEqualTo(fromA.get("offset").asLong() + 1);
                }
            }
        }
    }

    @Test
    void aClientThatMovesToTheOtherNodeRecoversExactlyWhatItMissed() {
        String room = uniqueRoom();
        try (JsonWs publisher = JsonWs.connect(nodeA, "publisher")) {
            publisher.join(room);
            JsonNode last;
            try (JsonWs reader = JsonWs.connect(nodeA, "reader")) {
                reader.join(room);
                for (int i = 1; i <= 3; i++) {
                    publish(publisher, room, "seen" + i);
                }
                last = nextMessages(reader, 3).get(2);
            }
            for (int i = 1; i <= 5; i++) {
                publish(publisher, room, "missed" + i);
            }

            try (JsonWs moved = JsonWs.connect(nodeB, "reader")) {
                JsonNode recovered = rejoin(moved, room, last).recovered();
                assertThat(recovered.get("recovered").asBoolean()).isTrue();
                assertThat(recovered.get("missed").asLong()).isEqualTo(5);

                List<JsonNode> replayed = moved.next(5);
                assertThat(replayed).extracting(m -> m.get("text").asText())
                        .containsExactly("missed1", "missed2", "missed3", "missed4", "missed5");
                long lastSeen = last.get("offset").asLong();
                assertThat(replayed).extracting(m -> m.get("offset").asLong())
                        .containsExactly(lastSeen + 1, lastSeen + 2, lastSeen + 3, lastSeen + 4, lastSeen + 5);
                assertThat(replayed).allSatisfy(m -> assertThat(m.get("epoch")).isEqualTo(last.get("epoch")));

                publish(publisher, room, "live");
                JsonNode live = nextMessage(moved);
                assertThat(live.get("text").asText()).isEqualTo("live");
                assertThat(live.get("offset").asLong()).isEqualTo(lastSeen + 6);
                JsonNode extra = moved.poll(Duration.ofMillis(300));
                assertThat(extra == null || !extra.path("type").asText().equals("message"))
                        .as("no duplicate: %s", extra).isTrue();
            }
        }
    }

    @Test
    void afterTheRoomsKeysAreFlushedARejoinIsToldItCannotRecoverAndGetsANewEpoch() {
        String room = uniqueRoom();
        JsonNode last;
        try (JsonWs first = JsonWs.connect(nodeA, "first")) {
            first.join(room);
            last = publish(first, room, "before the flush");
        }
        assertThat(redis.deleteKeys()).as("the room's position and stream").isGreaterThanOrEqualTo(2);

        try (JsonWs back = JsonWs.connect(nodeB, "first")) {
            Rejoined rejoined = rejoin(back, room, last);
            JsonNode ok = rejoined.ok();
            JsonNode recovered = rejoined.recovered();
            assertThat(recovered.get("recovered").asBoolean()).isFalse();
            assertThat(recovered.get("epoch").asText()).isNotEqualTo(last.get("epoch").asText());
            assertThat(ok.get("epoch")).isEqualTo(recovered.get("epoch"));

            JsonNode after = publish(back, room, "after the flush");
            assertThat(after.get("epoch")).isEqualTo(recovered.get("epoch"));
            assertThat(after.get("offset").asLong()).isEqualTo(1);
        }
    }

    @Test
    void aDisconnectOnOneNodeClosesTheUsersSessionsOnBothAndNoOneElses() {
        String ann = "kick-ann-" + ProcessHandle.current().pid() + "-" + ROOMS.incrementAndGet();
        try (JsonWs annOnA = JsonWs.connect(nodeA, ann);
             JsonWs annOnB = JsonWs.connect(nodeB, ann);
             JsonWs bob = JsonWs.connect(nodeB, ann + "-bob")) {
            assertThat(nodeA.node().hub().disconnectUser(ann, "banned", false).toCompletableFuture().join()).isTrue();
            assertThat(annOnA.raw().awaitClose()).isEqualTo(new WsClient.Closed(4001, "banned"));
            assertThat(annOnB.raw().awaitClose()).isEqualTo(new WsClient.Closed(4001, "banned"));
            assertThat(bob.raw().isClosed()).isFalse();
        }
        assertThat(nodeA.node().hub().disconnectUser(ann + "-nobody", "x", true).toCompletableFuture().join()).isFalse();
    }

    @Test
    void aDirectMessageReachesTheUsersSessionsOnBothNodesAndOnlyNobodyIsNoSuchUser() {
        String ann = "dm-ann-" + ProcessHandle.current().pid() + "-" + ROOMS.incrementAndGet();
        try (JsonWs bob = JsonWs.connect(nodeA, "dm-bob");
             JsonWs annOnA = JsonWs.connect(nodeA, ann);
             JsonWs annOnB = JsonWs.connect(nodeB, ann)) {
            bob.ok("both", "type", "direct", "to", ann, "text", "to every tab");
            for (JsonWs tab : List.of(annOnA, annOnB)) {
                JsonNode direct = tab.next();
                assertThat(direct.path("type").asText()).as("%s", direct).isEqualTo("direct");
                assertThat(direct.path("from").asText()).isEqualTo("dm-bob");
                assertThat(direct.path("text").asText()).isEqualTo("to every tab");
            }

            annOnA.close();
            // Only node B holds ann now; node A learns it when its own last session of ann is gone.
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                bob.send("type", "direct", "to", ann, "text", "still there?", "ref", "other-node");
                JsonNode answer = bob.next();
                assertThat(answer.path("type").asText()).as("%s", answer).isEqualTo("ok");
                assertThat(annOnB.next().path("text").asText()).isEqualTo("still there?");
            });
            assertThat(annOnB.poll(Duration.ofMillis(300))).as("delivered once").isNull();

            bob.send("type", "direct", "to", ann + "-nobody", "text", "hello?", "ref", "nobody");
            JsonNode refused = bob.next();
            assertThat(refused.path("type").asText()).as("%s", refused).isEqualTo("error");
            assertThat(refused.path("code").asText()).isEqualTo("no_such_user");
        }
    }

    /**
     * Asks for the room's presence and returns its users as "user=sessions"; the joined and left frames
     * it passes on the way go to {@code changes} as "type user".
     */
    private static List<String> presence(JsonWs client, String room, List<String> changes) {
        client.send("type", "presence", "room", room, "ref", "who");
        while (true) {
            JsonNode frame = client.next();
            String type = frame.path("type").asText();
            if (type.equals("presence")) {
                List<String> users = new ArrayList<>();
                frame.get("users").forEach(u -> users.add(u.get("user").asText() + "=" + u.get("sessions").asInt()));
                return users;
            }
            assertThat(type).as("%s", frame).isIn("joined", "left", "ok");
            if (!type.equals("ok")) {
                changes.add(type + " " + frame.path("user").asText());
            }
        }
    }

    @Test
    void presenceCountsBothNodesAndAnnouncesAUserOnlyOnItsFirstAndLastSessionAnywhere() {
        String room = uniqueRoom();
        String ann = "pr-ann-" + ROOMS.get();
        List<String> bobSaw = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        try (JsonWs annOnA = JsonWs.connect(nodeA, ann); JsonWs bob = JsonWs.connect(nodeB, "pr-bob")) {
            annOnA.join(room);
            bob.join(room);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> presence(bob, room, bobSaw).equals(List.of(ann + "=1", "pr-bob=1")));
            try (JsonWs annOnB = JsonWs.connect(nodeB, ann)) {
                annOnB.join(room);
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                        .until(() -> presence(annOnA, room, ignored).equals(List.of(ann + "=2", "pr-bob=1")));
                annOnA.close();
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                        .until(() -> presence(bob, room, bobSaw).equals(List.of(ann + "=1", "pr-bob=1")));
            }
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> presence(bob, room, bobSaw).equals(List.of("pr-bob=1")));
            JsonNode late;
            while ((late = bob.poll(Duration.ofMillis(300))) != null) {
                bobSaw.add(late.path("type").asText() + " " + late.path("user").asText());
            }
            assertThat(bobSaw.stream().filter(change -> change.endsWith(" " + ann)))
                    .as("ann was in before bob: no joined for her second session, one left after her last, on either node")
                    .containsExactly("left " + ann);
        }
    }

    @Test
    void bothNodesAreReadyWhileRedisAnswers() throws Exception {
        for (TestServer node : List.of(nodeA, nodeB)) {
            java.net.http.HttpResponse<String> ready = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(node.http("/readyz")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aUsersSummaryCountsTheSessionsAndRoomsOfBothNodesOnEither() throws Exception {
        String user = "summed-" + ROOMS.incrementAndGet();
        String roomA = uniqueRoom();
        String roomB = uniqueRoom();
        try (JsonWs onA = JsonWs.connect(nodeA, user); JsonWs onB = JsonWs.connect(nodeB, user);
             JsonWs againOnB = JsonWs.connect(nodeB, user)) {
            onA.join(roomA);
            onB.join(roomB);
            againOnB.join(roomB);
            for (TestServer node : List.of(nodeA, nodeB)) {
                JsonNode summary = userSummary(node, user);
                assertThat(summary.path("online").asBoolean()).as("%s", summary).isTrue();
                assertThat(summary.path("sessions").asInt()).isEqualTo(3);
                assertThat(JsonWs.JSON.convertValue(summary.path("rooms"), List.class)).isEqualTo(List.of(roomA, roomB).stream().sorted().toList());
            }
        }
        JsonNode absent = userSummary(nodeA, "nobody-" + user);
        assertThat(absent.path("online").asBoolean()).isFalse();
        assertThat(absent.path("sessions").asInt()).isZero();
        assertThat(absent.path("rooms")).isEmpty();
    }

    private static JsonNode userSummary(TestServer node, String user) throws Exception {
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(node.http("/v1/users/" + user)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return JsonWs.JSON.readTree(answer.body());
    }

    @Test
    void eachNodeListsBothNodesWithTheirConnections() {
        String a = nodeA.node().nodeId();
        String b = nodeB.node().nodeId();
        try (WsClient onA = WsClient.connect(nodeA.ws("/ws/" + uniqueRoom()))) {
            // The other node's count is as of its last heartbeat (every 10 s).
            for (TestServer node : List.of(nodeA, nodeB)) {
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                        node.node().hub().nodes().toCompletableFuture().get()).isEqualTo(Map.of(a, 1, b, 0)));
            }
            assertThat(onA.isClosed()).isFalse();
        }
    }

    @Test
    void eachNodeListsTheRoomsOfBothNodesWithTheirMembersOnBoth() {
        String shared = uniqueRoom();
        String onlyOnB = uniqueRoom();
        try (WsClient onA = WsClient.connect(nodeA.ws("/ws/" + shared));
             WsClient alsoOnB = WsClient.connect(nodeB.ws("/ws/" + shared));
             WsClient aloneOnB = WsClient.connect(nodeB.ws("/ws/" + onlyOnB))) {
            // Another node's rooms are as of its last heartbeat (every 5 s).
            for (TestServer node : List.of(nodeA, nodeB)) {
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(RoomListing.of(node.port(), Set.of(shared, onlyOnB)))
                        .isEqualTo(Map.of(shared, 2, onlyOnB, 1)));
            }
            assertThat(List.of(onA, alsoOnB, aloneOnB)).noneMatch(WsClient::isClosed);
        }
    }
}
