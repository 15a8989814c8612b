package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomcast.testing.Bystander;
import dev.roomcast.testing.JsonWs;
import dev.roomcast.testing.LogRecorder;
import dev.roomcast.testing.RawHttp;
import dev.roomcast.testing.TestServer;
import dev.roomcast.testing.Tokens;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What an attacker would try against tokens, names and limits gets its documented answer: a
 * one-line HTTP refusal before the upgrade, or an error frame; never a dead connection. After every
 * case the log holds no stack trace and bystanders (one on the open server, one on the server with
 * authentication) are still served.
 */
@Timeout(60)
class HostileInputIT {

    private static final AtomicInteger ROOMS = new AtomicInteger();
    private static final long FUTURE = Instant.now().plusSeconds(3600).getEpochSecond();
    private static TestServer open;
    private static TestServer authed;
    private Bystander openBystander;
    private Bystander authedBystander;

    @BeforeAll
    static void start() {
        open = TestServer.start(b -> b.maxRoomsPerConnection(3));
        authed = TestServer.start(b -> b.jwtSecret(Tokens.SECRET));
    }

    @AfterAll
    static void stop() {
        open.close();
        authed.close();
    }

    @BeforeEach
    void connectBystanders() {
        LogRecorder.clear();
        openBystander = Bystander.join(open);
        authedBystander = Bystander.join(authed, tokenQuery(Tokens.hs256("bystander", Duration.ofMinutes(5), null)));
    }

    @AfterEach
    void noStackTraceAndOthersAreStillServed() {
        try (Bystander a = openBystander; Bystander b = authedBystander) {
            a.assertStillServed();
            b.assertStillServed();
        }
        assertThat(LogRecorder.stackTraces()).as("stack traces logged while the case ran").isEmpty();
    }

    /** Date claims no instant can hold, and claims that are no date at all. */
    private static final List<String> BAD_DATES = List.of(
            "\"exp\":4611686018427387904", "\"exp\":-4611686018427387904",
            "\"exp\":" + FUTURE + ",\"iat\":4611686018427387904", "\"exp\":" + FUTURE + ",\"nbf\":-4611686018427387904",
            "\"exp\":" + FUTURE + ",\"iat\":1e300", "\"exp\":\"tomorrow\"");

    @Test
    void tokensWithDateClaimsOutOfRangeGet401AndAreCounted() throws IOException {
        double before = unauthorizedCount();
        int sent = 0;
        for (String dates : BAD_DATES) {
            for (boolean signed : new boolean[] {true, false}) {
                String token = Tokens.raw("{\"sub\":\"mallory\"," + dates + "}", signed);
                assertOneLine(upgrade(authed, "/v1/ws" + tokenQuery(token)), 401);
                sent++;
            }
        }
        assertThat(unauthorizedCount()).isEqualTo(before + sent);
    }

    @Test
    void tokensWhoseSubIsNullEmptyOrNotAStringGet401() throws IOException {
        for (String sub : List.of("null", "\"\"", "\" \"", "42", "[\"u\"]", "{\"id\":1}", "false")) {
            String token = Tokens.raw("{\"sub\":" + sub + ",\"exp\":" + FUTURE + "}", true);
            RawHttp.Response response = upgrade(authed, "/v1/ws" + tokenQuery(token));
            assertOneLine(response, 401);
            assertThat(response.body()).as("sub " + sub).contains("sub");
        }
    }

    @Test
    void aRefreshWithAnOutOfRangeOrSubjectlessTokenIsUnauthorizedAndTheConnectionStays() {
        try (JsonWs client = JsonWs.connectWithToken(authed, Tokens.hs256("refresher", Duration.ofMinutes(5), null))) {
            int ref = 0;
            for (String dates : BAD_DATES) {
                client.send("type", "refresh", "ref", "r" + ++ref, "token", Tokens.raw("{\"sub\":\"refresher\"," + dates + "}", true));
                assertThat(client.next().path("code").asText()).as(dates).isEqualTo("unauthorized");
            }
            client.send("type", "refresh", "ref", "r" + ++ref, "token", Tokens.raw("{\"sub\":7,\"exp\":" + FUTURE + "}", true));
            assertThat(client.next().path("code").asText()).isEqualTo("unauthorized");
            client.ok("still-open", "type", "ping");
        }
    }

    @Test
    void aTokenWithRoomsNullMayJoinNoRoom() throws IOException {
        String token = Tokens.raw("{\"sub\":\"nulls\",\"exp\":" + FUTURE + ",\"rooms\":null}", true);
        assertOneLine(upgrade(authed, "/ws/" + uniqueRoom() + tokenQuery(token)), 403);
        try (JsonWs client = JsonWs.connectWithToken(authed, token)) {
            client.send("type", "join", "ref", "j", "room", uniqueRoom());
            assertThat(client.next().path("code").asText()).isEqualTo("forbidden");
        }
    }

