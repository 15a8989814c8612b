package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomcast.config.Namespace;
import dev.roomcast.config.Namespaces;
import dev.roomcast.room.PresenceMode;
import dev.roomcast.testing.JsonWs;
import dev.roomcast.testing.TestServer;
import dev.roomcast.testing.WsClient;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The three presence modes side by side, on one node: {@code full} sends joined/left and lists users, {@code count}
 * sends only the member count ({@code occupancy}) and answers {@code presence} with it, {@code off} sends nothing.
 */
@Timeout(60)
class PresenceModesIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(b -> b.namespaces(new Namespaces(Map.of(
                "tally", new Namespace(Namespace.Publish.MEMBERS, PresenceMode.COUNT, false, null, null, Namespace.SlowConsumer.DISCONNECT, null),
                "quiet", new Namespace(Namespace.Publish.MEMBERS, PresenceMode.OFF, false, null, null, Namespace.SlowConsumer.DISCONNECT, null)))));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Reads frames until an {@code occupancy} of {@code members}, and returns every frame read on the way. */
    private static List<JsonNode> untilOccupancy(JsonWs client, int members) {
        List<JsonNode> frames = new ArrayList<>();
        while (true) {
            JsonNode frame = client.next();
            frames.add(frame);
            if (frame.path("type").asText().equals("occupancy") && frame.path("members").asInt() == members) {
                return frames;
            }
        }
    }

    private static JsonNode presence(JsonWs client, String room) {
        client.send("type", "presence", "ref", "p", "room", room);
        return client.nextOfType("presence");
    }

    private static JsonNode httpPresence(String room) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(server.http("/v1/rooms/" + room + "/presence")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return JsonWs.JSON.readTree(response.body());
    }

    @Test
    void aFullRoomAnnouncesUsersAndListsThem() {
        try (JsonWs ann = JsonWs.connect(server, "ann"); JsonWs bob = JsonWs.connect(server, "bob")) {
            ann.join("full-room");
            assertThat(ann.nextOfType("joined").path("user").asText()).isEqualTo("ann");
            bob.join("full-room");
            assertThat(ann.nextOfType("joined").path("user").asText()).isEqualTo("bob");
            assertThat(presence(ann, "full-room").path("users")).hasSize(2);
            bob.send("type", "leave", "ref", "l", "room", "full-room");
            assertThat(ann.nextOfType("left").path("user").asText()).isEqualTo("bob");
        }
    }

    @Test
    void aCountRoomSendsTheMemberCountOnlyAndAnswersPresenceWithIt() throws Exception {
        String room = "tally:hall";
        try (JsonWs ann = JsonWs.connect(server, "ann"); JsonWs bob = JsonWs.connect(server, "bob");
             JsonWs annAgain = JsonWs.connect(server, "ann"); WsClient text = WsClient.connect(server.ws("/ws/" + room))) {
            ann.join(room);
            List<JsonNode> seen = new ArrayList<>(untilOccupancy(ann, 2));
            bob.join(room);
            annAgain.join(room);
            seen.addAll(untilOccupancy(ann, 4));
            assertThat(untilOccupancy(bob, 4)).as("a newcomer is shown the count").isNotEmpty();
            List<JsonNode> annAgainSaw = untilOccupancy(annAgain, 4);
            assertThat(annAgainSaw.get(annAgainSaw.size() - 1)).isEqualTo(JsonWs.JSON.readTree("{\"type\":\"occupancy\",\"room\":\"tally:hall\",\"members\":4}"));

            JsonNode answer = presence(ann, room);
            assertThat(answer).isEqualTo(JsonWs.JSON.readTree("{\"type\":\"presence\",\"ref\":\"p\",\"room\":\"tally:hall\",\"members\":4}"));
            assertThat(httpPresence("tally:hall")).isEqualTo(JsonWs.JSON.readTree("{\"room\":\"tally:hall\",\"members\":4}"));

            bob.close();
            seen.addAll(untilOccupancy(ann, 3));
            assertThat(seen).extracting(frame -> frame.path("type").asText()).as("no joined, no left").containsOnly("occupancy");
            assertThat(text.poll(Duration.ofMillis(1500))).as("text members get no count and no 'Client left' line").isNull();
        }
    }

    @Test
    void anOffRoomSendsNothingAboutWhoIsThere() throws Exception {
        String room = "quiet:corner";
        try (JsonWs ann = JsonWs.connect(server, "ann"); JsonWs bob = JsonWs.connect(server, "bob")) {
            ann.join(room);
            bob.join(room);
            bob.ok("l", "type", "leave", "room", room);
            JsonNode answer = presence(ann, room);
            assertThat(answer.path("users")).isEmpty();
            assertThat(httpPresence("quiet:corner").path("users")).isEmpty();
            assertThat(ann.poll(Duration.ofMillis(1500))).as("no joined, left or occupancy").isNull();
        }
    }
}
