package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomcast.testing.JsonWs;
import dev.roomcast.testing.RedisServer;
import dev.roomcast.testing.TcpRelay;
import dev.roomcast.testing.TestServer;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The seam between a recovering join's replay and the live messages after it, with the Redis broker,
 * where the history answer and the pub/sub copy of a message come on two connections (#10). Node B
 * reaches its own redis-server through a relay that holds one of its connections at a time: the
 * pub/sub copy arrives after the history answer, or the history read runs after the copy arrived.
 * Either way each message reaches the recovering member exactly once.
 */
@Tag("redis")
@Timeout(60)
class RecoverySeamIT {

    /** The Redis backend (RedisLink) opens its command connection first, then its pub/sub one. */
    private static final int COMMANDS = 0;
    private static final int PUB_SUB = 1;
    private static final AtomicInteger ROOMS = new AtomicInteger();

    private static RedisServer redis;
    private static TcpRelay relay;
    private static TestServer nodeA;
    private static TestServer nodeB;

    @BeforeAll
    static void start() throws IOException {
        redis = RedisServer.start();
        relay = new TcpRelay("127.0.0.1", redis.port());
        nodeA = TestServer.start(settings -> TestServer.withoutRateLimit(settings).broker(redis.uri()));
        nodeB = TestServer.start(settings -> TestServer.withoutRateLimit(settings)
                .broker("redis://127.0.0.1:" + relay.port()));
        assertThat(relay.accepted()).as("node B's command and pub/sub connections").isEqualTo(2);
    }

    @AfterAll
    static void stop() throws IOException {
        for (TestServer node : new TestServer[] {nodeA, nodeB}) {
            if (node != null) {
                node.close();
            }
        }
        if (relay != null) {
            relay.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void aPubSubCopyArrivingAfterTheReplayIsNotDeliveredAgain() {
        String room = "seam-" + ROOMS.incrementAndGet();
        try (JsonWs publisher = JsonWs.connect(nodeA, "pub");
             JsonWs bystander = JsonWs.connect(nodeB, "by");
             JsonWs member = JsonWs.connect(nodeB, "sam")) {
            publisher.join(room);
            bystander.join(room);
            JsonNode seen = publisher.publishOk(room, "m1");
            bystander.messagesUntil("m1");

            relay.hold(PUB_SUB);
            try {
                publisher.publishOk(room, "m2");
                member.send("type", "join", "ref", "j", "room", room, "since", since(seen));
                assertThat(member.next().path("type").asText()).isEqualTo("ok");
                JsonNode recovered = member.next();
                assertThat(recovered.path("recovered").asBoolean()).isTrue();
                assertThat(recovered.path("missed").asLong()).isEqualTo(1);
                assertThat(member.next().path("text").asText()).isEqualTo("m2");
            } finally {
                relay.release(PUB_SUB);
            }
            bystander.messagesUntil("m2");
            publisher.publishOk(room, "m3");

            assertThat(member.messagesUntil("m3")).containsExactly("m3");
        }
    }

    @Test
    void aPubSubCopyArrivingBeforeTheHistoryAnswerIsNotDeliveredAgain() {
        String room = "seam-" + ROOMS.incrementAndGet();
        try (JsonWs publisher = JsonWs.connect(nodeA, "pub");
             JsonWs bystander = JsonWs.connect(nodeB, "by");
             JsonWs member = JsonWs.connect(nodeB, "sam")) {
            publisher.join(room);
            bystander.join(room);
            JsonNode seen = publisher.publishOk(room, "m1");
            bystander.messagesUntil("m1");

            relay.hold(COMMANDS);
            try {
                member.send("type", "join", "ref", "j", "room", room, "since", since(seen));
                publisher.publishOk(room, "m2");
                // The copy reached node B, where the member's join still waits for its history read.
                bystander.messagesUntil("m2");
            } finally {
                relay.release(COMMANDS);
            }
            assertThat(member.next().path("type").asText()).isEqualTo("ok");
            JsonNode recovered = member.next();
            assertThat(recovered.path("recovered").asBoolean()).isTrue();
            assertThat(recovered.path("missed").asLong()).isEqualTo(1);
            publisher.publishOk(room, "m3");

            assertThat(member.messagesUntil("m3")).containsExactly("m2", "m3");
        }
    }


    private static Object since(JsonNode position) {
        return JsonWs.obj("epoch", position.get("epoch").asText(), "offset", position.get("offset").asLong());
    }


}
