package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomcast.config.Namespace;
import dev.roomcast.config.Namespaces;
import dev.roomcast.room.PresenceMode;
import dev.roomcast.testing.JsonWs;
import dev.roomcast.testing.Requirements;
import dev.roomcast.testing.TestServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * roomcast.js as served by the server, run in Node against real sockets: it fills by itself a gap a
 * {@code drop_oldest} room left while it was stopped (SIGSTOP); it reconnects after a
 * dropped connection and recovers exactly what it missed; a new client with the {@code storage}
 * of one that went away (a reloaded page) rejoins its rooms and recovers what it missed; and after a
 * server restart it reconnects and reports {@code recovered:false}; closed by the server API it comes back
 * after 4000 and stays away after 4001 ({@code reconnect:false}).
 */
@Timeout(120)
class RoomcastJsIT {

    private static final String KEY = "js-test-key";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final AtomicInteger ROOMS = new AtomicInteger();

    @TempDir
    static Path scratch;

    @BeforeAll
    static void needNode() {
        Requirements.need("node", nodeMajorVersion() >= 20, "node 20 or newer is not on the PATH");
    }

    private static int nodeMajorVersion() {
        try {
            Process version = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            String out = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return version.waitFor(10, TimeUnit.SECONDS) && out.matches("v\\d+\\..*")
                    ? Integer.parseInt(out.substring(1, out.indexOf('.'))) : 0;
        } catch (IOException | InterruptedException | NumberFormatException e) {
            return 0;
        }
    }

    /** The driver script (test resource) running roomcast.js in Node; its events are queued as parsed JSON. */
    private static final class NodeClient implements AutoCloseable {
        private final Process process;
        private final Writer commands;
        private final LinkedBlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();

        NodeClient(Path roomcastJs, URI url, String room) throws IOException {
            this(roomcastJs, url, room, null);
        }

