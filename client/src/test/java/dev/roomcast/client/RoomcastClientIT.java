package dev.roomcast.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roomcast.testing.TestServer;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** RoomcastClient against a real server on loopback: every request's round trip, and error answers as typed exceptions. */
@Timeout(60)
class RoomcastClientIT {

    private static TestServer server;

    @BeforeAll
    static void startServer() {
        server = TestServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    private static RoomcastClient connect(String name, Recorder recorder) {
        return RoomcastClient.builder(server.ws("/v1/ws")).name(name).listener(recorder).connect();
    }

    @Test
    void joinPublishPresenceDirectAndLeaveRoundTrip() {
        Recorder ann = new Recorder();
        Recorder bob = new Recorder();
        try (RoomcastClient annClient = connect("ann", ann); RoomcastClient bobClient = connect("bob", bob)) {
            Position joined = annClient.join("round-trip", ann).join();
            bobClient.join("round-trip", bob).join();
            assertThat(joined.offset()).isZero();
            assertThat(annClient.user()).isEqualTo("ann");

            Position published = annClient.publish("round-trip", "hello").join();
            assertThat(published).isEqualTo(new Position(joined.epoch(), 1));
            await().atMost(Duration.ofSeconds(10)).until(() -> bob.messages.size() == 1 && ann.messages.size() == 1);
            assertThat(bob.messages.get(0)).satisfies(m -> {
                assertThat(m.room()).isEqualTo("round-trip");
                assertThat(m.from()).isEqualTo("ann");
                assertThat(m.text()).isEqualTo("hello");
                assertThat(m.position()).isEqualTo(published);
            });

            assertThat(bobClient.presence("round-trip").join().sessionsByUser()).containsExactly(
                    java.util.Map.entry("ann", 1), java.util.Map.entry("bob", 1));
            await().atMost(Duration.ofSeconds(10)).until(() -> ann.presence.contains(new PresenceChange("round-trip", "bob", true)));

            annClient.direct("bob", "psst").join();
            await().atMost(Duration.ofSeconds(10)).until(() -> bob.directs.size() == 1);
            assertThat(bob.directs.get(0).from()).isEqualTo("ann");
            assertThat(bob.directs.get(0).text()).isEqualTo("psst");

            bobClient.ping().join();
            bobClient.leave("round-trip").join();
            await().atMost(Duration.ofSeconds(10)).until(() -> ann.presence.contains(new PresenceChange("round-trip", "bob", false)));
            annClient.publish("round-trip", "after bob left").join();
            await().atMost(Duration.ofSeconds(10)).until(() -> ann.messages.size() == 2);
            assertThat(bob.texts()).containsExactly("hello");
        }
    }

    @Test
    void errorAnswersFailTheFutureWithTheirCode() {
        Recorder ann = new Recorder();
        try (RoomcastClient client = connect("ann-errors", ann)) {
            assertThat(errorCode(() -> client.publish("never-joined", "x").join())).isEqualTo("not_joined");
            assertThat(errorCode(() -> client.leave("never-joined").join())).isEqualTo("not_joined");
            assertThat(errorCode(() -> client.join("$reserved", ann).join())).isEqualTo("invalid_room");
            assertThat(errorCode(() -> client.direct("nobody-is-called-this", "x").join())).isEqualTo("no_such_user");
            assertThat(errorCode(() -> client.refresh("not-a-token").join())).isEqualTo("unauthorized");
            // Errors never close the connection.
            client.ping().join();
            assertThat(client.state()).isEqualTo(ConnectionState.OPEN);
        }
    }

    @Test
    void requestsMadeBeforeTheWelcomeWaitForItAndAClosedClientRefusesThem() throws Exception {
        Recorder ann = new Recorder();
        RoomcastClient client = connect("ann-early", ann);
        // Sent at once, before the socket has opened: queued until the welcome.
        Position joined = client.join("early", ann).get(10, TimeUnit.SECONDS);
        assertThat(client.publish("early", "first").get(10, TimeUnit.SECONDS).offset()).isEqualTo(joined.offset() + 1);
        client.close();
        assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
        assertThatThrownBy(() -> client.ping().join()).hasCauseInstanceOf(java.io.IOException.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> ann.connections.stream().anyMatch(e -> e.state() == ConnectionState.CLOSED));
    }

    @Test
    void closedByTheApplicationItComesBackAfter4000AndStaysClosedAfter4001() {
        Recorder dora = new Recorder();
        try (RoomcastClient client = RoomcastClient.builder(server.ws("/v1/ws")).name("dora")
                .backoff(Duration.ofMillis(10), Duration.ofMillis(50)).listener(dora).connect()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> dora.opens() == 1);
            server.node().hub().disconnectUser("dora", "session revoked", true).toCompletableFuture().join();
            await().atMost(Duration.ofSeconds(10)).until(() -> dora.opens() == 2);
            assertThat(dora.connections).anySatisfy(event -> {
                assertThat(event.state()).isEqualTo(ConnectionState.RECONNECTING);
                assertThat(event.code()).isEqualTo(4000);
                assertThat(event.reason()).isEqualTo("session revoked");
            });

            server.node().hub().disconnectUser("dora", "banned", false).toCompletableFuture().join();
            await().atMost(Duration.ofSeconds(10)).until(() -> client.state() == ConnectionState.CLOSED);
            assertThat(dora.connections.get(dora.connections.size() - 1)).satisfies(event -> {
                assertThat(event.state()).isEqualTo(ConnectionState.CLOSED);
                assertThat(event.code()).isEqualTo(4001);
            });
        }
    }

