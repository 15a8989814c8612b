package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomcast.testing.JsonWs;
import dev.roomcast.testing.TestServer;
import dev.roomcast.testing.WsClient;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The HTTP API of docs/protocol.md over real sockets: publishing, reads, and every error status. */
@Timeout(60)
class HttpApiIT {

    private static final String KEY = "s3cret-key";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final AtomicInteger ROOMS = new AtomicInteger();
    private static TestServer server;
    private static TestServer keyless;

    /** A response with its body parsed as JSON (null when the body is not JSON). */
    private record Answer(int status, JsonNode json, HttpResponse<String> raw) {
        String error() {
            return json.path("error").asText();
        }
    }

    @BeforeAll
    static void start() {
        server = TestServer.start(b -> b.apiKey(KEY).maxTextBytes(100).historySize(5));
        keyless = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
        keyless.close();
    }

    private static String uniqueRoom() {
        return "api-" + ROOMS.incrementAndGet();
    }

    private static Answer send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = null;
        if (response.headers().firstValue("content-type").orElse("").startsWith("application/json")) {
            json = JsonWs.JSON.readTree(response.body());
        }
        return new Answer(response.statusCode(), json, response);
    }

    private static HttpRequest.Builder post(TestServer on, String path, String contentType, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(on.http(path))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + KEY);
        return contentType == null ? request : request.header("Content-Type", contentType);
    }

    private static HttpRequest.Builder get(TestServer on, String path) {
        return HttpRequest.newBuilder(on.http(path)).GET().header("Authorization", "Bearer " + KEY);
    }

    private static Answer publish(String room, String text) throws Exception {
        return send(post(server, "/v1/rooms/" + room + "/messages", "application/json",
                JsonWs.obj("text", text).toString()));
    }

    private static void assertError(Answer answer, int status, String code) {
        assertThat(answer.status()).as(answer.raw().body()).isEqualTo(status);
        assertThat(answer.error()).isEqualTo(code);
        assertThat(answer.json().path("message").asText()).isNotBlank();
    }

    @Test
    void aJsonPublishReachesJsonAndTextMembersAndAnswers202WithThePosition() throws Exception {
        String room = uniqueRoom();
        try (JsonWs json = JsonWs.connect(server, "ann"); WsClient text = WsClient.connect(server.ws("/ws/" + room))) {
            String epoch = json.join(room).get("epoch").asText();
            json.next();

            Answer answer = publish(room, "deploy finished");
            assertThat(answer.status()).isEqualTo(202);
            assertThat(answer.json()).isEqualTo(JsonWs.obj("room", room, "epoch", epoch, "offset", 1));

            JsonNode message = json.next();
            assertThat(message.get("type").asText()).isEqualTo("message");
            assertThat(message.get("from").asText()).isEqualTo("api");
            assertThat(message.get("text").asText()).isEqualTo("deploy finished");
            assertThat(text.next()).isEqualTo("Message from " + room + ": deploy finished");
        }
    }

    @Test
    void aTextPlainPublishWorksAndTheGlobalRoomReachesSlashWs() throws Exception {
        try (WsClient global = WsClient.connect(server.ws("/ws"))) {
            Answer answer = send(post(server, "/v1/rooms/%24global/messages", "text/plain; charset=utf-8", "héllo everyone"));
            assertThat(answer.status()).isEqualTo(202);
            assertThat(answer.json().get("room").asText()).isEqualTo("$global");
            assertThat(global.next()).isEqualTo("Message: héllo everyone");
        }
    }

    @Test
    void withNoKeyConfiguredPublishingIs403WithHowToEnableIt() throws Exception {
        Answer answer = send(post(keyless, "/v1/rooms/lobby/messages", "text/plain", "hi"));
        assertError(answer, 403, "forbidden");
        assertThat(answer.json().get("message").asText()).contains("--api-key").contains("ROOMCAST_API_KEY");
        assertThat(send(get(keyless, "/v1/rooms")).status()).as("reads stay open without a key").isEqualTo(200);
    }

    @Test
    void withTokenAuthOnAndNoKeyReadsAre403Too() throws Exception {
        try (TestServer authed = TestServer.start(b -> b.jwtSecret(dev.roomcast.testing.Tokens.SECRET))) {
            Answer rooms = send(HttpRequest.newBuilder(authed.http("/v1/rooms")).GET());
            assertError(rooms, 403, "forbidden");
            assertThat(rooms.json().get("message").asText()).contains("--api-key");
            assertError(send(HttpRequest.newBuilder(authed.http("/v1/rooms/lobby/history")).GET()), 403, "forbidden");
        }
    }

    @Test
    void aMissingOrWrongKeyIs401ForEveryRoute() throws Exception {
        Answer missing = send(HttpRequest.newBuilder(server.http("/v1/rooms/lobby/messages"))
                .POST(HttpRequest.BodyPublishers.ofString("hi")).header("Content-Type", "text/plain"));
        assertError(missing, 401, "unauthorized");
        assertThat(missing.raw().headers().firstValue("www-authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        Answer wrong = send(post(server, "/v1/rooms/lobby/messages", "text/plain", "hi").setHeader("Authorization", "Bearer nope"));
        assertError(wrong, 401, "unauthorized");
        assertError(send(HttpRequest.newBuilder(server.http("/v1/rooms")).GET()), 401, "unauthorized");
        assertError(send(HttpRequest.newBuilder(server.http("/v1/rooms/lobby/history")).GET()), 401, "unauthorized");
    }

    @Test
    void badRequestsGetTheirStatusAndCode() throws Exception {
        String room = uniqueRoom();
        assertError(send(post(server, "/v1/rooms/" + room + "/messages", "application/json", "{nope")), 400, "bad_json");
        assertError(send(post(server, "/v1/rooms/" + room + "/messages", "application/json", "{\"txt\":\"x\"}")), 400, "missing_field");
        assertError(send(post(server, "/v1/rooms/" + room + "/messages", "application/json", "{\"text\":5}")), 400, "invalid_field");
        assertError(send(post(server, "/v1/rooms/a%2Fb/messages", "text/plain", "x")), 400, "invalid_room");
        assertError(send(post(server, "/v1/rooms/%24secret/messages", "text/plain", "x")), 400, "invalid_room");
        assertError(send(get(server, "/v1/rooms/" + room + "/history?since=nocolon")), 400, "invalid_query");
        assertError(send(get(server, "/v1/rooms/" + room + "/history?since=abc:-1")), 400, "invalid_query");
        assertError(send(get(server, "/v1/rooms/" + room + "/history?limit=0")), 400, "invalid_query");
        assertError(send(get(server, "/v1/rooms/" + room + "/history?limit=1001")), 400, "invalid_query");
    }

    @Test
    void unknownPathsAre404AndWrongMethods405WithAllow() throws Exception {
        assertError(send(get(server, "/v1/rooms/lobby/nothing")), 404, "not_found");
        assertError(send(get(server, "/v1/rooms/lobby")), 404, "not_found");
        Answer wrongMethod = send(get(server, "/v1/rooms/lobby/messages"));
        assertError(wrongMethod, 405, "method_not_allowed");
        assertThat(wrongMethod.raw().headers().firstValue("allow")).hasValue("POST");
        Answer delete = send(HttpRequest.newBuilder(server.http("/v1/rooms")).DELETE().header("Authorization", "Bearer " + KEY));
        assertError(delete, 405, "method_not_allowed");
        assertThat(delete.raw().headers().firstValue("allow")).hasValue("GET, HEAD");
    }

    @Test
    void aJsonBodyWithDataAfterTheObjectIsBadJson() throws Exception {
        String room = uniqueRoom();
        assertError(send(post(server, "/v1/rooms/" + room + "/messages", "application/json",
                "{\"text\":\"x\"} {\"text\":\"y\"}")), 400, "bad_json");
        assertError(send(post(server, "/v1/rooms/" + room + "/messages", "application/json", "{\"text\":\"x\"}]")),
                400, "bad_json");
        assertThat(send(get(server, "/v1/rooms/" + room + "/history")).json().get("messages")).isEmpty();
        assertThat(publish(room, "one object").status()).isEqualTo(202);
    }

    @Test
    void headIsAnsweredWhereGetIsWithoutABody() throws Exception {
        for (String path : List.of("/v1/rooms", "/v1/rooms/" + uniqueRoom() + "/history", "/healthz", "/chat.html")) {
            HttpResponse<String> head = HTTP.send(HttpRequest.newBuilder(server.http(path))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).header("Authorization", "Bearer " + KEY).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(head.statusCode()).as(path).isEqualTo(200);
            assertThat(head.body()).as(path).isEmpty();
        }
    }

    @Test
    void roomsArePagedWithALimitAndACursor() throws Exception {
        String prefix = uniqueRoom();
        List<String> mine = List.of(prefix + "-a", prefix + "-b", prefix + "-c", prefix + "-d", prefix + "-e");
        List<WsClient> members = new ArrayList<>();
        try {
            for (String room : mine) {
                members.add(WsClient.connect(server.ws("/ws/" + room)));
            }
            Awaitility.await().atMost(WsClient.WAIT).until(() -> mine.stream().allMatch(r -> server.node().hub().memberCount(r) == 1));
            List<String> listed = new ArrayList<>();
            String cursor = null;
            do {
                Answer page = send(get(server, "/v1/rooms?limit=2" + (cursor == null ? ""
                        : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8))));
                assertThat(page.status()).isEqualTo(200);
                assertThat(page.json().get("rooms").size()).isBetween(1, 2);
                page.json().get("rooms").forEach(room -> listed.add(room.get("room").asText()));
                cursor = page.json().has("next") ? page.json().get("next").asText() : null;
            } while (cursor != null);
            assertThat(listed).isSorted().doesNotHaveDuplicates().containsSubsequence(mine);
            assertThat(send(get(server, "/v1/rooms")).json().get("rooms").size()).isEqualTo(listed.size());
        } finally {
            members.forEach(WsClient::close);
        }
        assertError(send(get(server, "/v1/rooms?limit=0")), 400, "invalid_query");
        assertError(send(get(server, "/v1/rooms?limit=1001")), 400, "invalid_query");
    }

    @Test
    void tooLongTextIs413AndAnUnknownContentTypeIs415() throws Exception {
        String room = uniqueRoom();
        assertError(send(post(server, "/v1/rooms/" + room + "/messages", "text/plain", "x".repeat(101))), 413, "text_too_long");
        assertError(send(post(server, "/v1/rooms/" + room + "/messages", "application/xml", "<text/>")), 415, "unsupported_media_type");
        assertError(send(post(server, "/v1/rooms/" + room + "/messages", null, "x")), 415, "unsupported_media_type");
        assertThat(send(post(server, "/v1/rooms/" + room + "/messages", "text/plain", "x".repeat(100))).status()).isEqualTo(202);
    }

    @Test
    void roomsListsRoomsWithMemberCountsAndPresenceListsUsers() throws Exception {
        String room = uniqueRoom();
        try (JsonWs a1 = JsonWs.connect(server, "ann"); JsonWs a2 = JsonWs.connect(server, "ann");
             WsClient text = WsClient.connect(server.ws("/ws/" + room + "?name=bob"))) {
            a1.join(room);
            a2.join(room);
            Answer rooms = send(get(server, "/v1/rooms"));
            assertThat(rooms.status()).isEqualTo(200);
            assertThat(rooms.json().get("rooms")).contains(JsonWs.obj("room", room, "members", 3));

            Answer presence = send(get(server, "/v1/rooms/" + room + "/presence"));
            assertThat(presence.status()).isEqualTo(200);
            assertThat(presence.json()).isEqualTo(JsonWs.obj("room", room, "users",
                    JsonWs.JSON.createArrayNode().add(JsonWs.obj("user", "ann", "sessions", 2)).add(JsonWs.obj("user", "bob", "sessions", 1))));
            Answer firstPage = send(get(server, "/v1/rooms/" + room + "/presence?limit=1"));
            assertThat(firstPage.json()).isEqualTo(JsonWs.obj("room", room, "users",
                    JsonWs.JSON.createArrayNode().add(JsonWs.obj("user", "ann", "sessions", 2)), "next", "ann"));
            Answer lastPage = send(get(server, "/v1/rooms/" + room + "/presence?limit=1&cursor=ann"));
            assertThat(lastPage.json()).isEqualTo(JsonWs.obj("room", room, "users",
                    JsonWs.JSON.createArrayNode().add(JsonWs.obj("user", "bob", "sessions", 1))));
        }
    }

    @Test
    void historyReadsAfterSinceOrTheNewestAndSaysWhenItIsIncomplete() throws Exception {
        String room = uniqueRoom();
        String epoch = null;
        for (int i = 1; i <= 8; i++) {
            epoch = publish(room, "m" + i).json().get("epoch").asText();
        }
        Answer newest = send(get(server, "/v1/rooms/" + room + "/history?limit=2"));
        assertThat(newest.status()).isEqualTo(200);
        assertThat(newest.json().get("offset").asLong()).isEqualTo(8);
        assertThat(newest.json().get("complete").asBoolean()).isTrue();
        assertThat(newest.json().get("messages")).extracting(m -> m.get("text").asText()).containsExactly("m7", "m8");
        assertThat(newest.json().get("messages").get(0).get("type").asText()).isEqualTo("message");

        Answer after = send(get(server, "/v1/rooms/" + room + "/history?since=" + epoch + ":5"));
        assertThat(after.json().get("complete").asBoolean()).isTrue();
        assertThat(after.json().get("messages")).extracting(m -> m.get("offset").asLong()).containsExactly(6L, 7L, 8L);

        Answer trimmed = send(get(server, "/v1/rooms/" + room + "/history?since=" + epoch + ":1"));
        assertThat(trimmed.json().get("complete").asBoolean()).as("history size 5 no longer reaches offset 2").isFalse();
        Answer otherEpoch = send(get(server, "/v1/rooms/" + room + "/history?since=old:1"));
        assertThat(otherEpoch.json().get("complete").asBoolean()).isFalse();
        assertThat(otherEpoch.json().get("messages")).isEmpty();
    }
}
