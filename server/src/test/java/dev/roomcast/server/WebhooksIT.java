package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomcast.config.Namespace;
import dev.roomcast.config.Namespaces;
import dev.roomcast.config.RoomcastConfig;
import dev.roomcast.room.PresenceMode;
import dev.roomcast.testing.BackendStub;
import dev.roomcast.testing.JsonWs;
import dev.roomcast.testing.TestServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The lifecycle webhooks of one node against a real receiver started by the test: signed events for users
 * and rooms coming and going, nothing for a reload within the grace, one {@code user.offline} for a real
 * disconnect, retries with the same id until the receiver takes it, and a bounded queue whose drops are
 * counted.
 */
@Timeout(60)
class WebhooksIT {

    private static final String SECRET = "webhook-s3cret";
    private static final Duration GRACE = Duration.ofMillis(800);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final AtomicInteger PATHS = new AtomicInteger();
    private static BackendStub receiver;

    @BeforeAll
    static void start() {
        receiver = BackendStub.start();
    }

    @AfterAll
    static void stop() {
        receiver.close();
    }

    /** A node whose webhooks go to {@code path} of the receiver, with the grace of these tests. */
    private static TestServer node(String path, UnaryOperator<RoomcastConfig.Builder> more) {
        return TestServer.start(b -> more.apply(b.webhookUrl(receiver.url(path)).webhookSecret(SECRET).presenceGrace(GRACE)));
    }

    private static String path() {
        return "/events-" + PATHS.incrementAndGet();
    }

    private static List<BackendStub.Request> events(String path) {
        return receiver.requests().stream().filter(r -> r.path().equals(path)).toList();
    }

    private static List<String> types(String path, String subjectField, String subject) {
        return events(path).stream().filter(e -> subject.equals(e.body().path(subjectField).asText()))
                .map(e -> e.body().get("type").asText()).toList();
    }

    private static String signature(String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }

