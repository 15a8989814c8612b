package dev.roomcast.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.roomcast.room.Payload;
import dev.roomcast.testing.Requirements;
import dev.roomcast.testing.TcpRelay;
import dev.roomcast.testing.TestServer;
import dev.roomcast.testing.Tokens;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/protocol.md's "Client behaviour", checked on both clients: one scripted scenario (join, an
 * ephemeral message that must not move the recovery position, drop, missed messages, rejoin, refresh,
 * refused refresh, expired token, then a refused upgrade) run against RoomcastClient
 * and against roomcast.js in Node, each against its own fresh server behind a TCP relay, and
 * both transcripts compared with the same expected one.
 */
@Timeout(120)
class ConformanceIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String ROOM = "conformance";
    private static final List<String> EXPECTED = List.of(
            "open user=ann",
            "joined room=conformance offset=0",
            "message room=conformance offset=1 from=host text=one",
            "message room=conformance offset=none from=host text=blip",
            "lost reconnecting=true",
            "open user=ann",
            "recovered room=conformance recovered=true missed=3",
            "message room=conformance offset=2 from=host text=two",
            "message room=conformance offset=3 from=host text=three",
            "message room=conformance offset=4 from=host text=four",
            "message room=conformance offset=5 from=host text=five",
            "refresh ok",
            "refresh error code=unauthorized",
            "refresh ok",
            "closed code=1008 reason=token expired",
            // a second client, whose token the server refuses at the upgrade: told once, no retry
            "closed code=1006 reason=upgrade refused with HTTP 401");

    @TempDir
    Path scratch;

    /** One client under test, driven by commands, printing transcript lines. */
    private interface Driven extends AutoCloseable {
        void command(String line) throws IOException;

        List<String> transcript();

        @Override
        void close() throws IOException;
    }

    @Test
    void theJavaClientFollowsTheScript() throws Exception {
        assertThat(runScenario(JavaClient::new)).containsExactlyElementsOf(EXPECTED);
    }

    @Test
    void roomcastJsFollowsTheSameScript() throws Exception {
        Requirements.need("node", nodeAvailable(), "node 20 or newer is not on the PATH");
        Path roomcastJs = scratch.resolve("roomcast.js");
        try (InputStream served = ConformanceIT.class.getResourceAsStream("/web/roomcast.js")) {
            Files.write(roomcastJs, served.readAllBytes());
        }
        Path driver = scratch.resolve("conformance-driver.cjs");
        try (InputStream script = ConformanceIT.class.getResourceAsStream("/node/conformance-driver.cjs")) {
            Files.write(driver, script.readAllBytes());
        }
        assertThat(runScenario(url -> new NodeClient(driver, roomcastJs, url))).containsExactlyElementsOf(EXPECTED);
    }

    /**
     * The scenario; returns the two clients' transcripts, one after the other, with runs of "lost"
     * (one per failed reconnect attempt) counted once.
     */
    private static List<String> runScenario(Function<URI, Driven> clients) throws Exception {
        try (TestServer server = TestServer.start(b -> TestServer.withoutRateLimit(b.jwtSecret(Tokens.SECRET)));
             TcpRelay relay = new TcpRelay("127.0.0.1", server.port())) {
            String token = Tokens.hs256("ann", Duration.ofMinutes(10), null);
            URI url = URI.create("ws://127.0.0.1:" + relay.port() + "/v1/ws?token=" + token);
            List<String> transcript = new ArrayList<>();
            try (Driven client = clients.apply(url)) {
                awaitLine(client, "open user=ann", 1);
                client.command("join " + ROOM);
                awaitLine(client, "joined room=" + ROOM, 1);
                publish(server, "one");
                awaitLine(client, "text=one", 1);
                // Ephemeral: no position, so the rejoin below must still ask for what follows "one".
                server.node().hub().broadcast(ROOM, new dev.roomcast.hub.Publication("host", Payload.text("blip"), false, null, null))
                        .toCompletableFuture().join();
                awaitLine(client, "text=blip", 1);

                relay.cut();                       // drop
                awaitLine(client, "lost", 1);
                publish(server, "two");            // missed while away
                publish(server, "three");
                publish(server, "four");
                relay.restore();                   // rejoin with the last position
                awaitLine(client, "text=four", 1);
                publish(server, "five");
                awaitLine(client, "text=five", 1);

                client.command("refresh " + Tokens.hs256("ann", Duration.ofMinutes(10), null));
                awaitLine(client, "refresh ok", 1);
                client.command("refresh not-a-token");
                awaitLine(client, "refresh error", 1);
                // A valid refresh whose token expires in two seconds: the server then closes with 1008
                // token expired, and a client with one fixed token stops.
                client.command("refresh " + Tokens.hs256("ann", Duration.ofSeconds(2), null));
                awaitLine(client, "refresh ok", 2);
                awaitLine(client, "closed", 1);
                transcript.addAll(collapseLost(client.transcript()));
            }
            URI refusedUrl = URI.create("ws://127.0.0.1:" + relay.port() + "/v1/ws?token=not-a-token");
            try (Driven refused = clients.apply(refusedUrl)) {
                awaitLine(refused, "closed", 1);
                transcript.addAll(refused.transcript());
                return transcript;
            }
        }
    }

    private static void publish(TestServer server, String text) {
        server.node().publish(ROOM, "host", text).toCompletableFuture().join();
    }

    private static void awaitLine(Driven client, String fragment, int times) {
        await().atMost(WAIT).alias("transcript line containing '" + fragment + "' x" + times + " in " + client.transcript())
                .until(() -> client.transcript().stream().filter(line -> line.contains(fragment)).count() >= times);
    }

    private static List<String> collapseLost(List<String> lines) {
        List<String> collapsed = new ArrayList<>();
        for (String line : lines) {
            if (!(line.startsWith("lost") && !collapsed.isEmpty() && collapsed.get(collapsed.size() - 1).equals(line))) {
                collapsed.add(line);
            }
        }
        return collapsed;
    }

    private static boolean nodeAvailable() {
        try {
            Process version = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            String out = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return version.waitFor(10, TimeUnit.SECONDS) && out.matches("v(2\\d|[3-9]\\d)\\..*");
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** RoomcastClient printing the driver's transcript format; the token is the one in the URL's query. */
    private static final class JavaClient implements Driven, ClientListener {
        private final List<String> lines = new CopyOnWriteArrayList<>();
        private final RoomcastClient client;

        JavaClient(URI urlWithToken) {
            String query = urlWithToken.getRawQuery();
            URI url = URI.create(urlWithToken.toString().replace("?" + query, ""));
            client = RoomcastClient.builder(url).token(query.substring("token=".length()))
                    .backoff(Duration.ofMillis(50), Duration.ofMillis(300)).listener(this).connect();
        }

        @Override
        public void command(String line) {
            String[] parts = line.split(" ", 2);
            switch (parts[0]) {
                case "join" -> client.join(parts[1], m -> lines.add("message room=" + m.room()
                                + " offset=" + (m.position() == null ? "none" : m.position().offset())
                                + " from=" + m.from() + " text=" + m.text()))
                        .whenComplete((ok, error) -> lines.add(error == null ? "joined room=" + parts[1] + " offset=" + ok.offset() : failure("join", error)));
                case "refresh" -> client.refresh(parts[1])
                        .whenComplete((ok, error) -> lines.add(error == null ? "refresh ok" : failure("refresh", error)));
                default -> throw new IllegalArgumentException(line);
            }
        }

        private static String failure(String request, Throwable error) {
            return request + " error code=" + (error instanceof RoomcastException refused ? refused.code() : "none");
        }

        @Override
        public void onConnection(ConnectionEvent event) {
            switch (event.state()) {
                case OPEN -> lines.add("open user=" + client.user());
                case RECONNECTING -> lines.add("lost reconnecting=true");
                case CLOSED -> lines.add("closed code=" + event.code() + " reason=" + event.reason());
                default -> { }
            }
        }

        @Override
        public void onRecovery(Recovery r) {
            lines.add("recovered room=" + r.room() + " recovered=" + r.recovered() + " missed=" + r.missed());
        }

        @Override
        public List<String> transcript() {
            return lines;
        }

        @Override
        public void close() {
            client.close();
        }
    }

    /** roomcast.js in Node through the conformance driver; its stdout lines are the transcript. */
    private static final class NodeClient implements Driven {
        private final List<String> lines = new CopyOnWriteArrayList<>();
        private final Process process;
        private final Writer commands;

        NodeClient(Path driver, Path roomcastJs, URI url) {
            try {
                process = new ProcessBuilder("node", "--experimental-websocket", driver.toString(), roomcastJs.toString(), url.toString())
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            Thread reader = new Thread(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = out.readLine(); line != null; line = out.readLine()) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // the process ended
                }
            }, "conformance-node");
            reader.setDaemon(true);
            reader.start();
        }

        @Override
        public void command(String line) throws IOException {
            commands.write(line + "\n");
            commands.flush();
        }

        @Override
        public List<String> transcript() {
            return lines;
        }

        @Override
        public void close() throws IOException {
            try {
                command("exit");
            } catch (IOException e) {
                // already gone
            }
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
