package dev.roomcast.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.roomcast.room.DirectMessage;
import dev.roomcast.room.Position;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Renders the JSON v1 frames written to one connection (answers, {@code welcome},
 * {@code recovered}, {@code direct}) as UTF-8, {@code type} first, fields in the order of
 * docs/protocol.md. Room events shared by many recipients are rendered by {@link JsonEvents}.
 * Stateless and thread-safe.
 */
public final class ServerFrames {

    private static final JsonFactory JSON = new JsonFactory();

    /** Writes the fields after {@code type}. */
    @FunctionalInterface
    private interface Fields {
        void write(JsonGenerator json) throws IOException;
    }

    private ServerFrames() {
    }

    /** {@code welcome}: the first frame on every connection. */
    public static byte[] welcome(String session, String user, String name, String node) {
        return frame("welcome", json -> {
            json.writeStringField("session", session);
            json.writeStringField("user", user);
            json.writeStringField("name", name);
            json.writeStringField("node", node);
        });
    }

    /** {@code ok} with nothing but the ref. */
    public static byte[] ok(String ref) {
        return frame("ok", json -> writeRef(json, ref));
    }

    /**
     * {@code ok} for a {@code join} or {@code publish}: the room and a position in it; without a
     * position ({@code null}) for a publish with {@code store:false}.
     */
    public static byte[] ok(String ref, String room, Position position) {
        return frame("ok", json -> {
            writeRef(json, ref);
            json.writeStringField("room", room);
            if (position != null) {
                writePosition(json, position);
            }
        });
    }

    public static byte[] error(String ref, ErrorCode code, String message) {
        return error(ref, code.wire(), message);
    }

    /** {@code error} with a code of the application backend's, which its join or publish hook chose. */
    public static byte[] error(String ref, String code, String message) {
        return frame("error", json -> {
            writeRef(json, ref);
            json.writeStringField("code", code);
            json.writeStringField("message", message);
        });
    }

    /** {@code presence}: the answer to a {@code presence} request; a page of users with their connection counts. */
    public static byte[] presence(String ref, String room, Page users) {
        return frame("presence", json -> {
            writeRef(json, ref);
            json.writeStringField("room", room);
            writeUsers(json, users.entries());
            writeNext(json, users);
        });
    }

    /** {@code presence}: the answer to a {@code presence} request in a count room; its members on every node. */
    public static byte[] presenceCount(String ref, String room, int members) {
        return frame("presence", json -> {
            writeRef(json, ref);
            json.writeStringField("room", room);
            json.writeNumberField("members", members);
        });
    }

    /** {@code recovered}: the outcome of a {@code join} with {@code since}, sent before the replayed messages. */
    public static byte[] recovered(String room, boolean recovered, long missed, Position current) {
        return frame("recovered", json -> {
            json.writeStringField("room", room);
            json.writeBooleanField("recovered", recovered);
            json.writeNumberField("missed", missed);
            writePosition(json, current);
        });
    }

    public static byte[] direct(DirectMessage message) {
        return frame("direct", json -> {
            json.writeStringField("from", message.from());
            json.writeStringField("text", message.text());
            json.writeNumberField("ts", message.timestampMillis());
        });
    }

    /** The {@code users} array: {@code [{"user": …, "sessions": n}, …]}. Shared with the HTTP API. */
    public static void writeUsers(JsonGenerator json, Iterable<Map.Entry<String, Integer>> sessionsByUser) throws IOException {
        json.writeArrayFieldStart("users");
        for (Map.Entry<String, Integer> entry : sessionsByUser) {
            json.writeStartObject();
            json.writeStringField("user", entry.getKey());
            json.writeNumberField("sessions", entry.getValue());
            json.writeEndObject();
        }
        json.writeEndArray();
    }

    /** The {@code next} field of a page that more entries follow: the cursor of the page after it. Shared with the HTTP API. */
    public static void writeNext(JsonGenerator json, Page page) throws IOException {
        if (page.next() != null) {
            json.writeStringField("next", page.next());
        }
    }

    /** The {@code epoch} and {@code offset} fields of a position. Shared with the HTTP API. */
    public static void writePosition(JsonGenerator json, Position position) throws IOException {
        json.writeStringField("epoch", position.epoch());
        json.writeNumberField("offset", position.offset());
    }

    private static void writeRef(JsonGenerator json, String ref) throws IOException {
        if (ref != null) {
            json.writeStringField("ref", ref);
        }
    }

    private static byte[] frame(String type, Fields fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(96);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("type", type);
            fields.write(json);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