    private static String metrics(TestServer server) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(server.http("/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void aRealDisconnectSendsOneSignedUserOfflineAfterTheGraceAndRoomsComeAndGoToo() throws Exception {
        String path = path();
        receiver.on(path, body -> BackendStub.Answer.json("{}"));
        try (TestServer node = node(path, b -> b)) {
            Instant before = Instant.now();
            try (JsonWs ann = JsonWs.connect(node, "ann")) {
                ann.join("kitchen");
                await().atMost(Duration.ofSeconds(10)).until(() -> types(path, "room", "kitchen").contains("room.occupied"));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> types(path, "user", "ann").size() == 2);
            assertThat(types(path, "user", "ann")).containsExactly("user.online", "user.offline");
            await().atMost(Duration.ofSeconds(10)).until(() -> types(path, "room", "kitchen").size() == 2);
            assertThat(types(path, "room", "kitchen")).containsExactly("room.occupied", "room.vacated");
            for (BackendStub.Request event : events(path)) {
                assertThat(event.header("X-roomcast-signature")).isEqualTo(signature(event.raw()));
                assertThat(event.body().get("id").asText()).isNotBlank();
                assertThat(Instant.parse(event.body().get("time").asText())).isAfterOrEqualTo(before.minusSeconds(1));
            }
            assertThat(events(path)).extracting(e -> e.body().get("id").asText()).doesNotHaveDuplicates();
        }
    }

    @Test
    void aNamespaceWithWebhookMessagesSendsEachMessageOnceWithItsPositionAndOthersSendNone() throws Exception {
        String path = path();
        receiver.on(path, body -> BackendStub.Answer.json("{}"));
        Namespaces namespaces = new Namespaces(Map.of("chat", new Namespace(Namespace.Publish.MEMBERS, PresenceMode.OFF, false, null, null,
                Namespace.SlowConsumer.DISCONNECT, null, null, null, true)));
        try (TestServer node = node(path, b -> b.namespaces(namespaces).apiKey("key")); JsonWs ann = JsonWs.connect(node, "ann")) {
            ann.join("chat:1");
            JsonNode first = ann.publishOk("chat:1", "hello");
            ann.send("type", "publish", "ref", "data", "room", "chat:1", "event", "move", "data", JsonWs.obj("to", "e4", "n", 9007199254740993L));
            JsonNode answer;
            do {
                answer = ann.next();
            } while (!"data".equals(answer.path("ref").asText()));
            assertThat(answer.path("type").asText()).as(answer.toString()).isEqualTo("ok");
            String apiBody = "{\"text\":\"from the api\"}";
            for (String room : List.of("lobby", "chat:1", "chat:1")) {
                HttpResponse<String> api = HTTP.send(HttpRequest.newBuilder(node.http("/v1/rooms/" + room + "/messages"))
                        .POST(HttpRequest.BodyPublishers.ofString(apiBody)).header("Content-Type", "application/json").header("Authorization", "Bearer key").header("Idempotency-Key", "k1").build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(api.statusCode()).as(api.body()).isEqualTo(202);
            }

            await().atMost(Duration.ofSeconds(10)).until(() -> published(path).size() == 4);
            List<JsonNode> published = published(path);
            assertThat(published).extracting(e -> e.path("room").asText()).containsOnly("chat:1");
            JsonNode hello = published.get(0);
            assertThat(hello.path("user").asText()).isEqualTo("ann");
            assertThat(hello.path("text").asText()).isEqualTo("hello");
            assertThat(hello.path("position").path("epoch").asText()).isEqualTo(first.path("epoch").asText());
            assertThat(hello.path("position").path("offset").asLong()).isEqualTo(first.path("offset").asLong());
            assertThat(Instant.parse(hello.path("time").asText())).isNotNull();
            JsonNode move = published.get(1);
            assertThat(move.path("event").asText()).isEqualTo("move");
            assertThat(move.path("data").path("n").bigIntegerValue()).hasToString("9007199254740993");
            assertThat(move.has("text")).isFalse();
            // The API's publish repeated with its Idempotency-Key is one message: both events carry its id.
            assertThat(published.get(2).path("text").asText()).isEqualTo("from the api");
            assertThat(published.get(2).path("id")).isEqualTo(published.get(3).path("id"));
            assertThat(published.get(2).path("position")).isEqualTo(published.get(3).path("position"));
            assertThat(published.subList(0, 3)).extracting(e -> e.path("id").asText()).doesNotHaveDuplicates();
        }
    }

    private static List<JsonNode> published(String path) {
        return events(path).stream().map(BackendStub.Request::body)
                .filter(e -> e.path("type").asText().equals("message.published")).toList();
    }

    @Test
    void aReloadWithinTheGraceSendsNothing() {
        String path = path();
        receiver.on(path, body -> BackendStub.Answer.json("{}"));
        try (TestServer node = node(path, b -> b); JsonWs first = JsonWs.connect(node, "bob")) {
            first.join("den");
            await().atMost(Duration.ofSeconds(10)).until(() -> types(path, "room", "den").size() == 1);
            first.close();
            try (JsonWs reloaded = JsonWs.connect(node, "bob")) {
                reloaded.join("den");
                await().during(GRACE.multipliedBy(2)).atMost(GRACE.multipliedBy(4))
                        .until(() -> types(path, "user", "bob").equals(List.of("user.online"))
                                && types(path, "room", "den").equals(List.of("room.occupied")));
            }
        }
    }

    @Test
    void anEventTheReceiverFailsThreeTimesIsRetriedWithTheSameIdUntilItIsTaken() throws Exception {
        String path = path();
        AtomicInteger calls = new AtomicInteger();
        receiver.on(path, body -> calls.incrementAndGet() <= 3 ? new BackendStub.Answer(500, "down") : BackendStub.Answer.json("{}"));
        try (TestServer node = node(path, b -> b); JsonWs carol = JsonWs.connect(node, "carol")) {
            await().atMost(Duration.ofSeconds(20)).until(() -> events(path).size() == 4);
            assertThat(events(path)).extracting(e -> e.body().get("id").asText()).containsOnly(events(path).get(0).body().get("id").asText());
            assertThat(types(path, "user", "carol")).containsOnly("user.online");
            await().atMost(Duration.ofSeconds(5)).until(() -> metrics(node).contains("roomcast_webhook_events_total{outcome=\"delivered\"} 1.0"));
            assertThat(metrics(node)).contains("roomcast_webhook_events_total{outcome=\"retried\"} 3.0");
        }
    }

    @Test
    void aReceiverDownLongerThanTheQueueHoldsGetsDropsCounted() throws Exception {
        String path = path();
        receiver.on(path, body -> new BackendStub.Answer(503, "down"));
        try (TestServer node = node(path, b -> b.webhookQueueSize(2))) {
            for (int i = 0; i < 5; i++) {
                try (JsonWs user = JsonWs.connect(node, "queued-" + i)) {
                    assertThat(user.user()).isEqualTo("queued-" + i);
                }
            }
            // One event is being retried, two wait in the queue; the other two user.online are dropped (the
            // user.offline ones come after the grace and are dropped too).
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    metrics(node).contains("roomcast_webhook_events_total{outcome=\"dropped_queue_full\"} 7.0"));
            assertThat(events(path)).extracting(e -> e.body().get("user").asText()).containsOnly("queued-0");
        }
    }
}
