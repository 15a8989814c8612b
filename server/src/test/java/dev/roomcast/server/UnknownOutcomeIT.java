package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomcast.testing.JsonWs;
import dev.roomcast.testing.RedisServer;
import dev.roomcast.testing.TestServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A publish that Redis did not confirm within the command timeout (5 s) because Redis stalled
 * (SIGSTOP) is answered {@code unknown_outcome}, not {@code internal}: once Redis resumes the script
 * runs and the message is delivered after all (#10). A publish Redis never received (it is down) is
 * {@code internal}. On an own redis-server.
 */
@Tag("redis")
@Timeout(60)
class UnknownOutcomeIT {

    @Test
    void aPublishUnconfirmedBecauseRedisStalledIsAnsweredUnknownOutcomeAndMayStillBeDelivered() {
        try (RedisServer redis = RedisServer.start();
             TestServer node = TestServer.start(settings -> settings.broker(redis.uri()));
             JsonWs member = JsonWs.connect(node, "sam")) {
            member.join("lobby");
            redis.stall();
            JsonNode answer;
            try {
                answer = member.publish("lobby", "during the stall");
            } finally {
                redis.resume();
            }
            assertThat(answer.path("type").asText()).isEqualTo("error");
            assertThat(answer.path("code").asText()).isEqualTo("unknown_outcome");
            assertThat(member.nextOfType("message").path("text").asText()).isEqualTo("during the stall");

            redis.kill();
            await().until(() -> !node.node().hub().brokerReady());
            assertThat(member.publish("lobby", "while down").path("code").asText()).isEqualTo("internal");
        }
    }


}
