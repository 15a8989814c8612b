package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomcast.testing.JsonWs;
import dev.roomcast.testing.RedisServer;
import dev.roomcast.testing.TestServer;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Deployments that share one Redis are apart (#10): by database ({@code /0} and {@code /3}, same
 * prefix) and by prefix (same database). A node of each, and one more node of the first deployment as
 * a control, all in a room of the same name on an own redis-server: a message published in the first
 * deployment reaches the control and nobody else; each other deployment's room starts at offset 1.
 */
@Tag("redis")
@Timeout(60)
class SharedRedisIT {

    @Test
    void deploymentsOnOtherDatabasesOrPrefixesOfOneRedisNeverHearEachOther() {
        String room = "lobby";
        try (RedisServer redis = RedisServer.start();
             TestServer first = node(redis.uri() + "/0", "app:");
             TestServer control = node(redis.uri() + "/0", "app:");
             TestServer otherDatabase = node(redis.uri() + "/3", "app:");
             TestServer otherPrefix = node(redis.uri() + "/0", "other:");
             JsonWs publisher = JsonWs.connect(first, "pub");
             JsonWs inControl = JsonWs.connect(control, "ctl");
             JsonWs inOtherDatabase = JsonWs.connect(otherDatabase, "db3");
             JsonWs inOtherPrefix = JsonWs.connect(otherPrefix, "pfx")) {
            for (JsonWs member : List.of(publisher, inControl, inOtherDatabase, inOtherPrefix)) {
                member.join(room);
            }
            publisher.publishOk(room, "first deployment");
            assertThat(inControl.nextOfType("message").path("text").asText()).isEqualTo("first deployment");

            for (JsonWs member : List.of(inOtherDatabase, inOtherPrefix)) {
                JsonNode own = firstMessageAroundOwnPublish(member, room, "own");
                assertThat(own.path("text").asText()).as("nothing of the first deployment came first").isEqualTo("own");
                assertThat(own.path("offset").asLong()).isEqualTo(1);
            }
            assertThat(presenceOf(inOtherDatabase, room)).containsExactly("db3");
            assertThat(presenceOf(inOtherPrefix, room)).containsExactly("pfx");
        }
    }

    private static TestServer node(String uri, String prefix) {
        UnaryOperator<dev.roomcast.config.RoomcastConfig.Builder> settings =
                b -> TestServer.withoutRateLimit(b).broker(uri).redisPrefix(prefix);
        return TestServer.start(settings);
    }



    /**
     * Publishes and returns the first {@code message} frame that arrives, whether before or after the
     * {@code ok}: with Redis the two come on different connections, in either order.
     */
    private static JsonNode firstMessageAroundOwnPublish(JsonWs client, String room, String text) {
        client.send("type", "publish", "ref", text, "room", room, "text", text);
        JsonNode first = null;
        boolean answered = false;
        while (first == null || !answered) {
            JsonNode frame = client.next();
            if (frame.path("ref").asText().equals(text)) {
                assertThat(frame.path("type").asText()).as("answer to %s: %s", text, frame).isEqualTo("ok");
                answered = true;
            } else if (first == null && "message".equals(frame.path("type").asText())) {
                first = frame;
            }
        }
        return first;
    }

    private static List<String> presenceOf(JsonWs client, String room) {
        client.send("type", "presence", "ref", "who", "room", room);
        while (true) {
            JsonNode frame = client.next();
            if ("presence".equals(frame.path("type").asText())) {
                return frame.path("users").findValuesAsText("user");
            }
        }
    }
}
