package dev.roomcast.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.roomcast.testing.RawHttp;
import dev.roomcast.testing.RawWebSocket;
import dev.roomcast.testing.RoomcastProcess;
import dev.roomcast.testing.WsClient;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What an operator reads in the log of the jar run as a process: the ISO-8601 text format, JSON
 * lines with {@code --log-format json}, the one start-up line, refused upgrades summed per reason,
 * connection opens and closes at DEBUG, the HTTP API's access log and the drain summary.
 */
@Timeout(120)
class LogsIT {

    private static final Duration START = Duration.ofSeconds(60);
    /** A text line: ISO-8601 date, time with milliseconds and zone, then the level. */
    private static final Pattern TEXT_LINE = Pattern.compile(
            "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}(Z|[+-]\\d{2}:\\d{2}) (INFO|DEBUG|WARN|ERROR|TRACE) +\\S+ - .*");

    private static List<String> logLines(RoomcastProcess node) {
        // The "Roomcast serving" line is printed for scripts, outside the log.
        return node.stderr().lines().filter(line -> !line.startsWith("Roomcast serving")).toList();
    }

    /** The refused upgrades that the summary lines so far count. */
    private static long refusalsLogged(RoomcastProcess node) {
        return logLines(node).stream().filter(line -> line.contains("upgrades refused (origin): "))
                .mapToLong(line -> Long.parseLong(line.replaceAll(".*upgrades refused \\(origin\\): (\\d+) in the last.*", "$1")))
                .sum();
    }

    @Test
    void theTextLogTellsAnOperatorWhatHappenedInIso8601Lines() throws Exception {
        try (RoomcastProcess node = RoomcastProcess.startJar(Map.of("ROOMCAST_LOG_LEVEL", "DEBUG"),
                "--port", "0", "--allowed-origins", "https://app.example.com", "--max-connections", "900",
                "--api-key", "k3y-in-no-log", "--drain-timeout", "5s")) {
            int port = node.awaitServing(START);

            String startup = logLines(node).stream().filter(line -> line.matches(".* INFO +Roomcast - Roomcast .*")).findFirst()
                    .orElseThrow(() -> new AssertionError("no start-up line\n" + node.output()));
            assertThat(startup).contains("serving http://127.0.0.1:" + port + "/", "TLS off", "broker memory",
                    "auth none", "HTTP API key set", "origins https://app.example.com", "maxConnections=900",
                    "drainTimeout=PT5S", "Java ", "GC ");
            assertThat(node.stderr()).doesNotContain("k3y-in-no-log");

            for (int i = 0; i < 30; i++) {
                RawHttp.Response refused = RawHttp.send(port, "GET", "/ws/lobby",
                        RawHttp.upgradeHeaders() + "Origin: https://evil.example\r\n");
                assertThat(refused.status()).isEqualTo(403);
            }
            WsClient member = WsClient.connect(URI.create("ws://127.0.0.1:" + port + "/ws/lobby"));
            RawHttp.Response rooms = RawHttp.send(port, "GET", "/v1/rooms", "Authorization: Bearer k3y-in-no-log\r\n");
            assertThat(rooms.status()).isEqualTo(200);
            // A client that closes with 1000 and waits for the server's answer, so the close frame is read for sure.
            try (RawWebSocket leaving = RawWebSocket.connect(port, "/ws/lobby")) {
                leaving.sendFrame(true, RawWebSocket.CLOSE, new byte[] {0x03, (byte) 0xE8});
                assertThat(leaving.awaitCloseCode()).isEqualTo(1000);
            }

            await().atMost(Duration.ofSeconds(30)).until(() -> refusalsLogged(node) == 30);
            assertThat(logLines(node)).anySatisfy(line -> assertThat(line).matches(".* INFO +AggregatedLog - upgrades refused \\(origin\\): \\d+ in the last 10 s"));
            // Normally one line; two if the refusals straddled the end of an interval.
            assertThat(logLines(node).stream().filter(line -> line.contains("upgrades refused"))).as("summed, not one line each")
                    .hasSizeBetween(1, 2);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(logLines(node))
                    .anySatisfy(line -> assertThat(line).matches(".* DEBUG WebSocketEndpoint - session \\S+ \\(guest-\\S+, /127\\.0\\.0\\.1:\\d+\\) opened"))
                    .anySatisfy(line -> assertThat(line).matches(".* DEBUG WebSocketEndpoint - session \\S+ \\(guest-\\S+, /127\\.0\\.0\\.1:\\d+\\) closed: 1000 by the client"))
                    .anySatisfy(line -> assertThat(line).matches(".* INFO +ApiAccessLog - /127\\.0\\.0\\.1:\\d+ \"GET /v1/rooms\" 200 \\d+\\.\\d ms")));

            node.sigterm();
            assertThat(node.awaitExit(Duration.ofSeconds(30))).isZero();
            assertThat(member.awaitClose().code()).isEqualTo(1001);
            assertThat(logLines(node)).anySatisfy(line -> assertThat(line)
                    .matches(".* INFO +Roomcast - drained: closed 1 WebSocket sessions in \\d+ ms"));
            assertThat(logLines(node)).allSatisfy(line -> assertThat(line).matches(TEXT_LINE));
        }
    }

    @Test
    void logFormatJsonWritesOneJsonObjectPerLine() throws IOException {
        try (RoomcastProcess node = RoomcastProcess.startJar(Map.of("ROOMCAST_LOG_FORMAT", "json"), "--port", "0")) {
            int port = node.awaitServing(START);
            assertThat(RawHttp.send(port, "GET", "/v1/rooms", "").status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> logLines(node).size() >= 2);

            ObjectMapper json = new ObjectMapper();
            List<JsonNode> lines = logLines(node).stream().map(line -> {
                try {
                    return json.readTree(line);
                } catch (IOException e) {
                    throw new AssertionError("not a JSON object: " + line, e);
                }
            }).toList();
            assertThat(lines).allSatisfy(line -> assertThat(line.has("timestamp") && line.has("level")).isTrue());
            assertThat(lines).anySatisfy(line -> {
                assertThat(line.get("level").asText()).isEqualTo("INFO");
                assertThat(line.get("loggerName").asText()).isEqualTo("dev.roomcast.Roomcast");
                assertThat(line.get("formattedMessage").asText()).startsWith("Roomcast ").contains("serving http://127.0.0.1:" + port);
            });
            assertThat(lines).anySatisfy(line -> assertThat(line.get("formattedMessage").asText()).contains("\"GET /v1/rooms\" 200"));
        }
    }
}
