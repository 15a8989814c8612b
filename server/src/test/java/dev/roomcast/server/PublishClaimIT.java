package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import dev.roomcast.config.Namespace;
import dev.roomcast.config.Namespaces;
import dev.roomcast.room.PresenceMode;
import dev.roomcast.server.websocket.TextEndpoint;
import dev.roomcast.testing.JsonWs;
import dev.roomcast.testing.TestServer;
import dev.roomcast.testing.Tokens;
import dev.roomcast.testing.WsClient;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * With authentication on: a token's {@code publish} claim narrows where its holder may publish, and a
 * namespace with {@code anonymous-join: true} lets clients without a token into its rooms only.
 */
@Timeout(60)
class PublishClaimIT {

    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(b -> b.jwtSecret(Tokens.SECRET).namespaces(new Namespaces(Map.of(
                "public", new Namespace(Namespace.Publish.MEMBERS, PresenceMode.FULL, true, null, null, Namespace.SlowConsumer.DISCONNECT, null)))));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String token(String user, List<String> publish) {
        return JWT.create().withSubject(user).withExpiresAt(Instant.now().plus(Duration.ofHours(1)))
                .withClaim("publish", publish).sign(Algorithm.HMAC256(Tokens.SECRET));
    }

    private static JsonNode publish(JsonWs client, String room) {
        return MessageModelContract.answer(client, "ref", "p-" + room, "type", "publish", "room", room, "text", "hi");
    }

    @Test
    void thePublishClaimNarrowsWhereTheHolderMayPublish() {
        try (JsonWs narrow = JsonWs.connectWithToken(server, token("ann", List.of("chat-*")));
             JsonWs listener = JsonWs.connectWithToken(server, token("bob", List.of()));
             WsClient text = WsClient.connect(server.ws("/ws/lobby-claim?token=" + token("cat", List.of())))) {
            for (String room : List.of("chat-1", "lobby-claim")) {
                for (JsonWs client : List.of(narrow, listener)) {
                    MessageModelContract.answer(client, "ref", "j-" + room, "type", "join", "room", room);
                }
            }
            assertThat(publish(narrow, "chat-1").get("type").asText()).isEqualTo("ok");
            JsonNode refused = publish(narrow, "lobby-claim");
            assertThat(refused.get("code").asText()).isEqualTo("forbidden");
            assertThat(refused.get("message").asText()).isEqualTo("your token does not allow publishing in room lobby-claim");
            assertThat(publish(listener, "chat-1").get("code").asText()).isEqualTo("forbidden");

            for (int i = 0; i < TextEndpoint.FORBIDDEN_PUBLISHES_BEFORE_CLOSE; i++) {
                text.send("not mine to say " + i);
            }
            assertThat(text.awaitClose().code()).isEqualTo(1008);
        }
    }

    @Test
    void withoutATokenOnlyAnonymousNamespacesMayBeJoined() throws Exception {
        try (JsonWs guest = JsonWs.connect(server)) {
            assertThat(guest.user()).startsWith("guest-");
            guest.join("public:hall");
            assertThat(publish(guest, "public:hall").get("type").asText()).isEqualTo("ok");
            JsonNode refused = MessageModelContract.answer(guest, "ref", "j", "type", "join", "room", "lobby");
            assertThat(refused.get("code").asText()).isEqualTo("forbidden");
        }
        try (WsClient text = WsClient.connect(server.ws("/ws/public:porch"))) {
            text.send("hello porch");
            assertThat(text.next()).isEqualTo("Message from public:porch: hello porch");
        }
        assertThat(HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(server.ws("/ws/lobby"),
                        new WebSocket.Listener() { })
                .handle((ws, failure) -> failure).join())
                .as("a text room outside the anonymous namespaces needs a token").isNotNull();
    }
}
