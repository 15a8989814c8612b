package dev.roomcast.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomcast.config.Namespace;
import dev.roomcast.config.Namespaces;
import dev.roomcast.testing.JsonWs;
import dev.roomcast.testing.TestServer;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code namespace} label of the per-room series on a node with one namespace configured: a
 * room of it counts under its name, every other room (with no {@code :}, or of a namespace the config
 * does not name) under {@code default}, and no room name ever becomes a label value.
 */
@Timeout(60)
class NamespaceMetricsIT {

    @Test
    void perRoomSeriesCountUnderTheConfiguredNamespaceOrDefaultAndNeverUnderARoomName() {
        try (TestServer server = TestServer.start(b -> b.namespaces(new Namespaces(Map.of("game", Namespace.DEFAULT))));
             JsonWs ann = JsonWs.connect(server, "ann");
             JsonWs bob = JsonWs.connect(server, "bob");
             JsonWs cy = JsonWs.connect(server, "cy");
             JsonWs dee = JsonWs.connect(server, "dee")) {
            JsonNode start = ann.join("game:42");
            ann.publishOk("game:42", "e4");
            cy.join("lobby");
            cy.publishOk("lobby", "hi");
            dee.join("chess:7");
            dee.publishOk("chess:7", "d4");
            bob.ok("r", "type", "join", "room", "game:42",
                    "since", JsonWs.obj("epoch", start.path("epoch").asText(), "offset", start.path("offset").asLong()));

            String game = "namespace=\"game\"";
            await().untilAsserted(() -> assertThat(server.node().metrics().scrape())
                    .contains("roomcast_broker_publish_seconds_count{" + game + ",outcome=\"ok\"} 1")
                    .contains("roomcast_broker_publish_seconds_count{namespace=\"default\",outcome=\"ok\"} 2")
                    .contains("roomcast_recoveries_total{" + game + ",outcome=\"recovered\"} 1.0")
                    .contains("roomcast_recoveries_total{namespace=\"default\",outcome=\"recovered\"} 0.0")
                    .contains("roomcast_presence_changes_total{change=\"joined\"," + game + "} 2.0")
                    .contains("roomcast_presence_changes_total{change=\"joined\",namespace=\"default\"} 2.0")
                    .containsPattern("roomcast_deliveries_total\\{" + game + "} [1-9]")
                    .containsPattern("roomcast_deliveries_total\\{namespace=\"default\"} [1-9]")
                    .containsPattern("roomcast_bytes_out_bytes_total\\{" + game + "} [1-9]")
                    .doesNotContain("chess").doesNotContain("lobby").doesNotContain("game:42"));
        }
    }
}
