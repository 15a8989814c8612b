package dev.roomcast.server;

import static dev.roomcast.testing.JsonWs.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomcast.testing.JsonWs;
import dev.roomcast.testing.TestServer;
import dev.roomcast.testing.WsClient;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The HTTP API's user routes and batch publish over real sockets: a direct message to every session of a
 * user, closing them with 4000/4001 and the given reason, what a user is connected to, many rooms in one
 * request with a position each, and each route's errors.
 */
@Timeout(60)
class UsersAndBatchApiIT {

    private static final String KEY = "users-key";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static TestServer server;

    /** A response with its JSON body. */
    private record Answer(int status, JsonNode json) {
        String error() {
            return json.path("error").asText();
        }
    }

    @BeforeAll
    static void start() {
        server = TestServer.start(b -> TestServer.withoutRateLimit(b).apiKey(KEY).maxTextBytes(100));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String unique(String what) {
        return what + "-" + NAMES.incrementAndGet();
    }

    private static Answer post(String path, String body) throws Exception {
        return send(HttpRequest.newBuilder(server.http(path)).header("Authorization", "Bearer " + KEY)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static Answer get(String path) throws Exception {
        return send(HttpRequest.newBuilder(server.http(path)).header("Authorization", "Bearer " + KEY).GET());
    }

    private static Answer send(HttpRequest.Builder request) throws Exception {
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), JsonWs.JSON.readTree(response.body()));
    }

    /** Joins, skipping the presence frames of the session's own rooms that may come before the answer. */
    private static void join(JsonWs session, String room) {
        session.send("type", "join", "room", room, "ref", room);
        JsonNode answer = session.nextOfType("ok");
        assertThat(answer.get("ref").asText()).isEqualTo(room);
    }

    @Test
    void aUserMessageReachesEverySessionOfTheUserFromApi() throws Exception {
        String user = unique("ann");
        try (JsonWs phone = JsonWs.connect(server, user); JsonWs laptop = JsonWs.connect(server, user)) {
            Answer answer = post("/v1/users/" + user + "/messages", obj("text", "your order shipped").toString());
            assertThat(answer.status()).as("%s", answer.json()).isEqualTo(202);
            assertThat(answer.json().get("user").asText()).isEqualTo(user);
            for (JsonWs session : List.of(phone, laptop)) {
                JsonNode direct = session.nextOfType("direct");
                assertThat(direct.get("from").asText()).isEqualTo("api");
                assertThat(direct.get("text").asText()).isEqualTo("your order shipped");
            }
        }
    }

    @Test
    void aUserMessageToNobodyOrWithoutTextOrKeyIsRefused() throws Exception {
        assertThat(post("/v1/users/" + unique("nobody") + "/messages", obj("text", "hi").toString()))
                .satisfies(a -> assertThat(a.status()).isEqualTo(404), a -> assertThat(a.error()).isEqualTo("no_such_user"));
        assertThat(post("/v1/users/someone/messages", "{}").error()).isEqualTo("missing_field");
        assertThat(post("/v1/users/someone/messages", obj("text", 7).toString()).error()).isEqualTo("invalid_field");
        assertThat(post("/v1/users/someone/messages", "not json").error()).isEqualTo("bad_json");
        assertThat(post("/v1/users/someone/messages", obj("text", "x".repeat(101)).toString()))
                .satisfies(a -> assertThat(a.status()).isEqualTo(413), a -> assertThat(a.error()).isEqualTo("text_too_long"));
        assertThat(post("/v1/users/a%01b/messages", obj("text", "hi").toString()).error()).isEqualTo("invalid_user");
        Answer keyless = send(HttpRequest.newBuilder(server.http("/v1/users/someone/messages"))
                .POST(HttpRequest.BodyPublishers.ofString(obj("text", "hi").toString())));
        assertThat(keyless.status()).isEqualTo(401);
    }

    @Test
    void disconnectClosesEverySessionWith4000AndTheReasonOr4001WithoutReconnect() throws Exception {
        String user = unique("bob");
        try (JsonWs one = JsonWs.connect(server, user); JsonWs two = JsonWs.connect(server, user);
             JsonWs bystander = JsonWs.connect(server, unique("carol"))) {
            Answer answer = post("/v1/users/" + user + "/disconnect", obj("reason", "password changed").toString());
            assertThat(answer.status()).as("%s", answer.json()).isEqualTo(200);
            assertThat(answer.json().get("reconnect").asBoolean()).isTrue();
            assertThat(one.raw().awaitClose()).isEqualTo(new WsClient.Closed(4000, "password changed"));
            assertThat(two.raw().awaitClose()).isEqualTo(new WsClient.Closed(4000, "password changed"));
            assertThat(bystander.raw().isClosed()).isFalse();
        }
        try (JsonWs banned = JsonWs.connect(server, user)) {
            Answer answer = post("/v1/users/" + user + "/disconnect", obj("reason", "banned", "reconnect", false).toString());
            assertThat(answer.json().get("reconnect").asBoolean()).isFalse();
            assertThat(banned.raw().awaitClose()).isEqualTo(new WsClient.Closed(4001, "banned"));
        }
        try (JsonWs plain = JsonWs.connect(server, user)) {
            assertThat(send(HttpRequest.newBuilder(server.http("/v1/users/" + user + "/disconnect"))
                    .header("Authorization", "Bearer " + KEY).POST(HttpRequest.BodyPublishers.noBody())).status())
                    .isEqualTo(200);
            assertThat(plain.raw().awaitClose()).isEqualTo(new WsClient.Closed(4000, "disconnected"));
        }
    }

    @Test
    void disconnectRefusesAnUnknownUserALongReasonAndABadFlag() throws Exception {
        assertThat(post("/v1/users/" + unique("nobody") + "/disconnect", "{}").error()).isEqualTo("no_such_user");
        assertThat(post("/v1/users/x/disconnect", obj("reason", "é".repeat(62)).toString()).error()).isEqualTo("invalid_field");
        assertThat(post("/v1/users/x/disconnect", obj("reconnect", "no").toString()).error()).isEqualTo("invalid_field");
        assertThat(post("/v1/users/x/disconnect", "[1]").error()).isEqualTo("bad_json");
    }

    @Test
    void aUserSummaryListsSessionsAndRoomsAndAnAbsentUserIsOffline() throws Exception {
        String user = unique("dan");
        String lobby = unique("lobby");
        String games = unique("games");
        try (JsonWs one = JsonWs.connect(server, user); JsonWs two = JsonWs.connect(server, user)) {
            join(one, games);
            join(one, lobby);
            join(two, lobby);
            JsonNode summary = get("/v1/users/" + user).json();
            assertThat(summary.get("online").asBoolean()).isTrue();
            assertThat(summary.get("sessions").asInt()).isEqualTo(2);
            assertThat(summary.get("rooms")).extracting(JsonNode::asText).containsExactly(games, lobby);
        }
        JsonNode absent = get("/v1/users/" + unique("eve")).json();
        assertThat(absent.get("online").asBoolean()).isFalse();
        assertThat(absent.get("sessions").asInt()).isZero();
        assertThat(absent.get("rooms")).isEmpty();
    }

    @Test
    void aBatchPublishesToManyRoomsInOrderWithAPositionEach() throws Exception {
        String a = unique("batch-a");
        String b = unique("batch-b");
        try (JsonWs member = JsonWs.connect(server, unique("fay"))) {
            join(member, a);
            join(member, b);
            String body = obj("messages", List.of(obj("room", a, "text", "a1"), obj("room", b, "data", obj("n", 1)),
                    obj("room", a, "text", "a2"), obj("room", b, "text", "ephemeral", "store", false),
                    obj("room", a, "text", "a3", "idempotency_key", "k1"))).toString();
            Answer answer = post("/v1/publish", body);
            assertThat(answer.status()).as("%s", answer.json()).isEqualTo(202);
            JsonNode results = answer.json().get("results");
            assertThat(results).extracting(r -> r.get("room").asText()).containsExactly(a, b, a, b, a);
            assertThat(results).extracting(r -> r.path("offset").asLong(-1)).containsExactly(1L, 1L, 2L, -1L, 3L);
            List<String> texts = member.messagesUntil("a3");
            assertThat(texts).containsSubsequence("a1", "a2", "a3");

            Answer repeated = post("/v1/publish", obj("messages", List.of(obj("room", a, "text", "a3", "idempotency_key", "k1")))
                    .toString());
            assertThat(repeated.json().get("results").get(0).get("offset").asLong()).isEqualTo(3);
        }
    }

    @Test
    void aBatchWithOneBadEntryPublishesNothingAndSaysWhichEntry() throws Exception {
        String room = unique("batch-bad");
        Answer answer = post("/v1/publish", obj("messages", List.of(obj("room", room, "text", "fine"),
                obj("room", room))).toString());
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.error()).isEqualTo("missing_field");
        assertThat(answer.json().get("message").asText()).startsWith("messages[1]: ");
        assertThat(get("/v1/rooms/" + room + "/history").json().get("messages")).isEmpty();

        assertThat(post("/v1/publish", obj("messages", List.of(obj("room", "a/b", "text", "x"))).toString()).error())
                .isEqualTo("invalid_room");
        assertThat(post("/v1/publish", "{}").error()).isEqualTo("missing_field");
        assertThat(post("/v1/publish", obj("messages", List.of()).toString()).error()).isEqualTo("invalid_field");
        List<JsonNode> tooMany = IntStream.range(0, 101).mapToObj(i -> (JsonNode) obj("room", room, "text", "x")).toList();
        assertThat(post("/v1/publish", obj("messages", tooMany).toString()).error()).isEqualTo("invalid_field");
        Answer get = get("/v1/publish");
        assertThat(get.status()).isEqualTo(405);
    }
}
