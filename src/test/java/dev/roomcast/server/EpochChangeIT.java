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
import java.util.ArrayList;
import java.util.List;
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
            publish(publisher, room, "old1");
            assertThat(messagesUntil(member, "old1")).containsExactly("old1");
            assertThat(text.next()).isEqualTo(SeedText.message(room, "old1"));

            relay.cut();
            await().until(() -> !nodeB.node().hub().brokerReady());
            publish(publisher, room, "old2");
            redis.redis().flushall();
            JsonNode first = publish(publisher, room, "new1");
            assertThat(first.path("offset").asLong()).isEqualTo(1);
            publish(publisher, room, "new2");
            relay.restore();
            await().until(() -> nodeB.node().hub().brokerReady());
            publish(publisher, room, "new3");

            JsonNode gap = nextOfType(member, "recovered");
            assertThat(gap.path("recovered").asBoolean()).isFalse();
            assertThat(gap.path("epoch").asText()).isEqualTo(first.path("epoch").asText());
            assertThat(gap.path("offset").asLong()).isZero();
            assertThat(messagesUntil(member, "new3")).containsExactly("new1", "new2", "new3");
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
            JsonNode old = publish(publisher, room, "old1");
            assertThat(messagesUntil(member, "old1")).containsExactly("old1");

            redis.restartEmpty();
            await().atMost(Duration.ofSeconds(20)).alias("both nodes ready").until(() -> nodeA.node().hub().brokerReady()
                    && nodeB.node().hub().brokerReady());
            JsonNode first = publish(publisher, room, "new1");
            assertThat(first.path("epoch").asText()).isNotEqualTo(old.path("epoch").asText());

            JsonNode gap = nextOfType(member, "recovered");
            assertThat(gap.path("recovered").asBoolean()).isFalse();
            assertThat(gap.path("epoch").asText()).isEqualTo(first.path("epoch").asText());
            assertThat(gap.path("offset").asLong()).isZero();
            assertThat(messagesUntil(member, "new1")).containsExactly("new1");
        }
    }

    /** Publishes and returns the {@code ok}; the publisher's own copy, before or after it, is skipped. */
    private static JsonNode publish(JsonWs publisher, String room, String text) {
        publisher.send("type", "publish", "ref", text, "room", room, "text", text);
        while (true) {
            JsonNode frame = publisher.next();
            if (text.equals(frame.path("ref").asText())) {
                assertThat(frame.path("type").asText()).as("answer to %s: %s", text, frame).isEqualTo("ok");
                return frame;
            }
        }
    }

    private static JsonNode nextOfType(JsonWs client, String type) {
        while (true) {
            JsonNode frame = client.next();
            assertThat(frame.path("type").asText()).as("no message before the %s frame: %s", type, frame)
                    .isNotEqualTo("message");
            if (type.equals(frame.path("type").asText())) {
                return frame;
            }
        }
    }

    /** The texts of the message frames the client receives up to and including {@code last}. */
    private static List<String> messagesUntil(JsonWs client, String last) {
        List<String> texts = new ArrayList<>();
        while (texts.isEmpty() || !texts.get(texts.size() - 1).equals(last)) {
            JsonNode frame = client.next();
            if ("message".equals(frame.path("type").asText())) {
                texts.add(frame.path("text").asText());
            }
        }
        return texts;
    }
}
