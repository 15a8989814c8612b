package dev.roomcast.server;

import static dev.roomcast.testing.JsonWs.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomcast.testing.JsonWs;
import dev.roomcast.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** History replay and exact recovery across a reconnect, over real sockets. */
@Timeout(90)
class RecoveryIT {

    private static final AtomicInteger ROOMS = new AtomicInteger();
    private static final int HISTORY = 1000;
    private static TestServer server;

    @BeforeAll
    static void start() {
        // Publishers here send hundreds of messages at once, far past the per-connection rate limit.
        server = TestServer.start(b -> TestServer.withoutRateLimit(b.historySize(HISTORY)));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String uniqueRoom() {
        return "recovery-" + ROOMS.incrementAndGet();
    }

    /** A publisher that joined the room (and read its own joined event). */
    private static JsonWs publisher(TestServer on, String room) {
        JsonWs publisher = JsonWs.connect(on, "publisher");
        publisher.join(room);
        publisher.next();
        return publisher;
    }

    /** Publishes {@code count} messages and waits for their oks, so they are all in history. */
    private static void publish(JsonWs publisher, String room, String prefix, int count) {
        for (int i = 1; i <= count; i++) {
            publisher.send("type", "publish", "room", room, "text", prefix + i, "ref", prefix + i);
        }
        int oks = 0;
        while (oks < count) {
            if (publisher.next().path("type").asText().equals("ok")) {
                oks++;
            }
        }
    }

    /** Reads frames until {@code count} message frames have arrived; returns them, skipping presence frames. */
    private static List<JsonNode> messages(JsonWs client, int count) {
        List<JsonNode> messages = new ArrayList<>();
        while (messages.size() < count) {
            JsonNode frame = client.next();
            if (frame.path("type").asText().equals("message")) {
                messages.add(frame);
            } else {
                assertThat(frame.path("type").asText()).as("%s", frame).isIn("joined", "left");
            }
        }
        return messages;
    }

    private static List<Long> offsets(List<JsonNode> messages) {
        return messages.stream().map(m -> m.get("offset").asLong()).toList();
    }

    @Test
    void rejoinWithSinceGetsExactlyTheMissedMessagesInOrderThenLiveOnes() throws Exception {
        String room = uniqueRoom();
        try (JsonWs publisher = publisher(server, room)) {
            JsonWs reader = JsonWs.connect(server, "reader");
            reader.join(room);
            publish(publisher, room, "seen", 5);
            List<JsonNode> seen = messages(reader, 5);
            JsonNode last = seen.get(4);
            reader.close();

            publish(publisher, room, "missed", 100);
            // Live messages keep coming while the reader rejoins: none may be lost or repeated at the seam.
            Thread live = new Thread(() -> publish(publisher, room, "live", 200));
            try (JsonWs back = JsonWs.connect(server, "reader")) {
                live.start();
                back.send("type", "join", "room", room, "ref", "rejoin",
                        "since", obj("epoch", last.get("epoch").asText(), "offset", last.get("offset").asLong()));
                JsonNode ok = back.next();
                assertThat(ok.path("type").asText()).as("%s", ok).isEqualTo("ok");
                assertThat(ok.get("ref").asText()).isEqualTo("rejoin");
                JsonNode recovered = back.next();
                assertThat(recovered.path("type").asText()).isEqualTo("recovered");
                assertThat(recovered.get("room").asText()).isEqualTo(room);
                assertThat(recovered.get("recovered").asBoolean()).isTrue();
                long missed = recovered.get("missed").asLong();
                assertThat(missed).isGreaterThanOrEqualTo(100).isEqualTo(ok.get("offset").asLong() - 5);

                List<JsonNode> replayed = new ArrayList<>();
                for (int i = 0; i < missed; i++) {
                    replayed.add(back.next());
                }
                assertThat(replayed.subList(0, 100)).extracting(m -> m.get("text").asText())
                        .containsExactlyElementsOf(LongStream.rangeClosed(1, 100).mapToObj(i -> "missed" + i).toList());
                live.join();
                List<JsonNode> all = new ArrayList<>(replayed);
                all.addAll(messages(back, (int) (305 - 5 - missed)));
                assertThat(offsets(all)).containsExactlyElementsOf(LongStream.rangeClosed(6, 305).boxed().toList());
                assertThat(all).allSatisfy(m -> assertThat(m.get("epoch")).isEqualTo(last.get("epoch")));
                JsonNode after = back.poll(Duration.ofMillis(300));
                if (after != null && after.path("type").asText().equals("joined")) {
                    // The reader's own presence: when the server saw the old connection go before this one joined
                    // and every live message was published before the join, it comes after the last message.
                    assertThat(after.get("user").asText()).isEqualTo("reader");
                    after = back.poll(Duration.ofMillis(300));
                }
                assertThat(after).as("nothing after the last message").isNull();
            }
        }
    }

    @Test
    void historyTrimmedBelowTheClientsPositionAnswersRecoveredFalse() {
        try (TestServer small = TestServer.start(b -> TestServer.withoutRateLimit(b.historySize(10)))) {
            String room = uniqueRoom();
            try (JsonWs publisher = publisher(small, room)) {
                JsonNode position;
                try (JsonWs reader = JsonWs.connect(small, "reader")) {
                    position = reader.join(room);
                }
                publish(publisher, room, "m", 20);
                try (JsonWs back = JsonWs.connect(small, "reader")) {
                    back.send("type", "join", "room", room, "ref", "r",
                            "since", obj("epoch", position.get("epoch").asText(), "offset", position.get("offset").asLong()));
                    assertThat(back.next().path("type").asText()).isEqualTo("ok");
                    JsonNode recovered = back.next();
                    assertThat(recovered.get("recovered").asBoolean()).isFalse();
                    assertThat(recovered.get("missed").asLong()).isEqualTo(20);
                    assertThat(recovered.get("offset").asLong()).isEqualTo(20);
                    assertThat(back.next().path("type").asText()).as("nothing replayed").isEqualTo("joined");
                    publish(publisher, room, "next", 1);
                    assertThat(messages(back, 1).get(0).get("offset").asLong()).isEqualTo(21);
                }
            }
        }
    }

    @Test
    void anUnknownEpochAnswersRecoveredFalse() {
        String room = uniqueRoom();
        try (JsonWs publisher = publisher(server, room); JsonWs client = JsonWs.connect(server, "reader")) {
            publish(publisher, room, "m", 3);
            client.send("type", "join", "room", room, "ref", "r", "since", obj("epoch", "before-restart", "offset", 3));
            assertThat(client.next().path("type").asText()).isEqualTo("ok");
            JsonNode recovered = client.next();
            assertThat(recovered.get("recovered").asBoolean()).isFalse();
            assertThat(recovered.get("missed").asLong()).isEqualTo(3);
            assertThat(client.next().path("type").asText()).isEqualTo("joined");
        }
    }

    @Test
    void joinWithHistoryReplaysTheNewestMessagesBeforeLiveOnes() {
        String room = uniqueRoom();
        try (JsonWs publisher = publisher(server, room); JsonWs client = JsonWs.connect(server, "reader")) {
            publish(publisher, room, "m", 5);
            JsonNode ok = client.ok("h", "type", "join", "room", room, "history", 3);
            assertThat(ok.get("offset").asLong()).isEqualTo(5);
            assertThat(client.next(3)).extracting(m -> m.get("text").asText()).containsExactly("m3", "m4", "m5");
            assertThat(client.next().path("type").asText()).isEqualTo("joined");
            publish(publisher, room, "live", 1);
            assertThat(messages(client, 1).get(0).get("offset").asLong()).isEqualTo(6);
        }
    }
}