    @Test
    void aChosenNameFollowsTheNameRulesAndMayNotBeOneTheServerUses() throws IOException {
        for (String name : List.of("a".repeat(65), "bell\u0007", "evil\u202Eexe", "iso\u2066late", "api", "API",
                "$system", "guest-1234", "Guest-x")) {
            String query = "?name=" + URLEncoder.encode(name, StandardCharsets.UTF_8);
            for (String path : List.of("/v1/ws", "/ws", "/echo", "/ws/" + uniqueRoom())) {
                assertOneLine(upgrade(open, path + query), 400);
            }
        }
        assertOneLine(upgrade(open, "/v1/ws?name=%zz"), 400);
        try (JsonWs chosen = JsonWs.connect(open, "Zoë 😀 " + "n".repeat(56))) {
            assertThat(chosen.user()).isEqualTo("Zoë 😀 " + "n".repeat(56));
        }
    }

    @Test
    void theRoomsDotAndDotDotAreRefused() throws IOException {
        for (String segment : List.of(".", "..", "%2E", "%2e%2E")) {
            RawHttp.Response response = upgrade(open, "/ws/" + segment);
            assertOneLine(response, 400);
            assertThat(response.body()).startsWith("invalid room name: ");
        }
        try (JsonWs client = JsonWs.connect(open)) {
            for (String room : List.of(".", "..")) {
                client.send("type", "join", "ref", room, "room", room);
                assertThat(client.next().path("code").asText()).isEqualTo("invalid_room");
            }
            client.ok("p", "type", "ping");
        }
    }

    @Test
    void aJoinBeyondTheRoomsAConnectionMayBeInIsTooManyRooms() {
        try (JsonWs client = JsonWs.connect(open)) {
            List<String> rooms = List.of(uniqueRoom(), uniqueRoom(), uniqueRoom(), uniqueRoom());
            for (String room : rooms.subList(0, 3)) {
                client.join(room);
                client.next();
            }
            client.send("type", "join", "ref", "fourth", "room", rooms.get(3));
            JsonNode refused = client.next();
            assertThat(refused.path("code").asText()).isEqualTo("too_many_rooms");
            assertThat(refused.path("ref").asText()).isEqualTo("fourth");
            assertThat(open.node().hub().memberCount(rooms.get(3))).isZero();

            client.send("type", "join", "ref", "again", "room", rooms.get(0));
            assertThat(client.next().path("code").asText()).as("a room it is in").isEqualTo("already_joined");
            client.ok("l", "type", "leave", "room", rooms.get(0));
            client.join(rooms.get(3));
        }
    }

    @Test
    void aWrongMethodOutsideTheApiIs405WithAllow() throws IOException {
        RawHttp.Response page = RawHttp.send(open.port(), "POST", "/chat.html", "Content-Length: 0\r\n");
        assertOneLine(page, 405);
        assertThat(page.headers()).containsEntry("allow", "GET, HEAD");
        RawHttp.Response health = RawHttp.send(open.port(), "DELETE", "/healthz", "");
        assertOneLine(health, 405);
        assertThat(health.headers()).containsEntry("allow", "GET, HEAD");
        RawHttp.Response socket = RawHttp.send(open.port(), "POST", "/v1/ws", "Content-Length: 0\r\n");
        assertOneLine(socket, 405);
        assertThat(socket.headers()).containsEntry("allow", "GET");
    }

    @Test
    void aQueryThatIsNotValidPercentEncodingIs400Everywhere() throws IOException {
        RawHttp.Response api = RawHttp.send(open.port(), "GET", "/v1/rooms/lobby/history?since=%zz", "");
        assertThat(api.status()).isEqualTo(400);
        assertThat(api.body()).contains("\"error\":\"invalid_query\"");
        assertOneLine(RawHttp.send(open.port(), "GET", "/healthz?x=%", ""), 400);
        assertOneLine(upgrade(authed, "/v1/ws?token=%g1"), 400);
    }

    private static RawHttp.Response upgrade(TestServer server, String path) throws IOException {
        return RawHttp.send(server.port(), "GET", path, RawHttp.upgradeHeaders());
    }

    /** The status, and a body of exactly one line: no stack trace, no exception name. */
    private static void assertOneLine(RawHttp.Response response, int status) {
        assertThat(response.status()).as(response.statusLine() + " " + response.body()).isEqualTo(status);
        assertThat(response.body().strip()).isNotBlank().doesNotContain("\n").doesNotContain("Exception");
    }

    private static double unauthorizedCount() {
        String line = authed.node().metrics().scrape().lines()
                .filter(l -> l.startsWith("roomcast_upgrades_rejected_total{reason=\"unauthorized\"}"))
                .findFirst().orElseThrow();
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    private static String tokenQuery(String token) {
        return "?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
    }

    private static String uniqueRoom() {
        return "hostile-" + ROOMS.incrementAndGet();
    }
}
