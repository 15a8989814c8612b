package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roomcast.testing.RawWebSocket;
import dev.roomcast.testing.TestServer;
import dev.roomcast.testing.WsClient;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An {@code /echo} client that sends but never reads cannot make the server buffer its replies
 * without bound: once the replies exceed the outbound bound it is closed as a slow consumer, like
 * a room member that stops reading, and other clients keep being served.
 */
@Timeout(120)
class EchoBackpressureIT {

    private static final int BOUND = 64 * 1024;
    private static final int MESSAGE_BYTES = 8 * 1024;
    /** 32 MiB of replies: far more than the bound plus what the kernel's socket buffers absorb. */
    private static final int MESSAGES = 4096;

    @Test
    void aClientThatDoesNotReadItsEchoesIsClosedAsASlowConsumer() throws Exception {
        try (TestServer server = TestServer.start(b -> TestServer.withoutRateLimit(b)
                .outboundBufferBytes(BOUND).maxMessageBytes(BOUND / 2))) {
            byte[] payload = new byte[MESSAGE_BYTES];
            Arrays.fill(payload, (byte) 'e');
            try (RawWebSocket deaf = RawWebSocket.connect(server.port(), "/echo")) {
                try {
                    for (int i = 0; i < MESSAGES; i++) {
                        deaf.sendFrame(true, RawWebSocket.TEXT, payload);
                    }
                } catch (IOException cutOff) {
                    // The server may cut the socket once the close grace has passed: also an answer.
                }
                Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                        assertThat(metrics(server)).contains("roomcast_slow_consumer_closes_total 1.0"));
                assertThat(deaf.awaitCloseCode()).isIn(1013, 1006);
            }
            try (WsClient other = WsClient.connect(server.ws("/echo"))) {
                other.send("still there?");
                assertThat(other.next()).isEqualTo("Message text was: still there?");
            }
        }
    }

    private static String metrics(TestServer server) throws IOException, InterruptedException {
        return HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(server.http("/metrics")).build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }
}
