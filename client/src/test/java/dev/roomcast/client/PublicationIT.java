package dev.roomcast.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roomcast.testing.TestServer;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Java client's side of the message model: data with exact numbers, events, ephemeral, echo:false, idempotency keys. */
@Timeout(60)
class PublicationIT {

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
            JsonNode roundTrip = new ObjectMapper().valueToTree(ann.messages.get(0).data());
            assertThat(roundTrip.toString()).isEqualTo("{\"n\":123456789012345678901234567890,\"price\":19.90,\"piece\":\"♞\"}");
        }
    }
}