    @Test
    void aRefusedTokenStopsTheClientInsteadOfRetrying() {
        try (TestServer withTokens = TestServer.start(b -> b.jwtSecret(dev.roomcast.testing.Tokens.SECRET))) {
            Recorder refused = new Recorder();
            try (RoomcastClient client = RoomcastClient.builder(withTokens.ws("/v1/ws")).token("not-a-valid-token")
                    .backoff(Duration.ofMillis(10), Duration.ofMillis(50)).listener(refused).connect()) {
                await().atMost(Duration.ofSeconds(10)).until(() -> client.state() == ConnectionState.CLOSED);
                await().atMost(Duration.ofSeconds(10)).until(() -> !refused.connections.isEmpty());
                assertThat(refused.connections).singleElement().satisfies(event -> {
                    assertThat(event.state()).isEqualTo(ConnectionState.CLOSED);
                    assertThat(event.reason()).contains("401");
                });
            }
            Recorder accepted = new Recorder();
            String token = dev.roomcast.testing.Tokens.hs256("carol", Duration.ofMinutes(5), List.of("*"));
            try (RoomcastClient client = RoomcastClient.builder(withTokens.ws("/v1/ws")).token(token).listener(accepted).connect()) {
                client.join("with-token", accepted).join();
                assertThat(client.user()).isEqualTo("carol");
            }
        }
    }

    private static String errorCode(Runnable request) {
        try {
            request.run();
        } catch (CompletionException e) {
            assertThat(e.getCause()).isInstanceOf(RoomcastException.class);
            return ((RoomcastException) e.getCause()).code();
        }
        throw new AssertionError("the request succeeded");
    }

    /** The message model: data with exact numbers, events, ephemeral, echo:false, idempotency keys. */
    @Test
    void dataEventsEphemeralEchoAndIdempotencyRoundTrip() {
        Recorder ann = new Recorder();
        Recorder bob = new Recorder();
        try (RoomcastClient annClient = connect("ann", ann); RoomcastClient bobClient = connect("bob", bob)) {
            Position joined = annClient.join("client-model", ann).join();
            bobClient.join("client-model", bob).join();

            ObjectNode move = JsonNodeFactory.instance.objectNode()
                    .put("n", new BigInteger("123456789012345678901234567890"))
                    .put("price", new BigDecimal("19.90"))
                    .put("piece", "♞");
            Position stored = annClient.publish("client-model", Publication.data(move).withEvent("board.move")).join();
            assertThat(stored).isEqualTo(new Position(joined.epoch(), 1));
            assertThat(annClient.publish("client-model", Publication.text("typing").withEvent("typing").ephemeral()
                    .withoutEcho()).join()).isNull();
            Position first = annClient.publish("client-model", Publication.text("once").withIdempotencyKey("k-1")).join();
            Position retried = annClient.publish("client-model", Publication.text("once").withIdempotencyKey("k-1")).join();
            assertThat(retried).isEqualTo(first).isEqualTo(new Position(joined.epoch(), 2));

            await().atMost(Duration.ofSeconds(10)).until(() -> bob.messages.size() == 3);
            Message data = bob.messages.get(0);
            assertThat(data.event()).isEqualTo("board.move");
            assertThat(data.text()).isNull();
            assertThat(data.data().get("n").bigIntegerValue()).isEqualTo(new BigInteger("123456789012345678901234567890"));
            assertThat(data.data().get("price").decimalValue()).isEqualTo(new BigDecimal("19.90"));
            assertThat(data.data().get("piece").asText()).isEqualTo("♞");
            Message typing = bob.messages.get(1);
            assertThat(typing.position()).isNull();
            assertThat(typing.text()).isEqualTo("typing");
            assertThat(bob.texts()).containsExactly(null, "typing", "once");

            // ann gets her stored messages but not the echo:false one.
            await().atMost(Duration.ofSeconds(10)).until(() -> ann.messages.size() == 2);
            assertThat(ann.messages).extracting(Message::event).containsExactly("board.move", null);
            assertThat(ann.messages.get(0).data().toString()).isEqualTo("{\"n\":123456789012345678901234567890,\"price\":19.90,\"piece\":\"♞\"}");
        }
    }
}
