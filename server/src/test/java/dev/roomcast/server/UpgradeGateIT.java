package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomcast.testing.JsonWs;
import dev.roomcast.testing.RawHttp;
import dev.roomcast.testing.RawWebSocket;
import dev.roomcast.testing.Bystander;
import dev.roomcast.testing.TestServer;
import dev.roomcast.testing.Tokens;
import dev.roomcast.testing.WsClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the upgrade gate refuses before the handshake, over real sockets: foreign origins, too
 * many connections per address or in total, bad tokens and rooms outside a token's claim; plus
 * readiness and metrics. Each case is followed by a check that a normal client still gets service.
 */
@Timeout(120)
class UpgradeGateIT {

    private static final AtomicInteger ROOMS = new AtomicInteger();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static String uniqueRoom() {
        return "gate-" + ROOMS.incrementAndGet();
    }

    /** The status line and the one-line reason of the server's answer to an upgrade request. */
    private static String answer(TestServer server, String path, String headers) throws IOException {
        try (RawWebSocket ws = RawWebSocket.handshake(server.port(), path, headers)) {
            if (ws.statusLine().contains(" 101 ")) {
                return ws.statusLine();
            }
            return ws.statusLine() + " | " + firstLine(ws.socket().getInputStream());
        }
    }

    private static String firstLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            line.write(c);
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    private static String tokenQuery(String token) {
        return "?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
    }

