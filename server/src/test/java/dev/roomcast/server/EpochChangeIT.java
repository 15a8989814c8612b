package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomcast.protocol.SeedText;
import dev.roomcast.testing.JsonWs;
import dev.roomcast.testing.RedisServer;
import dev.roomcast.testing.TcpRelay;
import dev.roomcast.testing.TestServer;
import dev.roomcast.testing.WsClient;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A room's epoch changes under members that stay connected (#10): Redis loses the room's keys while
 * node B is cut off from it. When B is back, its JSON members are told with an unsolicited
 * {@code recovered:false} at the new epoch's offset 0 and then get the new epoch from offset 1, as its
 * text members do; nothing is skipped silently. Two nodes in one JVM on an own redis-server; node B
 * reaches it through a relay the test cuts.
 */
@Tag("redis")
@Timeout(60)
class EpochChangeIT {

    private static final AtomicInteger ROOMS = new AtomicInteger();

    private RedisServer redis;
    private TcpRelay relay;
    private TestServer nodeA;
    private TestServer nodeB;

    @BeforeEach
    void start() throws IOException {
        redis = RedisServer.start();
        relay = new TcpRelay("127.0.0.1", redis.port());
        nodeA = TestServer.start(settings -> TestServer.withoutRateLimit(settings).broker(redis.uri()));
        nodeB = TestServer.start(settings -> TestServer.withoutRateLimit(settings)
                .broker("redis://127.0.0.1:" + relay.port()));
    }

    @AfterEach
    void stop() throws IOException {
        for (TestServer node : new TestServer[] {nodeA, nodeB}) {
            if (node != null) {
                node.close();
            }
        }
        relay.close();
        redis.close();
    }

    @Test
    void membersThatStayedConnectedAreToldOfAFlushAndGetTheNewEpochFromItsStart() throws IOException {
        String room = "epoch-" + ROOMS.incrementAndGet();
        try (JsonWs publisher = JsonWs.connect(nodeA, "pub");
             JsonWs member = JsonWs.connect(nodeB, "sam");
             WsClient text = WsClient.connect(nodeB.ws("/ws/" + room))) {
            publisher.join(room);
            member.join(room);
            publisher.publishOk(room, "old1");
            assertThat(member.messagesUntil("old1")).containsExactly("old1");
            assertThat(text.next()).isEqualTo(SeedText.message(room, "old1"));

            relay.cut();
            await().until(() -> !nodeB.node().hub().brokerReady());
            publisher.publishOk(room, "old2");
            redis.redis().flushall();
            JsonNode first = publisher.publishOk(room, "new1");
            assertThat(first.path("offset").asLong()).isEqualTo(1);
            publisher.publishOk(room, "new2");
            relay.restore();
            await().until(() -> nodeB.node().hub().brokerReady());
            publisher.publishOk(room, "new3");

            JsonNode gap = noticeBeforeAnyMessage(member);
            assertThat(gap.path("recovered").asBoolean()).isFalse();
            assertThat(gap.path("epoch").asText()).isEqualTo(first.path("epoch").asText());
            assertThat(gap.path("offset").asLong()).isZero();
            assertThat(member.messagesUntil("new3")).containsExactly("new1", "new2", "new3");
            assertThat(text.next(3)).containsExactly(SeedText.message(room, "new1"), SeedText.message(room, "new2"),
                    SeedText.message(room, "new3"));
        }
    }

    @Test
    void membersThatStayedConnectedAreToldWhenRedisRestartsEmpty() {
        String room = "epoch-" + ROOMS.incrementAndGet();
        try (JsonWs publisher = JsonWs.connect(nodeA, "pub");
             JsonWs member = JsonWs.connect(nodeB, "sam")) {
            publisher.join(room);
            member.join(room);
            JsonNode old = publisher.publishOk(room, "old1");
            assertThat(member.messagesUntil("old1")).containsExactly("old1");

            redis.restartEmpty();
            await().atMost(Duration.ofSeconds(20)).alias("both nodes ready").until(() -> nodeA.node().hub().brokerReady()
                    && nodeB.node().hub().brokerReady());
            JsonNode first = publisher.publishOk(room, "new1");
            assertThat(first.path("epoch").asText()).isNotEqualTo(old.path("epoch").asText());

            JsonNode gap = noticeBeforeAnyMessage(member);
            assertThat(gap.path("recovered").asBoolean()).isFalse();
            assertThat(gap.path("epoch").asText()).isEqualTo(first.path("epoch").asText());
            assertThat(gap.path("offset").asLong()).isZero();
            assertThat(member.messagesUntil("new1")).containsExactly("new1");
        }
    }


    private static JsonNode noticeBeforeAnyMessage(JsonWs client) {
        while (true) {
            JsonNode frame = client.next();
            assertThat(frame.path("type").asText()).as("no message before the notice: %s", frame).isNotEqualTo("message");
            if ("recovered".equals(frame.path("type").asText())) {
                return frame;
            }
        }
    }

}
