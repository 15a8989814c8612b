package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomcast.testing.JsonWs;
import dev.roomcast.testing.RedisTestSupport;
import dev.roomcast.testing.TcpRelay;
import dev.roomcast.testing.TestServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node whose Redis goes away at runtime and comes back (through a relay the test cuts): readiness
 * follows Redis, a publish during the outage is an error for the publisher only, and afterwards the
 * node publishes and delivers again without anyone rejoining.
 */
@Tag("redis")
@Timeout(90)
class RedisOutageIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static int readyz(TestServer node) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(node.http("/readyz")).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode();
    }

    private static JsonNode answerTo(JsonWs client, String ref) {
        while (true) {
            JsonNode frame = client.next();
            if (frame.path("ref").asText().equals(ref)) {
                return frame;
            }
            assertThat(frame.path("type").asText()).as("%s", frame).isIn("message", "joined", "left");
        }
    }

    @Test
    void readinessFollowsRedisAndPublishingResumesAfterAnOutage() throws Exception {
        try (RedisTestSupport redis = RedisTestSupport.require();
             TcpRelay relay = new TcpRelay(RedisTestSupport.HOST, RedisTestSupport.PORT);
             TestServer node = TestServer.start(settings -> settings
                     .broker("redis://127.0.0.1:" + relay.port()).redisPrefix(redis.prefix()));
             JsonWs client = JsonWs.connect(node, "ann")) {
            String room = "outage-" + ProcessHandle.current().pid();
            client.join(room);
            assertThat(readyz(node)).isEqualTo(200);

            relay.cut();
            await().atMost(Duration.ofSeconds(10)).until(() -> readyz(node) == 503);
            client.send("type", "publish", "room", room, "text", "during", "ref", "during");
            JsonNode refused = answerTo(client, "during");
            assertThat(refused.path("type").asText()).as("%s", refused).isEqualTo("error");
            assertThat(refused.path("code").asText()).isEqualTo("internal");

            relay.restore();
            await().atMost(Duration.ofSeconds(40)).until(() -> readyz(node) == 200);
            client.send("type", "publish", "room", room, "text", "after", "ref", "after");
            JsonNode ok = null;
            JsonNode delivered = null;
            while (ok == null || delivered == null) {
                JsonNode frame = client.next();
                switch (frame.path("type").asText()) {
                    case "ok" -> ok = frame;
                    case "message" -> delivered = frame;
                    default -> assertThat(frame.path("type").asText()).as("%s", frame).isIn("joined", "left");
                }
            }
            assertThat(ok.get("ref").asText()).isEqualTo("after");
            assertThat(delivered.get("text").asText()).as("the subscription survived the outage").isEqualTo("after");
            assertThat(delivered.get("offset")).isEqualTo(ok.get("offset"));
        }
    }
}
