package dev.roomcast.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.roomcast.Roomcast;
import dev.roomcast.config.RoomcastConfig;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** docs/embedding.md's example, step by step: start a node in this JVM, publish into a room without HTTP, drain it. */
@Timeout(60)
class EmbeddingIT {

    @Test
    void theDocumentedExampleStartsPublishesAndStopsANode() throws Exception {
        // --- as in docs/embedding.md, "The example"
        RoomcastConfig config = RoomcastConfig.builder().host("127.0.0.1").port(0).build();
        Roomcast node = Roomcast.start(config);                       // returns once it accepts connections
        URI url = URI.create("ws://127.0.0.1:" + node.port() + "/v1/ws");

        List<String> seen = new CopyOnWriteArrayList<>();
        RoomcastClient watcher = RoomcastClient.builder(url).name("watcher").connect();
        watcher.join("alerts", message -> seen.add(message.from() + ": " + message.text())).join();

        var position = node.publish("alerts", "backend", "deploy finished")   // no HTTP, no socket
                .toCompletableFuture().join();
        // ---

        assertThat(position.offset()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 1);
        assertThat(seen).containsExactly("backend: deploy finished");

        // --- the example's end
        int left = node.drain(Duration.ofSeconds(5));                 // 1001 going away to every client, then release
        watcher.close();
        // ---
        assertThat(left).isZero();
        assertThat(node.publish("$reserved", "backend", "x").toCompletableFuture())
                .as("a refused room name fails the stage").isCompletedExceptionally();
    }
}