        /** {@code storage}: the file the client keeps its rooms in, or null for none. */
        NodeClient(Path roomcastJs, URI url, String room, Path storage) throws IOException {
            Path driver = scratch.resolve("roomcast-driver.cjs");
            try (var in = RoomcastJsIT.class.getResourceAsStream("/node/roomcast-driver.cjs")) {
                Files.write(driver, in.readAllBytes());
            }
            List<String> command = new ArrayList<>(List.of("node", "--experimental-websocket", driver.toString(),
                    roomcastJs.toString(), url.toString(), room));
            if (storage != null) {
                command.add(storage.toString());
            }
            process = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            commands = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            Thread reader = new Thread(() -> {
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                        events.add(JsonWs.JSON.readTree(line));
                    }
                } catch (IOException e) {
                    // the process ended
                }
            }, "node-client-events");
            reader.setDaemon(true);
            reader.start();
        }

        JsonNode next() throws InterruptedException {
            JsonNode event = events.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(event).as("an event from roomcast.js within %s", WAIT).isNotNull();
            return event;
        }

        /** The next event of this kind, skipping {@code close} events of failed reconnect attempts only. */
        JsonNode expect(String kind) throws InterruptedException {
            JsonNode event = next();
            while (!kind.equals("close") && event.get("event").asText().equals("close")) {
                assertThat(event.get("reconnecting").asBoolean()).as("%s", event).isTrue();
                event = next();
            }
            assertThat(event.get("event").asText()).as("%s", event).isEqualTo(kind);
            return event;
        }

        List<JsonNode> messages(int count) throws InterruptedException {
            List<JsonNode> messages = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                messages.add(expect("message"));
            }
            return messages;
        }

        /** Stops the Node process (SIGSTOP), so that it reads nothing: a client that has fallen behind. */
        void pause() throws Exception {
            signal("-STOP");
        }

        /** Lets a paused Node process run on (SIGCONT). */
        void resume() throws Exception {
            signal("-CONT");
        }

        private void signal(String signal) throws Exception {
            Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
            assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill %s", signal).isTrue();
        }

        void command(String line) throws IOException {
            commands.write(line + "\n");
            commands.flush();
        }

        @Override
        public void close() throws Exception {
            try {
                command("exit");
            } catch (IOException alreadyGone) {
                // the process has ended
            }
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** Downloads roomcast.js from the server, which is also the check that it is served. */
    private static Path fetchRoomcastJs(TestServer server) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(server.http("/roomcast.js")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).contains("javascript"));
        Path file = scratch.resolve("roomcast-" + server.port() + ".js");
        Files.writeString(file, response.body());
        return file;
    }

    private static void publish(TestServer server, String room, String text) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(server.http("/v1/rooms/" + room + "/messages"))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(text)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }

    private static void disconnect(TestServer server, String user, boolean reconnect) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(server.http("/v1/users/" + user + "/disconnect"))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"reason\":\"bye\",\"reconnect\":" + reconnect + "}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    @Test
    void presenceIsPagedWithLimitAndCursorAndACountRoomSendsOccupancy() throws Exception {
        String room = "js-" + ROOMS.incrementAndGet();
        String stage = "stage:js-" + ROOMS.incrementAndGet();
        Namespace counted = new Namespace(Namespace.Publish.MEMBERS, PresenceMode.COUNT, false, null, null,
                Namespace.SlowConsumer.DISCONNECT, null);
        try (TestServer server = TestServer.start(b -> b.namespaces(new Namespaces(Map.of("stage", counted))));
             JsonWs ann = JsonWs.connect(server, "ann"); JsonWs bob = JsonWs.connect(server, "bob")) {
            Path roomcastJs = fetchRoomcastJs(server);
            ann.join(room);
            bob.join(room);
            try (NodeClient cid = new NodeClient(roomcastJs, server.ws("/v1/ws?name=cid"), room)) {
                cid.expect("open");
                cid.expect("joined");
                cid.command("presence {\"limit\":2}");
                JsonNode first = cid.expect("presence");
                assertThat(first.get("users")).extracting(user -> user.get("user").asText()).containsExactly("ann", "bob");
                assertThat(first.get("next").asText()).isEqualTo("bob");
                cid.command("presence {\"limit\":2,\"cursor\":\"bob\"}");
                JsonNode last = cid.expect("presence");
                assertThat(last.get("users")).extracting(user -> user.get("user").asText()).containsExactly("cid");
                assertThat(last.has("next")).isFalse();
            }
            try (NodeClient dee = new NodeClient(roomcastJs, server.ws("/v1/ws?name=dee"), stage)) {
                dee.expect("open");
                JsonNode event = dee.next();
                ann.send("type", "join", "ref", "stage", "room", stage);
                while (!(event.get("event").asText().equals("occupancy") && event.get("members").asInt() == 2)) {
                    assertThat(event.get("event").asText()).as("%s", event).isIn("joined", "occupancy");
                    event = dee.next();
                }
                assertThat(event.get("room").asText()).isEqualTo(stage);
                dee.command("presence {}");
                JsonNode count = dee.expect("presence");
                assertThat(count.get("members").asInt()).isEqualTo(2);
                assertThat(count.has("users")).isFalse();
            }
        }
    }

    @Test
    void disconnectedByTheServerApiItComesBackAfter4000AndStaysAwayAfter4001() throws Exception {
        String room = "js-" + ROOMS.incrementAndGet();
        try (TestServer server = TestServer.start(b -> b.apiKey(KEY));
             NodeClient client = new NodeClient(fetchRoomcastJs(server), server.ws("/v1/ws?name=kicked"), room)) {
            client.expect("open");
            client.expect("joined");
            disconnect(server, "kicked", true);
            JsonNode closed = client.expect("close");
            assertThat(closed.get("code").asInt()).isEqualTo(4000);
            assertThat(closed.get("reason").asText()).isEqualTo("bye");
            assertThat(closed.get("reconnecting").asBoolean()).isTrue();
            client.expect("open");
            client.expect("recovered");

            disconnect(server, "kicked", false);
            JsonNode final4001 = client.expect("close");
            assertThat(final4001.get("code").asInt()).isEqualTo(4001);
            assertThat(final4001.get("reconnecting").asBoolean()).isFalse();
        }
    }

    private static List<Long> offsets(List<JsonNode> messages) {
        return messages.stream().map(m -> m.get("offset").asLong()).toList();
    }

    @Test
    void aDroppedConnectionIsReconnectedAndEveryMissedMessageRecoveredOnce() throws Exception {
        String room = "js-" + ROOMS.incrementAndGet();
        try (TestServer server = TestServer.start(b -> b.apiKey(KEY));
             NodeClient client = new NodeClient(fetchRoomcastJs(server), server.ws("/v1/ws?name=node"), room)) {
            assertThat(client.expect("open").get("user").asText()).isEqualTo("node");
            assertThat(client.expect("joined").get("offset").asLong()).isZero();
            for (int i = 1; i <= 3; i++) {
                publish(server, room, "before" + i);
            }
            assertThat(offsets(client.messages(3))).containsExactly(1L, 2L, 3L);

            client.command("drop");
            assertThat(client.expect("close").get("reconnecting").asBoolean()).isTrue();
            for (int i = 1; i <= 5; i++) {
                publish(server, room, "during" + i);
            }
            client.expect("open");
            JsonNode recovered = client.expect("recovered");
            assertThat(recovered.get("recovered").asBoolean()).isTrue();
            List<JsonNode> missed = client.messages(5);
            assertThat(offsets(missed)).containsExactlyElementsOf(LongStream.rangeClosed(4, 8).boxed().toList());
            assertThat(missed).extracting(m -> m.get("text").asText())
                    .containsExactly("during1", "during2", "during3", "during4", "during5");

            publish(server, room, "after");
            assertThat(client.expect("message").get("offset").asLong()).isEqualTo(9);
        }
    }

    @Test
    void aNewClientWithTheStorageOfOneThatWentAwayRejoinsItsRoomsAndRecoversExactlyWhatItMissed() throws Exception {
        String room = "js-" + ROOMS.incrementAndGet();
        Path storage = scratch.resolve("storage-" + room + ".json");
        try (TestServer server = TestServer.start(b -> b.apiKey(KEY))) {
            Path roomcastJs = fetchRoomcastJs(server);
            try (NodeClient first = new NodeClient(roomcastJs, server.ws("/v1/ws?name=node"), room, storage)) {
                assertThat(first.expect("restored").get("rooms")).isEmpty();
                first.expect("open");
                first.expect("joined");
                publish(server, room, "seen1");
                publish(server, room, "seen2");
                assertThat(offsets(first.messages(2))).containsExactly(1L, 2L);
            }
            publish(server, room, "missed1");
            publish(server, room, "missed2");
            try (NodeClient reloaded = new NodeClient(roomcastJs, server.ws("/v1/ws?name=node"), room, storage)) {
                assertThat(reloaded.expect("restored").get("rooms")).extracting(JsonNode::asText).containsExactly(room);
                reloaded.expect("open");
                JsonNode recovered = reloaded.expect("recovered");
                assertThat(recovered.get("recovered").asBoolean()).isTrue();
                assertThat(recovered.get("missed").asInt()).isEqualTo(2);
                List<JsonNode> missed = reloaded.messages(2);
                assertThat(missed).extracting(m -> m.get("text").asText()).containsExactly("missed1", "missed2");
                publish(server, room, "live");
                JsonNode live = reloaded.expect("message");
                assertThat(live.get("offset").asLong()).as("nothing doubled at the seam").isEqualTo(5);
            }
        }
    }

    @Test
    void afterTheServerRestartsItReconnectsAndReportsThatHistoryWasLost() throws Exception {
        String room = "js-" + ROOMS.incrementAndGet();
        TestServer first = TestServer.start(b -> b.apiKey(KEY));
        int port = first.port();
        try (NodeClient client = new NodeClient(fetchRoomcastJs(first), first.ws("/v1/ws?name=node"), room)) {
            client.expect("open");
            String oldEpoch = client.expect("joined").get("epoch").asText();
            publish(first, room, "one");
            publish(first, room, "two");
            assertThat(offsets(client.messages(2))).containsExactly(1L, 2L);

            first.node().drain(Duration.ofSeconds(5));
            JsonNode closed = client.expect("close");
            assertThat(closed.get("code").asInt()).isEqualTo(1001);
            assertThat(closed.get("reconnecting").asBoolean()).isTrue();

            try (TestServer second = TestServer.start(b -> b.apiKey(KEY).port(port))) {
                client.expect("open");
                JsonNode recovered = client.expect("recovered");
                assertThat(recovered.get("recovered").asBoolean()).as("a restart loses the in-memory history").isFalse();
                assertThat(recovered.get("room").asText()).isEqualTo(room);

                publish(second, room, "fresh");
                JsonNode fresh = client.expect("message");
                assertThat(fresh.get("text").asText()).isEqualTo("fresh");
                assertThat(fresh.get("offset").asLong()).isEqualTo(1);
                assertThat(fresh.get("epoch").asText()).isNotEqualTo(oldEpoch);
            }
        }
    }

    @Test
    void publishCarriesDataEventsStoreEchoAndIdempotencyKeysAndListenersGetEventAndData() throws Exception {
        String room = "js-" + ROOMS.incrementAndGet();
        try (TestServer server = TestServer.start(b -> b.apiKey(KEY));
             NodeClient client = new NodeClient(fetchRoomcastJs(server), server.ws("/v1/ws?name=node"), room);
             JsonWs watcher = JsonWs.connect(server, "watcher")) {
            client.expect("open");
            client.expect("joined");
            watcher.join(room);

            // The answer and the publisher's own copy of the message may come in either order.
            client.command("publish {\"event\":\"move\",\"data\":{\"x\":3,\"path\":[1,2]}}");
            List<JsonNode> answerAndCopy = List.of(client.next(), client.next());
            assertThat(answerAndCopy).extracting(e -> e.get("event").asText()).containsExactlyInAnyOrder("published", "message");
            assertThat(answerAndCopy).filteredOn(e -> e.get("event").asText().equals("published"))
                    .extracting(e -> e.get("offset").asLong()).containsExactly(1L);
            JsonNode own = answerAndCopy.stream().filter(e -> e.get("event").asText().equals("message")).findFirst().orElseThrow();
            assertThat(own.get("name").asText()).isEqualTo("move");
            assertThat(own.get("data")).isEqualTo(JsonWs.obj("x", 3, "path", List.of(1, 2)));

            client.command("publish {\"text\":\"typing\",\"store\":false,\"echo\":false}");
            assertThat(client.expect("published").has("offset")).isFalse();
            client.command("publish {\"text\":\"once\",\"idempotencyKey\":\"js-key\"}");
            List<JsonNode> onceAndCopy = List.of(client.next(), client.next());
            assertThat(onceAndCopy).extracting(e -> e.get("event").asText()).containsExactlyInAnyOrder("published", "message");
            long first = onceAndCopy.stream().filter(e -> e.get("event").asText().equals("published")).findFirst()
                    .orElseThrow().get("offset").asLong();
            client.command("publish {\"text\":\"once\",\"idempotencyKey\":\"js-key\"}");
            assertThat(client.expect("published").get("offset").asLong()).isEqualTo(first).isEqualTo(2);

            List<String> seen = new ArrayList<>();
            while (seen.size() < 3) {
                JsonNode frame = watcher.next();
                if (frame.get("type").asText().equals("message")) {
                    seen.add(frame.has("data") ? frame.get("data").toString() : frame.get("text").asText());
                }
            }
            assertThat(seen).containsExactly("{\"x\":3,\"path\":[1,2]}", "typing", "once");
        }
    }

    @Test
    void inADropOldestRoomTheGapLeftWhileItDidNotReadIsFilledWithSinceByItself() throws Exception {
        String room = "feed:js-" + ROOMS.incrementAndGet();
        // 24 MB: more than the loopback socket buffers and the 1 MiB bound hold, so the server drops some.
        int messages = 6000;
        String filler = "x".repeat(4096);
        Namespace feed = new Namespace(Namespace.Publish.MEMBERS, PresenceMode.OFF, false, messages, null, Namespace.SlowConsumer.DROP_OLDEST, null);
        try (TestServer server = TestServer.start(b -> b.apiKey(KEY).namespaces(new Namespaces(Map.of("feed", feed))));
             NodeClient client = new NodeClient(fetchRoomcastJs(server), server.ws("/v1/ws?name=node"), room)) {
            client.expect("open");
            assertThat(client.expect("joined").get("offset").asLong()).isZero();
            client.pause();
            try {
                for (int i = 1; i <= messages; i++) {
                    server.node().hub().broadcast(room, "publisher", i + " " + filler);
                }
                Awaitility.await().atMost(WAIT).until(() -> !server.node().metrics().scrape()
                        .contains("roomcast_slow_consumer_actions_total{action=\"dropped\",policy=\"drop_oldest\"} 0.0"));
            } finally {
                client.resume();
            }

            List<Long> offsets = new ArrayList<>();
            int refills = 0;
            while (offsets.size() < messages) {
                JsonNode event = client.next();
                if (event.get("event").asText().equals("recovered")) {
                    assertThat(event.get("recovered").asBoolean()).as("the gap is still in history").isTrue();
                    refills++;
                } else {
                    assertThat(event.get("event").asText()).as("%s", event).isEqualTo("message");
                    offsets.add(event.get("offset").asLong());
                }
            }
            assertThat(offsets).as("every message once, in order").containsExactlyElementsOf(
                    LongStream.rangeClosed(1, messages).boxed().toList());
            assertThat(refills).as("gaps filled with since").isPositive();
        }
    }
}
