package dev.roomcast.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A JSON protocol v1 client for tests, on {@link WsClient}: connects to {@code /v1/ws}, keeps the
 * {@code welcome}, sends requests built from key/value pairs and parses every frame with Jackson,
 * checking that {@code type} comes first. Single-threaded.
 */
public final class JsonWs implements AutoCloseable {

    public static final ObjectMapper JSON = new ObjectMapper();

    private final WsClient ws;
    private final JsonNode welcome;

    private JsonWs(WsClient ws) {
        this.ws = ws;
        this.welcome = next();
        assertThat(welcome.path("type").asText()).isEqualTo("welcome");
    }

    /** Connects as an anonymous guest. */
    public static JsonWs connect(TestServer server) {
        return new JsonWs(WsClient.connect(server.ws("/v1/ws")));
    }

    /** Connects with {@code ?name=}: several connections with one name are one user with many sessions. */
    public static JsonWs connect(TestServer server, String name) {
        return connect(server.port(), name);
    }

    /** As {@link #connect(TestServer, String)}, to a node on loopback {@code port}, such as a {@link RoomcastProcess}. */
    public static JsonWs connect(int port, String name) {
        return new JsonWs(WsClient.connect(URI.create("ws://127.0.0.1:" + port + "/v1/ws?name="
                + URLEncoder.encode(name, StandardCharsets.UTF_8))));
    }

    /** Speaks the JSON protocol over a connection opened already (to {@code /v1/ws}); reads its welcome. */
    public static JsonWs over(WsClient ws) {
        return new JsonWs(ws);
    }

    /** Connects with {@code ?token=}, to a server with authentication on. */
    public static JsonWs connectWithToken(TestServer server, String token) {
        return new JsonWs(WsClient.connect(server.ws("/v1/ws?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8))));
    }

    public JsonNode welcome() {
        return welcome;
    }

    public String user() {
        return welcome.get("user").asText();
    }

    /** A JSON object from alternating keys and values (values may be nested {@link ObjectNode}s). */
    public static ObjectNode obj(Object... keysAndValues) {
        ObjectNode node = JSON.createObjectNode();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            node.set((String) keysAndValues[i], JSON.valueToTree(keysAndValues[i + 1]));
        }
        return node;
    }

    /** Sends a request built by {@link #obj}. */
    public JsonWs send(Object... keysAndValues) {
        return sendRaw(obj(keysAndValues).toString());
    }

    public JsonWs sendRaw(String frame) {
        ws.send(frame);
        return this;
    }

    public WsClient raw() {
        return ws;
    }

    /** The next frame, parsed; fails unless it is a JSON object whose first field is {@code type}. */
    public JsonNode next() {
        return parse(ws.next());
    }

    public List<JsonNode> next(int count) {
        List<JsonNode> frames = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            frames.add(next());
        }
        return frames;
    }

    /** The next frame if one arrives within {@code wait}, else null. */
    public JsonNode poll(Duration wait) {
        String frame = ws.poll(wait);
        return frame == null ? null : parse(frame);
    }

    /** Sends a request and returns the next frame, asserting it is {@code ok} for {@code ref}. */
    public JsonNode ok(String ref, Object... keysAndValues) {
        List<Object> withRef = new ArrayList<>(List.of(keysAndValues));
        withRef.add("ref");
        withRef.add(ref);
        send(withRef.toArray());
        JsonNode answer = next();
        assertThat(answer.path("type").asText()).as("answer to %s: %s", ref, answer).isEqualTo("ok");
        assertThat(answer.path("ref").asText()).isEqualTo(ref);
        return answer;
    }

    /** Joins a room with no replay and returns the {@code ok}, which carries the room's position. */
    public JsonNode join(String room) {
        return ok("join-" + room, "type", "join", "room", room);
    }

    /**
     * Publishes and returns the answer for it ({@code ok} or {@code error}, with {@code ref} = the text);
     * the frames before it, the publisher's own copy among them, are skipped.
     */
    public JsonNode publish(String room, String text) {
        send("type", "publish", "ref", text, "room", room, "text", text);
        while (true) {
            JsonNode frame = next();
            if (frame.has("ref") && text.equals(frame.path("ref").asText())) {
                return frame;
            }
        }
    }

    /** Like {@link #publish} and asserts the answer is {@code ok}. */
    public JsonNode publishOk(String room, String text) {
        JsonNode answer = publish(room, text);
        assertThat(answer.path("type").asText()).as("answer to %s: %s", text, answer).isEqualTo("ok");
        return answer;
    }

    /** The next frame of this type, skipping frames of other types. */
    public JsonNode nextOfType(String type) {
        while (true) {
            JsonNode frame = next();
            if (type.equals(frame.path("type").asText())) {
                return frame;
            }
        }
    }

    /** The texts of the {@code message} frames received up to and including one with text {@code last}. */
    public List<String> messagesUntil(String last) {
        List<String> texts = new ArrayList<>();
        while (texts.isEmpty() || !texts.get(texts.size() - 1).equals(last)) {
            texts.add(nextOfType("message").path("text").asText());
        }
        return texts;
    }

    private static JsonNode parse(String frame) {
        assertThat(frame).as("type comes first").startsWith("{\"type\":");
        try {
            return JSON.readTree(frame);
        } catch (JsonProcessingException e) {
            throw new AssertionError("server sent invalid JSON: " + frame, e);
        }
    }

    @Override
    public void close() {
        ws.close();
    }
}
