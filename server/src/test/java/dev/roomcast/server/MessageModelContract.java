package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomcast.config.Namespace;
import dev.roomcast.config.Namespaces;
import dev.roomcast.config.RoomcastConfig;
import dev.roomcast.room.PresenceMode;
import dev.roomcast.server.websocket.TextEndpoint;
import dev.roomcast.testing.JsonWs;
import dev.roomcast.testing.TestServer;
import dev.roomcast.testing.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The message model over real sockets, whatever the broker: {@code data} and {@code event},
 * ephemeral and idempotent publishes, {@code echo:false}, and namespaces whose clients may not
 * publish. A subclass gives two nodes: the same one with the memory broker, two sharing Redis, so
 * every test that publishes on one node and receives on the other also checks the way between them.
 */
@Timeout(60)
abstract class MessageModelContract {

    static final String API_KEY = "message-model-key";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final AtomicInteger ROOMS = new AtomicInteger();
    /** Short, so the test that waits for a key to be forgotten waits seconds, not minutes. */
    static final Duration IDEMPOTENCY_WINDOW = Duration.ofSeconds(2);

    /** The node clients publish on. */
    abstract TestServer publisherNode();

    /** The node other members are on: the publisher's own with one node. */
    abstract TestServer memberNode();

    /** The settings every node of a subclass starts with: an API key, namespaces, a short idempotency window. */
    static RoomcastConfig.Builder settings(RoomcastConfig.Builder builder) {
        return TestServer.withoutRateLimit(builder).apiKey(API_KEY).idempotencyWindow(IDEMPOTENCY_WINDOW)
                .namespaces(new Namespaces(Map.of(
                        "notify", new Namespace(Namespace.Publish.API, PresenceMode.FULL, false, null, null, Namespace.SlowConsumer.DISCONNECT, null),
                        "sealed", new Namespace(Namespace.Publish.NONE, PresenceMode.FULL, false, null, null, Namespace.SlowConsumer.DISCONNECT, null),
                        "game", new Namespace(Namespace.Publish.MEMBERS, PresenceMode.OFF, false, 3, null, Namespace.SlowConsumer.DISCONNECT, null))));
    }

    static String uniqueRoom(String namespace) {
        String name = "mm-" + ProcessHandle.current().pid() + "-" + ROOMS.incrementAndGet();
        return namespace == null ? name : namespace + ":" + name;
    }

    /** The next {@code message} frame as sent, skipping presence frames. */
    static String nextMessageFrame(JsonWs client) {
        while (true) {
            String frame = client.raw().next();
            if (frame.startsWith("{\"type\":\"message\"")) {
                return frame;
            }
            assertThat(frame).matches("\\{\"type\":\"(joined|left)\".*");
        }
    }

