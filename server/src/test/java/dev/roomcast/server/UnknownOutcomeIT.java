package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomcast.testing.JsonWs;
import dev.roomcast.testing.RedisServer;
import dev.roomcast.testing.TestServer;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A publish that Redis did not confirm within the command timeout (5 s) because Redis stalled
 * (SIGSTOP) is answered {@code unknown_outcome}, not {@code internal}: once Redis resumes the script
 * runs and the message is delivered after all (#10). A publish Redis never received (it is down) is
 * {@code internal}. The HTTP API answers the same case 504 {@code unknown_outcome}, and a retry with the
 * same {@code Idempotency-Key} is answered with the first publish's position without delivering it
 * again. On an own redis-server.
 */
@Tag("redis")
@Timeout(60)
class UnknownOutcomeIT {

    private static final String API_KEY = "unknown-outcome-key";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

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

    @Test
    void anHttpPublishUnconfirmedBecauseRedisStalledIsAnswered504AndItsRetryWithTheSameKeyIsNotDeliveredTwice()
            throws Exception {
        try (RedisServer redis = RedisServer.start();
             TestServer node = TestServer.start(settings -> settings.broker(redis.uri()).apiKey(API_KEY));
             JsonWs member = JsonWs.connect(node, "sam")) {
            member.join("alerts");
            // Stalled before the request is sent, so the publish script is certainly waiting in Redis
            // while the request is in flight: the answer can only come from the command timeout.
            redis.stall();
            HttpResponse<String> unconfirmed;
            try {
                unconfirmed = postWithKey(node, "deploy finished", "deploy-42");
            } finally {
                redis.resume();
            }
            assertThat(unconfirmed.statusCode()).isEqualTo(504);
            assertThat(unconfirmed.headers().firstValue("content-type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/json"));
            JsonNode body = JsonWs.JSON.readTree(unconfirmed.body());
            assertThat(body.path("error").asText()).isEqualTo("unknown_outcome");
            assertThat(body.path("message").asText()).isEqualTo("the broker did not confirm the publish in time: it "
                    + "may or may not have been published; retry with the same Idempotency-Key so it is delivered at most once");

            // Resumed, Redis runs the stalled script: the message was published after all.
            JsonNode delivered = member.nextOfType("message");
            assertThat(delivered.path("text").asText()).isEqualTo("deploy finished");

            HttpResponse<String> retry = postWithKey(node, "deploy finished", "deploy-42");
            assertThat(retry.statusCode()).isEqualTo(202);
            JsonNode position = JsonWs.JSON.readTree(retry.body());
            assertThat(position.path("epoch").asText()).isEqualTo(delivered.path("epoch").asText());
            assertThat(position.path("offset").asLong()).isEqualTo(delivered.path("offset").asLong());

            // The retry was not delivered again: the next message the member sees is the one after it.
            assertThat(postWithKey(node, "all clear", "deploy-43").statusCode()).isEqualTo(202);
            JsonNode next = member.nextOfType("message");
            assertThat(next.path("text").asText()).isEqualTo("all clear");
            assertThat(next.path("offset").asLong()).isEqualTo(delivered.path("offset").asLong() + 1);
        }
    }

    @Test
    void anHttpRequestWhoseAnswerTakesLongerThanTheHandshakeTimeoutIsStillAnswered() throws Exception {
        try (RedisServer redis = RedisServer.start();
             TestServer node = TestServer.start(settings -> settings.broker(redis.uri()).apiKey(API_KEY)
                     .handshakeTimeout(Duration.ofSeconds(1)))) {
            // The slowloris guard times the client, not the server: the 5 s the publish waits for the stalled
            // Redis are five times the connection's deadline, and the answer must still reach the client.
            redis.stall();
            HttpResponse<String> unconfirmed;
            try {
                unconfirmed = postWithKey(node, "slow to confirm", "slow-1");
            } finally {
                redis.resume();
            }
            assertThat(unconfirmed.statusCode()).isEqualTo(504);
        }
    }

    private static HttpResponse<String> postWithKey(TestServer node, String text, String idempotencyKey)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(node.http("/v1/rooms/alerts/messages"))
                .POST(HttpRequest.BodyPublishers.ofString(JsonWs.obj("text", text).toString()))
                .header("Authorization", "Bearer " + API_KEY)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", idempotencyKey)
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
