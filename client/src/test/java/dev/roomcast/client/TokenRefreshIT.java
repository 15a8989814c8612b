package dev.roomcast.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.roomcast.testing.TestServer;
import dev.roomcast.testing.Tokens;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client with a token supplier keeps one connection open past its first token's expiry: it
 * sends {@code refresh} with a fresh token before each one expires, so the server never closes it.
 */
@Timeout(60)
class TokenRefreshIT {

    @Test
    void aTokenSupplierRefreshesBeforeExpiryOnTheSameConnection() {
        AtomicInteger issued = new AtomicInteger();
        try (TestServer server = TestServer.start(b -> b.jwtSecret(Tokens.SECRET))) {
            Recorder dan = new Recorder();
            try (RoomcastClient client = RoomcastClient.builder(server.ws("/v1/ws"))
                    .tokenSupplier(() -> {
                        issued.incrementAndGet();
                        return Tokens.hs256("dan", Duration.ofSeconds(3), null);
                    })
                    .listener(dan).connect()) {
                client.join("refreshed", dan).join();
                // Three tokens of 3 s each: the connection outlives the first two.
                await().atMost(Duration.ofSeconds(30)).until(() -> issued.get() >= 4);
                client.publish("refreshed", "still here").join();
                await().atMost(Duration.ofSeconds(10)).until(() -> dan.messages.size() == 1);
                assertThat(dan.connections).extracting(ConnectionEvent::state).containsExactly(ConnectionState.OPEN);
                assertThat(dan.errors).isEmpty();
            }
        }
    }
}
