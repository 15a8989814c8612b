package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.roomcast.testing.RawHttp;
import dev.roomcast.testing.TestServer;
import dev.roomcast.testing.WsClient;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Who may open {@code GET /admin} and {@code GET /v1/stats}: nobody without an admin password or API
 * key, and with one only a request that presents it; what the stats say; and the metrics the HTTP
 * API's requests leave behind, by route template.
 */
@Timeout(60)
class AdminApiIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String basic(String user, String password) {
        return "Authorization: Basic " + Base64.getEncoder().encodeToString(
                (user + ":" + password).getBytes(StandardCharsets.UTF_8)) + "\r\n";
    }

    @Test
    void withoutAPasswordOrAnApiKeyTheAdminPageIsRefused() throws Exception {
        try (TestServer server = TestServer.start()) {
            for (String path : new String[] {"/admin", "/v1/stats"}) {
                RawHttp.Response refused = RawHttp.send(server.port(), "GET", path, basic("admin", ""));
                assertThat(refused.status()).as(path).isEqualTo(403);
                assertThat(refused.body()).contains("--admin-password");
            }
        }
    }

    @Test
    void theAdminPageAsksForCredentialsAndTakesTheAdminPasswordOrTheApiKey() throws Exception {
        try (TestServer server = TestServer.start(b -> b.adminPassword("pw-one").apiKey("key-two"))) {
            RawHttp.Response anonymous = RawHttp.send(server.port(), "GET", "/admin", "");
            assertThat(anonymous.status()).isEqualTo(401);
            assertThat(anonymous.headers().get("www-authenticate")).startsWith("Basic realm=");
            assertThat(RawHttp.send(server.port(), "GET", "/admin", basic("x", "wrong")).status()).isEqualTo(401);
            assertThat(RawHttp.send(server.port(), "GET", "/admin", "Authorization: Bearer pw-one\r\n").status())
                    .as("the admin password is not an API key").isEqualTo(401);

            RawHttp.Response page = RawHttp.send(server.port(), "GET", "/admin", basic("anyone", "pw-one"));
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.headers().get("content-type")).startsWith("text/html");
            assertThat(page.body()).contains("<title>Roomcast admin</title>").doesNotContain("http://", "https://");
            assertThat(RawHttp.send(server.port(), "GET", "/admin", basic("", "key-two")).status()).isEqualTo(200);
            assertThat(RawHttp.send(server.port(), "GET", "/v1/stats", "Authorization: Bearer key-two\r\n").status())
                    .isEqualTo(200);
            assertThat(RawHttp.send(server.port(), "POST", "/admin", basic("", "pw-one") + "Content-Length: 0\r\n").status())
                    .isEqualTo(405);
        }
    }

    @Test
    void statsReportTheNodesFiguresAndTheHttpApiIsMeasuredByRouteNotByRoom() throws Exception {
        try (TestServer server = TestServer.start(b -> b.apiKey("stats-key"));
             WsClient member = WsClient.connect(server.ws("/ws/stats-room"))) {
            member.send("hello");
            assertThat(member.next()).isEqualTo("Message from stats-room: hello");
            String key = "Authorization: Bearer stats-key\r\n";
            HttpResponse<String> published = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            server.http("/v1/rooms/stats-room/messages"))
                    .header("Authorization", "Bearer stats-key").header("Content-Type", "text/plain")
                    .POST(HttpRequest.BodyPublishers.ofString("from the api")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(published.statusCode()).isEqualTo(202);
            assertThat(member.next()).isEqualTo("Message from stats-room: from the api");

            JsonNode stats = JSON.readTree(RawHttp.send(server.port(), "GET", "/v1/stats", key).body());
            assertThat(stats.get("connections").asInt()).isEqualTo(1);
            assertThat(stats.get("rooms").asInt()).isEqualTo(1);
            assertThat(stats.get("messages_in").asLong()).isEqualTo(1);
            assertThat(stats.get("deliveries").asLong()).isEqualTo(2);
            assertThat(stats.get("delivery_latency_p99_seconds").asDouble()).isPositive();
            assertThat(stats.get("upgrades_refused").get("origin").asLong()).isZero();
            assertThat(stats.get("nodes")).hasSize(1);
            assertThat(stats.get("top_rooms").get(0).get("room").asText()).isEqualTo("stats-room");
            assertThat(stats.get("top_rooms").get(0).get("members").asInt()).isEqualTo(1);

            // A request is measured once its answer is written, so the client can read the answer first.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(server.node().metrics().scrape())
                    .contains("roomcast_http_requests_seconds_count{method=\"POST\",route=\"/v1/rooms/{room}/messages\",status=\"202\"} 1")
                    .contains("roomcast_http_requests_seconds_count{method=\"GET\",route=\"/v1/stats\",status=\"200\"} 1")
                    .doesNotContain("stats-room"));
        }
    }
}