    static JsonNode nextMessage(JsonWs client) {
        try {
            return JsonWs.JSON.readTree(nextMessageFrame(client));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The answer to a request of alternating keys and values (with a {@code ref}), skipping room frames before it. */
    static JsonNode answer(JsonWs client, Object... keysAndValues) {
        JsonNode request = JsonWs.obj(keysAndValues);
        return answer(client, request.get("ref").asText(), request.toString());
    }

    /** The answer to a request sent as raw JSON, skipping room frames that arrive before it. */
    static JsonNode answer(JsonWs client, String ref, String request) {
        client.sendRaw(request);
        while (true) {
            JsonNode frame = client.next();
            String type = frame.path("type").asText();
            if ((type.equals("ok") || type.equals("error")) && frame.path("ref").asText().equals(ref)) {
                return frame;
            }
        }
    }

    HttpResponse<String> post(String room, String contentType, String body, String idempotencyKey) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(publisherNode().http("/v1/rooms/" + room + "/messages"))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + API_KEY).header("Content-Type", contentType);
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI textRoom(TestServer node, String room) {
        return node.ws("/ws/" + room);
    }

    @Test
    void dataRoundTripsExactlyAndTextMembersSeeItsCompactJson() {
        String room = uniqueRoom(null);
        try (JsonWs publisher = JsonWs.connect(publisherNode(), "ann");
             JsonWs member = JsonWs.connect(memberNode(), "bob");
             WsClient text = WsClient.connect(textRoom(memberNode(), room))) {
            publisher.join(room);
            member.join(room);
            String data = "{\"big\":123456789012345678901234567890,\"beyond53\":9007199254740993,"
                    + "\"exact\":0.1000000000000000000000000001,\"zeros\":1.50,"
                    + "\"s\":\"zoë \\\"🎲\\\" \\u0001\",\"list\":[1,[true,false],{\"x\":null}],\"empty\":{}}";
            String spaced = data.replace(",", " ,\n ").replace(":", " : ");
            JsonNode first = answer(publisher, "t", "{\"type\":\"publish\",\"ref\":\"t\",\"room\":\"" + room + "\",\"text\":\"plain\"}");
            JsonNode ok = answer(publisher, "d", "{\"type\":\"publish\",\"ref\":\"d\",\"room\":\"" + room
                    + "\",\"event\":\"board.move\",\"data\": " + spaced + "}");
            assertThat(ok.get("offset").asLong()).isEqualTo(first.get("offset").asLong() + 1);

            assertThat(nextMessage(member).get("text").asText()).isEqualTo("plain");
            String frame = nextMessageFrame(member);
            assertThat(frame).contains(",\"from\":\"ann\",\"event\":\"board.move\",\"data\":" + data + ",\"ts\":")
                    .contains("\"offset\":" + ok.get("offset").asLong());
            assertThat(text.next()).isEqualTo("Message from " + room + ": plain");
            assertThat(text.next()).isEqualTo("Message from " + room + ": " + data);

            for (String value : List.of("[]", "\"just a string\"", "42", "null", "true")) {
                answer(publisher, "v", "{\"type\":\"publish\",\"ref\":\"v\",\"room\":\"" + room + "\",\"data\":" + value + "}");
                assertThat(nextMessageFrame(member)).contains("\"data\":" + value + ",\"ts\":").doesNotContain("\"event\"");
                assertThat(text.next()).isEqualTo("Message from " + room + ": " + value);
            }
        }
    }

    @Test
    void publishFieldsAreChecked() {
        String room = uniqueRoom(null);
        try (JsonWs client = JsonWs.connect(publisherNode())) {
            client.join(room);
            String prefix = "{\"type\":\"publish\",\"ref\":\"r\",\"room\":\"" + room + "\",";
            assertThat(answer(client, "r", prefix + "\"data\":\"" + "x".repeat(16384) + "\"}").get("code").asText())
                    .isEqualTo("data_too_long");
            assertThat(answer(client, "r", prefix + "\"text\":\"" + "x".repeat(16385) + "\"}").get("code").asText())
                    .isEqualTo("text_too_long");
            for (String event : List.of("\"\"", "\"" + "e".repeat(65) + "\"", "\"a\\u0007b\"", "7", "[\"x\"]")) {
                assertThat(answer(client, "r", prefix + "\"event\":" + event + ",\"data\":1}").get("code").asText())
                        .as("event %s", event).isEqualTo("invalid_field");
            }
            assertThat(answer(client, "r", prefix + "\"text\":\"a\",\"data\":1}").get("code").asText()).isEqualTo("invalid_field");
            assertThat(answer(client, "r", prefix + "\"event\":\"e\"}").get("code").asText()).isEqualTo("missing_field");
            assertThat(answer(client, "r", prefix + "\"data\":1,\"store\":\"no\"}").get("code").asText()).isEqualTo("invalid_field");
            assertThat(answer(client, "r", prefix + "\"data\":1,\"echo\":0}").get("code").asText()).isEqualTo("invalid_field");
            assertThat(answer(client, "r", prefix + "\"data\":1,\"idempotency_key\":\"\"}").get("code").asText())
                    .isEqualTo("invalid_field");
            JsonNode ok = answer(client, "r", prefix + "\"event\":\"" + "é".repeat(64) + "\",\"data\":\"" + "x".repeat(16382) + "\"}");
            assertThat(ok.get("type").asText()).isEqualTo("ok");
        }
    }

    @Test
    void membersOfAnApiNamespaceOnlyListen() throws Exception {
        String room = uniqueRoom("notify");
        try (JsonWs member = JsonWs.connect(publisherNode(), "ann");
             JsonWs other = JsonWs.connect(memberNode(), "bob");
             WsClient text = WsClient.connect(textRoom(memberNode(), room))) {
            member.join(room);
            other.join(room);
            JsonNode refused = answer(member, "p", "{\"type\":\"publish\",\"ref\":\"p\",\"room\":\"" + room + "\",\"text\":\"forged\"}");
            assertThat(refused.get("code").asText()).isEqualTo("forbidden");
            assertThat(refused.get("message").asText()).contains("publish: api");

            HttpResponse<String> published = post(room, "application/json", "{\"event\":\"invoice.paid\",\"data\":{\"id\":7}}", null);
            assertThat(published.statusCode()).isEqualTo(202);
            for (JsonWs client : List.of(member, other)) {
                JsonNode message = nextMessage(client);
                assertThat(message.get("from").asText()).isEqualTo("api");
                assertThat(message.get("event").asText()).isEqualTo("invoice.paid");
                assertThat(message.get("data").get("id").asInt()).isEqualTo(7);
            }
            assertThat(text.next()).isEqualTo("Message from " + room + ": {\"id\":7}");

            // A text member cannot be told "forbidden": its messages are dropped, and repeating them closes it.
            for (int i = 0; i < TextEndpoint.FORBIDDEN_PUBLISHES_BEFORE_CLOSE; i++) {
                text.send("forged " + i);
            }
            assertThat(text.awaitClose()).isEqualTo(new WsClient.Closed(1008, "publishing is not allowed here"));
            post(room, "text/plain", "after the text member left", null);
            assertThat(nextMessage(other).get("text").asText()).isEqualTo("after the text member left");
        }
    }

    @Test
    void aNamespaceWithPublishNoneRefusesTheApiToo() throws Exception {
        String room = uniqueRoom("sealed");
        try (JsonWs member = JsonWs.connect(publisherNode())) {
            member.join(room);
            assertThat(answer(member, "p", "{\"type\":\"publish\",\"ref\":\"p\",\"room\":\"" + room + "\",\"text\":\"x\"}")
                    .get("code").asText()).isEqualTo("forbidden");
            HttpResponse<String> refused = post(room, "text/plain", "x", null);
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(JsonWs.JSON.readTree(refused.body()).get("error").asText()).isEqualTo("forbidden");
        }
    }

    @Test
    void aNamespaceWithoutPresenceSendsNoJoinedAndKeepsItsOwnHistorySize() throws Exception {
        String room = uniqueRoom("game");
        try (JsonWs ann = JsonWs.connect(publisherNode(), "ann"); JsonWs bob = JsonWs.connect(memberNode(), "bob")) {
            ann.join(room);
            bob.join(room);
            for (int i = 1; i <= 5; i++) {
                assertThat(post(room, "text/plain", "m" + i, null).statusCode()).isEqualTo(202);
            }
            // No joined frame came first: the first frame each gets is the first message.
            assertThat(bob.next().get("text").asText()).isEqualTo("m1");
            assertThat(ann.next().get("text").asText()).isEqualTo("m1");
            assertThat(bob.next(4)).extracting(frame -> frame.get("text").asText()).containsExactly("m2", "m3", "m4", "m5");
            bob.send("type", "presence", "ref", "q", "room", room);
            assertThat(bob.next().get("users")).isEmpty();
            try (JsonWs late = JsonWs.connect(memberNode())) {
                late.ok("h", "type", "join", "room", room, "history", 100);
                assertThat(late.next(3)).extracting(frame -> frame.get("text").asText()).containsExactly("m3", "m4", "m5");
            }
        }
    }

    @Test
    void ephemeralMessagesAreLiveOnlyAndLeaveTheOffsetsContiguous() throws Exception {
        String room = uniqueRoom(null);
        try (JsonWs ann = JsonWs.connect(publisherNode(), "ann"); JsonWs bob = JsonWs.connect(memberNode(), "bob")) {
            JsonNode joined = ann.join(room);
            bob.join(room);
            String epoch = joined.get("epoch").asText();
            JsonNode before = answer(ann, "ref", "1", "type", "publish", "room", room, "text", "stored 1");
            JsonNode typing = answer(ann, "ref", "2", "type", "publish", "room", room, "event", "typing",
                    "data", Map.of("on", true), "store", false);
            assertThat(typing.get("type").asText()).isEqualTo("ok");
            assertThat(typing.has("offset")).isFalse();
            assertThat(typing.has("epoch")).isFalse();
            assertThat(post(room, "application/json", "{\"data\":\"cursor\",\"store\":false}", null).body())
                    .doesNotContain("offset");
            JsonNode after = answer(ann, "ref", "3", "type", "publish", "room", room, "text", "stored 2");
            assertThat(after.get("offset").asLong()).isEqualTo(before.get("offset").asLong() + 1);

            List<JsonNode> live = List.of(nextMessage(bob), nextMessage(bob), nextMessage(bob), nextMessage(bob));
            assertThat(live).extracting(m -> m.has("offset")).containsExactly(true, false, false, true);
            assertThat(live.get(1).get("event").asText()).isEqualTo("typing");
            assertThat(live.get(2).get("data").asText()).isEqualTo("cursor");

            try (JsonWs late = JsonWs.connect(memberNode())) {
                late.ok("h", "type", "join", "room", room, "history", 100);
                assertThat(late.next(2)).extracting(m -> m.get("text").asText()).containsExactly("stored 1", "stored 2");
            }
            try (JsonWs recovering = JsonWs.connect(memberNode())) {
                recovering.ok("r", "type", "join", "room", room, "since", Map.of("epoch", epoch, "offset", joined.get("offset").asLong()));
                JsonNode recovered = recovering.next();
                assertThat(recovered.get("recovered").asBoolean()).isTrue();
                assertThat(recovered.get("missed").asLong()).isEqualTo(2);
                assertThat(recovering.next(2)).extracting(m -> m.get("text").asText()).containsExactly("stored 1", "stored 2");
            }
        }
    }

    @Test
    void echoFalseReachesEveryoneButThePublishingConnection() {
        String room = uniqueRoom(null);
        try (JsonWs annHere = JsonWs.connect(publisherNode(), "ann");
             JsonWs annThere = JsonWs.connect(memberNode(), "ann");
             JsonWs annHereToo = JsonWs.connect(publisherNode(), "ann");
             JsonWs bob = JsonWs.connect(memberNode(), "bob");
             WsClient text = WsClient.connect(textRoom(publisherNode(), room))) {
            for (JsonWs client : List.of(annHere, annThere, annHereToo, bob)) {
                client.join(room);
            }
            annHere.send("ref", "quiet", "type", "publish", "room", room, "event", "cursor", "data", List.of(3, 4), "echo", false);
            annHere.send("ref", "loud", "type", "publish", "room", room, "text", "for all");
            for (JsonWs client : List.of(annThere, annHereToo, bob)) {
                assertThat(nextMessage(client).get("event").asText()).isEqualTo("cursor");
                assertThat(nextMessage(client).get("text").asText()).isEqualTo("for all");
            }
            assertThat(text.next()).isEqualTo("Message from " + room + ": [3,4]");
            // The sender gets its two answers and, of the two messages, only the one after: echo:false never reached it.
            // Room order puts the cursor message before "for all", so reading up to "for all" would meet it.
            List<JsonNode> own = new ArrayList<>();
            while (own.stream().filter(frame -> frame.get("type").asText().equals("ok")).count() < 2
                    || own.stream().noneMatch(frame -> frame.path("text").asText().equals("for all"))) {
                own.add(annHere.next());
            }
            assertThat(own).filteredOn(frame -> frame.get("type").asText().equals("message"))
                    .extracting(frame -> frame.path("text").asText()).containsExactly("for all");
        }
    }

    @Test
    void aRetriedPublishIsDeliveredOnceAndAnsweredWithTheFirstPosition() throws Exception {
        String room = uniqueRoom(null);
        String otherRoom = uniqueRoom(null);
        try (JsonWs publisher = JsonWs.connect(publisherNode(), "ann");
             JsonWs retrier = JsonWs.connect(memberNode(), "ann");
             JsonWs member = JsonWs.connect(memberNode(), "bob")) {
            for (JsonWs client : List.of(publisher, retrier, member)) {
                answer(client, "ref", "j", "type", "join", "room", room);
            }
            answer(publisher, "ref", "j2", "type", "join", "room", otherRoom);
            List<Long> offsets = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                // Retries alternate between the two nodes (the same one with the memory broker).
                JsonWs from = i % 2 == 0 ? publisher : retrier;
                offsets.add(answer(from, "ref", "k" + i, "type", "publish", "room", room, "text", "once",
                        "idempotency_key", "order-1").get("offset").asLong());
            }
            assertThat(offsets).containsOnly(offsets.get(0));
            JsonNode otherKey = answer(publisher, "ref", "k2", "type", "publish", "room", room, "text", "second",
                    "idempotency_key", "order-2");
            assertThat(otherKey.get("offset").asLong()).isEqualTo(offsets.get(0) + 1);
            JsonNode otherRoomAnswer = answer(publisher, "ref", "k3", "type", "publish", "room", otherRoom, "text", "elsewhere",
                    "idempotency_key", "order-1");
            assertThat(otherRoomAnswer.get("offset").asLong()).isEqualTo(1);

            assertThat(nextMessage(member).get("text").asText()).isEqualTo("once");
            assertThat(nextMessage(member).get("text").asText()).isEqualTo("second");

            // The HTTP header works the same, and its key space is the room's, shared with the WebSocket's.
            HttpResponse<String> first = post(room, "text/plain", "via http", "order-3");
            HttpResponse<String> retry = post(room, "text/plain", "via http", "order-3");
            assertThat(retry.statusCode()).isEqualTo(202);
            assertThat(JsonWs.JSON.readTree(retry.body())).isEqualTo(JsonWs.JSON.readTree(first.body()));
            assertThat(JsonWs.JSON.readTree(post(room, "text/plain", "not again", "order-1").body()).get("offset").asLong())
                    .isEqualTo(offsets.get(0));
            assertThat(nextMessage(member).get("text").asText()).isEqualTo("via http");

            // After the window the key is forgotten: the same key delivers again.
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250)).until(() ->
                    answer(publisher, "ref", "late", "type", "publish", "room", room, "text", "again",
                            "idempotency_key", "order-1").get("offset").asLong() != offsets.get(0));
            assertThat(nextMessage(member).get("text").asText()).isEqualTo("again");
        }
    }
}
