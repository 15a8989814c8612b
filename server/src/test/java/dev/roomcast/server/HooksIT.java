package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomcast.config.Namespace;
import dev.roomcast.config.Namespaces;
import dev.roomcast.room.PresenceMode;
import dev.roomcast.testing.BackendStub;
import dev.roomcast.testing.JsonWs;
import dev.roomcast.testing.TestServer;
import dev.roomcast.testing.WsClient;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The application backend's hooks against a real HTTP backend started by the test: the connect hook lets a
 * cookie in as the user it names and refuses others with its status before the upgrade; a slow or absent
 * backend fails closed (503); the join hook refuses with the backend's code; the publish hook rewrites and
 * vetoes; a publish hook that is down answers {@code unavailable}; and the metrics count every outcome.
 */
@Timeout(60)
class HooksIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final CountDownLatch NEVER_BEFORE_THE_END = new CountDownLatch(1);
    private static BackendStub backend;
    private static TestServer hooked;
    private static TestServer slow;
    private static TestServer down;

    @BeforeAll
    static void start() throws Exception {
        backend = BackendStub.start()
                .on("/connect", call -> {
                    String cookie = call.path("headers").path("cookie").asText();
                    return cookie.equals("session=ann-s3cret")
                            ? BackendStub.Answer.json("{\"allow\":true,\"user\":\"ann\",\"name\":\"Ann A.\",\"rooms\":[\"vip:*\",\"mod:*\"]}")
                            : BackendStub.Answer.json("{\"allow\":false,\"status\":401,\"reason\":\"log in first\"}");
                })
                .on("/slow", call -> {
                    try {
                        NEVER_BEFORE_THE_END.await(20, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return BackendStub.Answer.json("{\"allow\":true,\"user\":\"late\"}");
                })
                .on("/join", call -> call.path("room").asText().endsWith(":members")
                        ? BackendStub.Answer.json("{\"allow\":true}")
                        : BackendStub.Answer.json("{\"allow\":false,\"code\":\"not_a_member\",\"message\":\"members only\"}"))
                .on("/publish", call -> {
                    String text = call.path("text").asText();
                    if (text.contains("spam")) {
                        return BackendStub.Answer.json("{\"allow\":false,\"code\":\"spam\",\"message\":\"no ads here\"}");
                    }
                    return text.contains("darn")
                            ? BackendStub.Answer.json("{\"allow\":true,\"text\":\"" + text.replace("darn", "****") + "\"}")
                            : BackendStub.Answer.json("{\"allow\":true}");
                });
        String closedPort = "http://127.0.0.1:" + freePort() + "/gone";
        Namespaces namespaces = new Namespaces(Map.of(
                "vip", new Namespace(Namespace.Publish.MEMBERS, PresenceMode.FULL, false, null, null, Namespace.SlowConsumer.DISCONNECT, null, backend.url("/join"), null),
                "mod", new Namespace(Namespace.Publish.MEMBERS, PresenceMode.FULL, false, null, null, Namespace.SlowConsumer.DISCONNECT, null, null, backend.url("/publish")),
                "broken", new Namespace(Namespace.Publish.MEMBERS, PresenceMode.FULL, false, null, null, Namespace.SlowConsumer.DISCONNECT, null, null, closedPort)));
        hooked = TestServer.start(b -> TestServer.withoutRateLimit(b).hookConnect(backend.url("/connect"))
                .hookHeaders(java.util.List.of("X-Tenant")).namespaces(namespaces));
        slow = TestServer.start(b -> b.hookConnect(backend.url("/slow")).hookTimeout(Duration.ofMillis(300)));
        down = TestServer.start(b -> b.hookConnect(closedPort).namespaces(namespaces));
    }

    @AfterAll
    static void stop() {
        NEVER_BEFORE_THE_END.countDown();
        for (AutoCloseable closeable : new AutoCloseable[] {hooked, slow, down, backend}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static JsonWs ann() {
        return JsonWs.over(WsClient.connect(hooked.ws("/v1/ws?lang=en"),
                Map.of("Cookie", "session=ann-s3cret", "X-Tenant", "acme", "X-Other", "hidden")));
    }

    /** The HTTP status and body a refused upgrade was answered with. */
    private static HttpResponse<String> refusal(TestServer server, Map<String, String> headers) {
        return refusal(server, "/v1/ws", headers);
    }

    private static HttpResponse<String> refusal(TestServer server, String path, Map<String, String> headers) {
        Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() -> WsClient.connect(server.ws(path), headers));
        while (failure instanceof CompletionException && failure.getCause() != null) {
            failure = failure.getCause();
        }
        assertThat(failure).isInstanceOf(WebSocketHandshakeException.class);
        @SuppressWarnings("unchecked")
        HttpResponse<String> response = (HttpResponse<String>) ((WebSocketHandshakeException) failure).getResponse();
        return response;
    }

    private static String metrics(TestServer server) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(server.http("/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void theConnectHookLetsACookieInAsTheUserItNamesAndSeesWhatItMayOnly() {
        try (JsonWs client = ann()) {
            assertThat(client.welcome().get("user").asText()).isEqualTo("ann");
            assertThat(client.welcome().get("name").asText()).isEqualTo("Ann A.");
        }
        BackendStub.Request call = backend.requests().stream().filter(r -> r.path().equals("/connect"))
                .filter(r -> r.body().path("headers").has("cookie")).findFirst().orElseThrow();
        assertThat(call.body().get("hook").asText()).isEqualTo("connect");
        assertThat(call.body().get("address").asText()).isEqualTo("127.0.0.1");
        assertThat(call.body().get("path").asText()).isEqualTo("/v1/ws");
        assertThat(call.body().get("query").asText()).isEqualTo("lang=en");
        assertThat(call.body().get("headers").get("x-tenant").asText()).isEqualTo("acme");
        assertThat(call.body().get("headers").has("x-other")).as("a header not in --hook-headers").isFalse();
    }

    @Test
    void theRoomsTheConnectHookAllowsBindTheConnection() {
        try (JsonWs client = ann()) {
            client.send("type", "join", "room", "lobby", "ref", "outside");
            JsonNode refused = client.nextOfType("error");
            assertThat(refused.get("code").asText()).isEqualTo("forbidden");
        }
    }

    @Test
    void aRefusalOfTheConnectHookReachesTheClientWithItsStatusBeforeTheUpgrade() {
        HttpResponse<String> response = refusal(hooked, Map.of("Cookie", "session=stolen"));
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body().strip()).isEqualTo("log in first");
    }

    @Test
    void aSlowBackendIsAnsweredWith503AfterTheTimeoutAndNobodyIsLetIn() throws Exception {
        HttpResponse<String> response = refusal(slow, Map.of());
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).contains("did not answer within 300 ms");
        assertThat(metrics(slow)).contains("roomcast_hook_calls_total{hook=\"connect\",outcome=\"timeout\"} 1.0");
    }

    @Test
    void aBackendThatIsDownIsAnsweredWith503AndNobodyIsLetIn() throws Exception {
        HttpResponse<String> response = refusal(down, Map.of("Cookie", "session=ann-s3cret"));
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).contains("could not be reached");
        assertThat(metrics(down)).contains("roomcast_hook_calls_total{hook=\"connect\",outcome=\"failed\"}");
    }

    @Test
    void theJoinHookRefusesWithTheBackendsCodeAndAllowsWhatItAllows() {
        try (JsonWs client = ann()) {
            client.send("type", "join", "room", "vip:lounge", "ref", "lounge");
            JsonNode refused = client.nextOfType("error");
            assertThat(refused.get("ref").asText()).isEqualTo("lounge");
            assertThat(refused.get("code").asText()).isEqualTo("not_a_member");
            assertThat(refused.get("message").asText()).isEqualTo("members only");

            client.send("type", "join", "room", "vip:members", "ref", "members");
            assertThat(client.nextOfType("ok").get("ref").asText()).isEqualTo("members");
        }
    }

    @Test
    void thePublishHookRewritesAndVetoesBeforeTheBroadcast() throws Exception {
        try (JsonWs client = ann()) {
            client.send("type", "join", "room", "mod:chat", "ref", "join");
            assertThat(client.nextOfType("ok").get("ref").asText()).isEqualTo("join");
            client.send("type", "publish", "room", "mod:chat", "text", "buy spam now", "ref", "vetoed");
            JsonNode vetoed = client.nextOfType("error");
            assertThat(vetoed.get("code").asText()).isEqualTo("spam");
            client.send("type", "publish", "room", "mod:chat", "text", "oh darn", "ref", "rewritten");
            assertThat(client.nextOfType("message").get("text").asText()).isEqualTo("oh ****");
            assertThat(client.nextOfType("ok").get("offset").asLong()).isEqualTo(1);
            assertThat(hooked.node().hub().history("mod:chat", null, 10).toCompletableFuture().join().messages())
                    .as("only the rewritten message was stored").singleElement().satisfies(m -> assertThat(m.payload().text()).isEqualTo("oh ****"));
        }
    }

    @Test
    void aPublishHookThatIsDownRefusesWithUnavailable() throws Exception {
        try (JsonWs client = ann()) {
            client.send("type", "join", "room", "broken:x", "ref", "join");
            JsonNode answer = client.nextOfType("error");
            assertThat(answer.get("code").asText()).as("the connect hook does not allow broken:*").isEqualTo("forbidden");
        }
        String nobodyThere = "http://127.0.0.1:" + freePort() + "/";
        TestServer open = TestServer.start(b -> b.namespaces(new Namespaces(Map.of("broken",
                new Namespace(Namespace.Publish.MEMBERS, PresenceMode.FULL, false, null, null, Namespace.SlowConsumer.DISCONNECT, null, null, nobodyThere)))));
        try (open; JsonWs client = JsonWs.connect(open, "bob")) {
            client.send("type", "join", "room", "broken:x", "ref", "join");
            assertThat(client.nextOfType("ok").get("ref").asText()).isEqualTo("join");
            client.send("type", "publish", "room", "broken:x", "text", "hello", "ref", "pub");
            JsonNode refused = client.nextOfType("error");
            assertThat(refused.get("code").asText()).isEqualTo("unavailable");
            assertThat(open.node().hub().history("broken:x", null, 10).toCompletableFuture().join().messages()).isEmpty();
            assertThat(metrics(open)).contains("roomcast_hook_calls_total{hook=\"publish\",outcome=\"failed\"} 1.0");
        }
    }

    @Test
    void aHookedRoomIsNotReachableThroughTheTextEndpoint() {
        HttpResponse<String> response = refusal(hooked, "/ws/vip:lounge", Map.of("Cookie", "session=ann-s3cret"));
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).contains("join it on /v1/ws");
    }
}