    private static String get(TestServer server, String path) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(server.http(path)).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }

    /** A client that connects after the refusals still gets service. */
    private static void assertServes(TestServer server, String query) {
        try (Bystander bystander = Bystander.join(server, query)) {
            bystander.assertStillServed();
        }
    }

    @Test
    void aForeignOriginIsRefusedAndTheOwnHostAndLocalhostAreNot() throws Exception {
        try (TestServer server = TestServer.start()) {
            String room = "/ws/" + uniqueRoom();
            assertThat(answer(server, room, "Origin: https://evil.example\r\n"))
                    .contains(" 403 ").endsWith("origin not allowed: https://evil.example");
            assertThat(answer(server, room, "Origin: http://127.0.0.1:" + server.port() + "\r\n")).contains(" 101 ");
            assertThat(answer(server, room, "Origin: http://localhost:3000\r\n")).contains(" 101 ");
            assertThat(answer(server, room, "")).as("no Origin: not a browser").contains(" 101 ");
            assertThat(server.node().metrics().scrape())
                    .contains("roomcast_upgrades_rejected_total{reason=\"origin\"} 1.0");
            assertServes(server, "");
        }
    }

    @Test
    void configuredOriginsReplaceLocalhost() throws Exception {
        try (TestServer server = TestServer.start(b -> b.allowedOrigins(List.of("https://app.example.com")))) {
            String room = "/ws/" + uniqueRoom();
            assertThat(answer(server, room, "Origin: https://app.example.com\r\n")).contains(" 101 ");
            assertThat(answer(server, room, "Origin: http://localhost:3000\r\n")).contains(" 403 ");
            assertServes(server, "");
        }
    }

    @Test
    void theConnectionPastThePerAddressCapGets429AndAClosedOneFreesItsSlot() throws Exception {
        try (TestServer server = TestServer.start(b -> b.maxConnectionsPerIp(3))) {
            String room = uniqueRoom();
            List<WsClient> held = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    held.add(WsClient.connect(server.ws("/ws/" + room)));
                }
                assertThat(answer(server, "/ws/" + room, "")).contains(" 429 ").endsWith("too many connections from 127.0.0.1");
                held.remove(0).close();
                Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> server.node().hub().memberCount(room) == 2);
                held.add(WsClient.connect(server.ws("/ws/" + room)));
            } finally {
                held.forEach(WsClient::close);
            }
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> server.node().hub().memberCount(room) == 0);
            assertServes(server, "");
        }
    }

    @Test
    void theConnectionPastTheNodeCapGets503() throws Exception {
        try (TestServer server = TestServer.start(b -> b.maxConnections(2))) {
            String room = uniqueRoom();
            try (WsClient a = WsClient.connect(server.ws("/ws/" + room));
                 WsClient b = WsClient.connect(server.ws("/ws/" + room))) {
                assertThat(answer(server, "/ws/" + room, "")).contains(" 503 ").contains("server is full");
                assertThat(server.node().metrics().scrape())
                        .contains("roomcast_upgrades_rejected_total{reason=\"capacity\"} 1.0");
            }
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> server.node().hub().memberCount(room) == 0);
            assertServes(server, "");
        }
    }

    @Test
    void withAuthOnMissingExpiredAndForgedTokensGet401() throws Exception {
        try (TestServer server = TestServer.start(b -> b.jwtSecret(Tokens.SECRET))) {
            String room = "/ws/" + uniqueRoom();
            assertThat(answer(server, room, "")).contains(" 401 ").contains("missing token");
            assertThat(answer(server, room + tokenQuery(Tokens.hs256("u1", Duration.ofMinutes(-1), null)), ""))
                    .contains(" 401 ").endsWith("token expired");
            String forged = Tokens.sign("u1", Duration.ofMinutes(5), null,
                    com.auth0.jwt.algorithms.Algorithm.HMAC256("not-the-server-secret-but-long-enough!!"));
            assertThat(answer(server, room + tokenQuery(forged), ""))
                    .contains(" 401 ").endsWith("token signature is not valid");
            assertThat(answer(server, room + "?token=garbage", "")).contains(" 401 ");
            assertThat(answer(server, room, "Authorization: Bearer " + Tokens.hs256("u1", Duration.ofMinutes(5), null) + "\r\n"))
                    .as("token in the Authorization header").contains(" 101 ");
            assertThat(server.node().metrics().scrape())
                    .contains("roomcast_upgrades_rejected_total{reason=\"unauthorized\"} 4.0");
            assertServes(server, tokenQuery(Tokens.hs256("u2", Duration.ofMinutes(5), null)));
        }
    }

    @Test
    void aPlainGetOnAWebSocketPathIsAnsweredWithTheRefusalItsUpgradeWouldGetReadableFromAnyOrigin() throws Exception {
        try (TestServer server = TestServer.start(b -> b.jwtSecret(Tokens.SECRET))) {
            // A page on another port of localhost (allowed by default) reads why its token is refused.
            RawHttp.Response forged = RawHttp.send(server.port(), "GET", "/v1/ws?token=garbage", "Origin: http://localhost:5173\r\n");
            assertThat(forged.status()).isEqualTo(401);
            assertThat(forged.body()).isNotBlank();
            assertThat(forged.headers()).containsEntry("access-control-allow-origin", "*");
            RawHttp.Response foreign = RawHttp.send(server.port(), "GET", "/v1/ws", "Origin: https://elsewhere.example\r\n");
            assertThat(foreign.status()).isEqualTo(403);
            assertThat(foreign.body()).contains("origin not allowed");
            assertThat(foreign.headers()).containsEntry("access-control-allow-origin", "*");
            String valid = tokenQuery(Tokens.hs256("prober", Duration.ofMinutes(5), null));
            RawHttp.Response admitted = RawHttp.send(server.port(), "GET", "/v1/ws" + valid, "");
            assertThat(admitted.status()).as("a good token would be admitted: the plain GET is only told to upgrade").isEqualTo(400);
            assertThat(admitted.body()).contains("this is a WebSocket endpoint");
            assertThat(server.node().metrics().scrape()).as("a probe is not a refused upgrade")
                    .doesNotContainPattern("reason=\"unauthorized\"[^\n]* [1-9]");
        }
    }

    @Test
    void aTokenOnlyOpensTheRoomsItsClaimAllows() throws Exception {
        try (TestServer server = TestServer.start(b -> b.jwtSecret(Tokens.SECRET))) {
            String token = tokenQuery(Tokens.hs256("agent", Duration.ofMinutes(5), List.of("support-*")));
            assertThat(answer(server, "/ws/sales" + token, "")).contains(" 403 ").endsWith("your token does not allow room sales");
            assertThat(answer(server, "/ws" + token, "")).as("the global chat is room $global").contains(" 403 ");
            assertThat(answer(server, "/ws/support-7" + token, "")).contains(" 101 ");
            assertThat(answer(server, "/echo" + token, "")).as("echo joins no room").contains(" 101 ");
            assertServes(server, tokenQuery(Tokens.hs256("u3", Duration.ofMinutes(5), null)));
        }
    }

    @Test
    void aConnectionIsClosedWith1008WhenItsTokenExpires() throws Exception {
        try (TestServer server = TestServer.start(b -> b.jwtSecret(Tokens.SECRET))) {
            String room = uniqueRoom();
            Instant connected;
            try (WsClient shortLived = WsClient.connect(server.ws("/ws/" + room
                    + tokenQuery(Tokens.hs256("brief", Duration.ofSeconds(3), null))))) {
                connected = Instant.now();
                Awaitility.await().atMost(WsClient.WAIT).until(() -> server.node().hub().memberCount(room) == 1);
                WsClient.Closed closed = shortLived.awaitClose();
                assertThat(closed.code()).isEqualTo(1008);
                assertThat(closed.reason()).isEqualTo("token expired");
            }
            assertThat(Duration.between(connected, Instant.now())).as("closed at expiry, not long after")
                    .isLessThan(Duration.ofSeconds(5));
            assertServes(server, tokenQuery(Tokens.hs256("u4", Duration.ofMinutes(5), null)));
        }
    }

    @Test
    void aJsonClientIsToldForbiddenForARoomOutsideItsTokenAndMayJoinTheOthers() {
        try (TestServer server = TestServer.start(b -> b.jwtSecret(Tokens.SECRET));
             JsonWs agent = JsonWs.connectWithToken(server, Tokens.hs256("agent-9", Duration.ofMinutes(5), List.of("support-*")))) {
            assertThat(agent.user()).isEqualTo("agent-9");
            agent.send("type", "join", "ref", "j1", "room", "sales");
            JsonNode error = agent.next();
            assertThat(error.path("type").asText()).isEqualTo("error");
            assertThat(error.path("ref").asText()).isEqualTo("j1");
            assertThat(error.path("code").asText()).isEqualTo("forbidden");
            agent.join("support-" + uniqueRoom());
        }
    }

    @Test
    void aRefreshedTokenKeepsTheConnectionOpenPastTheFirstExpiry() {
        try (TestServer server = TestServer.start(b -> b.jwtSecret(Tokens.SECRET));
             JsonWs client = JsonWs.connectWithToken(server, Tokens.hs256("renewer", Duration.ofSeconds(3), null))) {
            client.ok("r1", "type", "refresh", "token", Tokens.hs256("renewer", Duration.ofMinutes(5), null));
            client.send("type", "refresh", "ref", "r2", "token", Tokens.hs256("someone-else", Duration.ofMinutes(5), null));
            JsonNode error = client.next();
            assertThat(error.path("code").asText()).isEqualTo("unauthorized");
            assertThat(error.path("message").asText()).isEqualTo("the token is for another user");
            client.send("type", "refresh", "ref", "r3", "token", "garbage");
            assertThat(client.next().path("code").asText()).isEqualTo("unauthorized");
            assertThat(client.poll(Duration.ofSeconds(4))).as("nothing, and no close, past the first token's expiry").isNull();
            assertThat(client.raw().isClosed()).isFalse();
            client.ok("p1", "type", "ping");
        }
    }

    @Test
    void withoutARefreshAJsonConnectionIsClosedAtExpiry() {
        try (TestServer server = TestServer.start(b -> b.jwtSecret(Tokens.SECRET));
             JsonWs client = JsonWs.connectWithToken(server, Tokens.hs256("lapsed", Duration.ofSeconds(2), null))) {
            assertThat(client.raw().awaitClose()).isEqualTo(new WsClient.Closed(1008, "token expired"));
        }
    }

    @Test
    void readinessAndMetricsAreServed() throws Exception {
        try (TestServer server = TestServer.start();
             WsClient client = WsClient.connect(server.ws("/ws/" + uniqueRoom()))) {
            client.send("counted");
            client.next();
            assertThat(get(server, "/readyz")).isEqualTo("200 ready\n");
            String metrics = get(server, "/metrics");
            assertThat(metrics).startsWith("200 ")
                    .contains("roomcast_connections 1.0")
                    .contains("roomcast_rooms 1.0")
                    .contains("roomcast_messages_in_total 1.0")
                    .contains("roomcast_deliveries_total{namespace=\"default\"} 1.0")
                    .contains("roomcast_bytes_out_bytes_total{namespace=\"default\"}")
                    .contains("roomcast_slow_consumer_closes_total 0.0")
                    .contains("roomcast_rate_limited_messages_total 0.0")
                    .contains("roomcast_upgrades_rejected_total{reason=\"per_ip_limit\"} 0.0")
                    .contains("jvm_memory_used_bytes")
                    .contains("jvm_threads_live_threads")
                    .contains("system_cpu_count");
        }
    }
}
